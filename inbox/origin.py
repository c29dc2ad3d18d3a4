"""Getting an object from its origin rather than trusting the copy an activity carries."""

from __future__ import annotations

import logging
from typing import Any

from actors.instance import Context
from actors.remote import fetch_signed
from federation.fetch_errors import (
    BadContentType,
    BadStatus,
    ForbiddenAddress,
    IdMismatch,
    InvalidDocument,
    TooLarge,
    UnsupportedURL,
)
from federation.origin import same_origin
from federation.vocab import as_list, get_id
from inbox.shape import object_id, object_of

log = logging.getLogger("mutuals.inbox")

# Failures that will not change on a retry: the object is gone or never was valid.
_PERMANENT = (
    BadContentType,
    ForbiddenAddress,
    IdMismatch,
    InvalidDocument,
    TooLarge,
    UnsupportedURL,
)
_GONE_STATUSES = frozenset({400, 403, 404, 410})


async def fetch_from_origin(ctx: Context, url: str) -> dict[str, Any] | None:
    """The object served at ``url`` (its id checked against the URL), or None when it is gone.

    Transient failures (timeouts, 5xx, refused connections) raise ``FetchError``, so the
    inbox worker retries the item later.
    """
    if ctx.urls.is_local(url):
        return None  # ours: never fetched over the network, and never stored as remote
    try:
        return await fetch_signed(ctx, url)
    except BadStatus as exc:
        if exc.status_code in _GONE_STATUSES:
            log.info("not storing %s: its origin answers %s", url, exc.status_code)
            return None
        raise
    except _PERMANENT as exc:
        log.info("not storing %s: %s", url, exc)
        return None


async def object_from_actor(
    ctx: Context, activity: dict[str, Any], actor: str
) -> dict[str, Any] | None:
    """The activity's object as its origin has it.

    An embedded copy is used only when its id and every ``attributedTo`` are on the
    actor's own origin (the actor speaks for its server, and only for it); otherwise
    it is ignored and the object fetched from its id.
    """
    embedded = object_of(activity)
    url = object_id(activity)
    if url is None:
        return None
    if isinstance(embedded, dict) and speaks_for(actor, embedded):
        return embedded
    return await fetch_from_origin(ctx, url)


def speaks_for(actor: str, doc: dict[str, Any]) -> bool:
    """True when ``doc``'s id and all its ``attributedTo`` ids are on ``actor``'s origin."""
    owners = [get_id(value) for value in as_list(doc.get("attributedTo"))]
    return all(isinstance(url, str) and same_origin(url, actor) for url in [get_id(doc), *owners])
