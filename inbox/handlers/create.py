"""``Create`` from an actor one of our groups follows: keep the object."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from follows.queries import is_followed
from inbox.models import InboxItem
from inbox.objects import is_storable, owned_by, store_object
from inbox.origin import object_from_actor
from inbox.registry import handles
from inbox.replies import handle_reply_to_local
from inbox.shape import requester

log = logging.getLogger("mutuals.inbox")


@handles("Create")
async def create(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """Store a Note (or Question, Article, Event…) its followed owner published.

    The object must be attributed to the Create's actor and live on its origin;
    a tombstone already stored for its id wins over it. Replies, votes and RSVPs to
    what our groups shared come from anyone, so ``inbox.replies`` takes them first.
    """
    if await handle_reply_to_local(session, ctx, item, activity):
        return
    actor = requester(activity, item.actor_ap_id)
    if actor is None or not await is_followed(session, actor):
        return
    doc = await object_from_actor(ctx, activity, actor)
    if doc is None or not is_storable(doc):
        return
    if not owned_by(doc, actor):
        log.info("Create %s by %s carries an object it does not own", activity["id"], actor)
        return
    await store_object(session, doc, actor)
