"""``Move`` of an actor our groups follow: they follow its new address instead, once the
new actor confirms the move (lists the old one in ``alsoKnownAs``), as Mastodon asks."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Following, RemoteActor
from actors.moves import confirmed_by
from actors.remote import ActorError
from federation.vocab import get_id
from follows.moves import follow_moved
from inbox.models import InboxItem
from inbox.registry import handles, signed_by_actor
from inbox.shape import http_url, object_id

log = logging.getLogger("mutuals.inbox")


@handles("Move")
@signed_by_actor
async def move(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Follow the ``target`` in place of ``actor`` (the ``object``, moving itself).

    The target is fetched afresh from its origin and must list ``actor`` in
    ``alsoKnownAs``; anything else is refused with a log line and changes nothing.
    """
    target = http_url(get_id(activity.get("target")))
    if object_id(activity) != actor or target is None or target == actor:
        log.info("Move %s refused: %s can only move itself to another actor", activity["id"], actor)
        return
    if ctx.urls.is_local(target):
        # Groups of one instance cannot follow each other (``actors.remote.get_actor``).
        log.info("Move %s refused: %s moved to this instance", activity["id"], actor)
        return
    followed = select(exists().where(Following.actor_id == RemoteActor.id)).where(
        RemoteActor.ap_id == actor
    )
    if not await session.scalar(followed):
        log.info("Move %s ignored: none of our groups follows %s", activity["id"], actor)
        return
    try:
        confirmed = actor in await confirmed_by(session, ctx, target)
    except ActorError as exc:
        log.info("Move %s refused: %s", activity["id"], exc)
        return
    if not confirmed:
        log.info(
            "Move %s refused: %s does not list %s in alsoKnownAs", activity["id"], target, actor
        )
        return
    moved = await follow_moved(session, ctx, actor, target)
    log.info("%s moved to %s: %s follow it there", actor, target, ", ".join(moved))
