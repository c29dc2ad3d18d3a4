"""Who may speak to our inboxes: the refusals the receive pipeline applies around verifying.

Each check returns the one-line reason for refusing, or None. They run in this order:

1. ``refused_key`` before the signature is verified, so a blocked (or, in allowlist
   mode, unlisted) domain never makes us fetch or store its key, and nobody signs
   with a key id on our own origin;
2. ``misplaced_activity`` once the signer is known to be the actor: the activity's id
   must be on the actor's origin (Mastodon CVE-2024-23832), never one of ours;
3. ``refused_actor`` before storing: the actor's domain and the group's block list.

Peers sign with the same few key ids and actors over and over, so what depends only
on one of those (is it ours? its origin) is remembered; the rules themselves are
cached by ``moderation.rules``.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.urls import Urls
from federation.origin import origin_or_none
from moderation.checks import domain_refused, refusal


async def refused_key(ctx: Context, session: AsyncSession, key_id: str) -> str | None:
    """Why a request signed with ``key_id`` is refused (403) before any key fetch."""
    if _is_local(ctx.urls, key_id):
        return "the key id is on this instance; remote servers sign with their own keys"
    return await domain_refused(session, ctx.federation, key_id)


def misplaced_activity(ctx: Context, activity: dict[str, Any], actor: str) -> str | None:
    """Why the activity's id cannot be the actor's (400): ours, or on another origin."""
    # ``Urls.is_local`` and ``same_origin`` with the activity id's origin parsed once.
    origin = origin_or_none(activity["id"])
    if origin is not None and origin == origin_or_none(ctx.urls.base):
        return "the activity claims an id of this instance"
    if origin is None or origin != origin_or_none(actor):
        return "the activity id is not on its actor's origin"
    return None


async def refused_actor(
    ctx: Context, session: AsyncSession, actor: str, group_id: int | None
) -> str | None:
    """Why an activity by ``actor`` (to ``group_id``, if any) is refused (403)."""
    return await refusal(session, ctx.federation, actor, group_id=group_id)


@functools.lru_cache(maxsize=4096)
def _is_local(urls: Urls, url: str) -> bool:
    return urls.is_local(url)
