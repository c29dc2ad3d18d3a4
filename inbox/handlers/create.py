"""``Create``: a post for one of our groups, or an object from an actor a group follows."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from follows.queries import is_followed
from forum.receive import groups_concerned, receive_post
from inbox.models import InboxItem
from inbox.objects import is_storable, owned_by, store_object
from inbox.origin import object_from_actor
from inbox.registry import handles, signed_by_actor
from inbox.replies import handle_reply_to_local
from inbox.shape import object_of
from networks.announce import memberships, receive_member_post
from networks.relay import relay_down, relaying

log = logging.getLogger("mutuals.inbox")


@handles("Create")
@signed_by_actor
async def create(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Keep a Note (or Question, Article, Page, Event…) for the groups it concerns, and
    store it when a group follows its author.

    The object must be attributed to the Create's actor and live on its origin;
    a tombstone already stored for its id wins over it. Replies, votes and RSVPs to
    what our groups shared come from anyone, so ``inbox.replies`` takes them first.
    A post that names a group or replies in its thread goes to ``forum.receive``,
    whoever sends it: nothing members send is dropped. A post of a member group of one
    of our networks goes to ``networks.announce``; a post of a network one of our groups
    joined, to ``networks.relay``.
    """
    if await handle_reply_to_local(session, ctx, item, activity):
        return
    embedded = object_of(activity)
    hint = embedded if isinstance(embedded, dict) else {}
    groups, _thread = await groups_concerned(session, ctx, activity, hint)
    for_groups = bool(groups)
    followed = await is_followed(session, actor)
    # A member's posts reach a network because it follows the member back: no follow
    # here, no membership to look for (one query fewer for most Creates).
    networks = await memberships(session, actor) if followed else []
    if not (for_groups or followed or networks):
        return
    doc = await object_from_actor(session, ctx, activity, actor)
    if doc is None or not is_storable(doc):
        return
    if not owned_by(doc, actor):
        log.info("Create %s by %s carries an object it does not own", activity["id"], actor)
        return
    if for_groups:
        await receive_post(session, ctx, activity, doc, actor)
    if networks:
        await receive_member_post(session, ctx, activity, doc, actor, networks)
    if followed and (joined := await relaying(session, actor)):
        await relay_down(session, ctx, activity, doc, actor, joined)
    if followed:
        await store_object(session, doc, actor)
