"""``Accept`` of a Follow one of our groups sent: the following becomes accepted."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Following, RemoteActor
from federation.vocab import get_id
from inbox.handlers import rsvp
from inbox.handlers.follow import local_group
from inbox.models import InboxItem
from inbox.registry import Handler, handles, signed_by_actor
from inbox.shape import http_url, object_id, object_of

log = logging.getLogger("mutuals.inbox")


async def answered_follow(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], actor: str
) -> Following | None:
    """Our ``Following`` that this Accept/Reject answers, if ``actor`` is the one we follow.

    The object is our Follow, embedded (Mastodon) or by id. When the id is unknown, an
    embedded Follow from one of our groups to ``actor`` still names the relationship.
    """
    follow_id = object_id(activity)
    if follow_id is None:
        return None
    found = await session.execute(select(Following).where(Following.follow_ap_id == follow_id))
    following = found.scalar_one_or_none()
    embedded = object_of(activity)
    if following is None and isinstance(embedded, dict):
        group = await local_group(session, ctx, http_url(get_id(embedded.get("actor"))))
        if group is not None and http_url(get_id(embedded.get("object"))) == actor:
            by_pair = await session.execute(
                select(Following)
                .join(RemoteActor, Following.actor_id == RemoteActor.id)
                .where(Following.group_id == group.id, RemoteActor.ap_id == actor)
            )
            following = by_pair.scalar_one_or_none()
    if following is not None and following.actor.ap_id != actor:
        log.warning("%s answered a follow of %s", actor, following.actor.ap_id)
        return None
    return following


def follow_answer(settle: Callable[[AsyncSession, Following], Awaitable[None]]) -> Handler:
    """The handler of an Accept or Reject: ``settle`` applies it to the ``Following`` it answers.

    Only the followed actor can answer. An answer to none of our Follows is an RSVP naming
    our Event by id (its type is unknown until looked up, so the registry sent it here).
    """

    @signed_by_actor
    @functools.wraps(settle)
    async def answer(
        session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
    ) -> None:
        following = await answered_follow(session, ctx, activity, actor)
        if following is not None:
            await settle(session, following)
        else:
            await rsvp.answer(session, ctx, item, activity)

    return answer


@handles("Accept", "Follow")
@handles("Accept")
@follow_answer
async def accept(session: AsyncSession, following: Following) -> None:
    """Mark the following accepted."""
    following.accepted = True
