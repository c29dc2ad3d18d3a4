"""``Follow`` of a local group: store the follower, then accept it unless an organizer decides
(a network following back a group that joined it is accepted at once)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import find_group_by_uid
from actors.instance import Context
from actors.models import Follower, Group
from actors.remote import get_actor
from documents.network import wants_announce
from follows.actions import accept_follower
from inbox.models import InboxItem
from inbox.registry import handles, signed_by_actor
from inbox.shape import object_id
from moderation.checks import blocks_account
from networks.membership import is_follow_back, on_follow

log = logging.getLogger("mutuals.inbox")


async def local_group(session: AsyncSession, ctx: Context, ap_id: str | None) -> Group | None:
    """The local group whose actor id is ``ap_id``, or None."""
    uid = None if ap_id is None else ctx.urls.group_uid(ap_id)
    return None if uid is None else await find_group_by_uid(session, uid)


@handles("Follow")
@signed_by_actor
async def follow(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Upsert the follower; (re-)send ``Accept`` unless the group approves by hand.

    A repeated Follow keeps the one row but takes the new Follow id, because the
    ``Accept`` must name the Follow the peer just sent (Mastodon matches on it).
    """
    group = await local_group(session, ctx, object_id(activity))
    if group is None:
        log.info("Follow %s is not for one of our groups", activity["id"])
        return
    if await blocks_account(session, group.id, actor):
        # The shared inbox takes activities for every group; this one blocks the actor.
        # Ignored without an answer, as after the Block we sent it.
        log.info("Follow %s: %s blocks %s", activity["id"], group.name, actor)
        return
    remote = await get_actor(ctx, session, actor)
    found = await session.execute(
        select(Follower).where(Follower.group_id == group.id, Follower.actor_id == remote.id)
    )
    follower = found.scalar_one_or_none()
    if follower is None:
        follower = Follower(
            group_id=group.id,
            actor_id=remote.id,
            actor=remote,
            follow_ap_id=activity["id"],
            accepted=False,
        )
        session.add(follower)
    else:
        follower.follow_ap_id = activity["id"]
    await session.flush()
    # Only a group that approves by hand, or a network, treats a follow-back apart.
    follow_back = (group.manual_approval or group.is_network) and await is_follow_back(
        session, group, follower, activity
    )
    if follower.accepted or not group.manual_approval or follow_back:
        await accept_follower(session, ctx, group, follower)
    if group.is_network and not follow_back:
        # A group following a network asks to join it (approved once accepted).
        await on_follow(session, ctx, group, follower, announce=wants_announce(activity))
