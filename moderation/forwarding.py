"""Where a report goes on an ally's server: the inbox of that server's instance actor.

Found with FEP-d556 (server actor discovery): a WebFinger query for the server's own
origin (``resource=https://ally.example/``) whose ``self`` link (or a link typed as an
``Application`` / ``Service``) names the instance actor. A server that does not answer
it gets the reported account's shared inbox, then its own inbox: Mastodon's shared
inbox takes a ``Flag`` like any activity (``ActivityPub::Activity::Flag`` reads the
reported accounts from ``object`` whatever inbox it came to), and ours is the inbox of
our instance actor.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import RemoteActor
from actors.remote import ActorError, fetch_signed, get_actor
from federation.fetch_errors import FetchError
from federation.origin import same_origin
from federation.vocab import as_list

log = logging.getLogger("mutuals.moderation")

SERVER_ACTOR_RELS = {
    "self",
    "https://www.w3.org/ns/activitystreams#Application",
    "https://www.w3.org/ns/activitystreams#Service",
}
"""The WebFinger link relations FEP-d556 allows for the server's actor."""


def server_actor_link(jrd: object, origin: str) -> str | None:
    """The instance actor's id a WebFinger answer for ``origin`` names, if any on that origin."""
    if not isinstance(jrd, dict):
        return None
    for link in as_list(jrd.get("links")):
        if not isinstance(link, dict) or link.get("rel") not in SERVER_ACTOR_RELS:
            continue
        href = link.get("href")
        if (
            isinstance(href, str)
            and "json" in str(link.get("type", ""))
            and same_origin(href, origin)
        ):
            return href
    return None


async def flag_inbox(ctx: Context, session: AsyncSession, account: RemoteActor) -> str:
    """The inbox a ``Flag`` about ``account`` goes to on its server (see the module text)."""
    parts = urlsplit(account.ap_id)
    origin = f"{parts.scheme}://{parts.netloc}/"
    url = f"{parts.scheme}://{parts.netloc}/.well-known/webfinger?resource={quote(origin)}"
    try:
        actor_id = server_actor_link(await fetch_signed(ctx, url, kind="jrd"), origin)
        if actor_id is not None:
            server = await get_actor(ctx, session, actor_id)
            return server.delivery_inbox
    except (FetchError, ActorError) as exc:
        log.info("no server actor found at %s (%s); using the account's inbox", url, exc)
    return account.delivery_inbox
