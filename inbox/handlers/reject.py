"""``Reject`` of a Follow one of our groups sent: the following is removed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from inbox.handlers import rsvp
from inbox.handlers.accept import answered_follow
from inbox.models import InboxItem
from inbox.registry import handles
from inbox.shape import requester


@handles("Reject", "Follow")
@handles("Reject")
async def reject(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """Remove the following; only the followed actor can reject (or later revoke) it."""
    actor = requester(activity, item.actor_ap_id)
    if actor is None:
        return
    following = await answered_follow(session, ctx, activity, actor)
    if following is not None:
        await session.delete(following)
    else:
        # Not one of our Follows: an RSVP naming our Event by id (its type is unknown
        # until looked up, so the registry sent it here).
        await rsvp.answer(session, ctx, item, activity)
