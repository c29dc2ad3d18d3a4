"""``Undo``: of a Follow removes the follower; of a relaying Announce, what it relayed."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, RemoteActor
from federation.vocab import get_id, has_type
from inbox.handlers.announce import announced_id
from inbox.handlers.follow import local_group
from inbox.models import InboxItem
from inbox.objects import find_object, forget
from inbox.registry import handles, signed_by_actor
from inbox.shape import http_url, object_id, object_of
from networks.membership import on_unfollow

log = logging.getLogger("mutuals.inbox")


async def _by_follow_id(session: AsyncSession, follow_id: str) -> Follower | None:
    result = await session.execute(select(Follower).where(Follower.follow_ap_id == follow_id))
    return result.scalars().first()


async def _by_pair(
    session: AsyncSession, ctx: Context, follow: dict[str, Any], actor: str
) -> Follower | None:
    # The Follow undone may be an older one than the id we kept (a repeated Follow
    # replaces it), so fall back to the (group, follower) pair it names.
    group = await local_group(session, ctx, http_url(get_id(follow.get("object"))))
    if group is None:
        return None
    result = await session.execute(
        select(Follower)
        .join(RemoteActor, Follower.actor_id == RemoteActor.id)
        .where(Follower.group_id == group.id, RemoteActor.ap_id == actor)
    )
    return result.scalars().first()


async def _remove(
    session: AsyncSession, ctx: Context, follower: Follower | None, actor: str
) -> None:
    if follower is None:
        return
    if follower.actor.ap_id != actor:
        log.warning("%s tried to undo a follow by %s", actor, follower.actor.ap_id)
        return
    # A member group undoing its follow of a network leaves it.
    await on_unfollow(session, ctx, follower)
    await session.delete(follower)


@handles("Undo", "Follow")
@signed_by_actor
async def undo_follow(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Remove the follower, if the Follow being undone is the Undo's actor's own."""
    follow = object_of(activity)
    follow_id = object_id(activity)
    if follow_id is None or not isinstance(follow, dict):
        return
    if http_url(get_id(follow.get("actor"))) != actor:
        return
    follower = await _by_follow_id(session, follow_id) or await _by_pair(
        session, ctx, follow, actor
    )
    await _remove(session, ctx, follower, actor)


@handles("Undo", "Announce")
@signed_by_actor
async def undo_announce(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """A followed group takes back a post it relayed: we stop keeping it.

    Only the announcer can undo its Announce, and only an object that came to us
    through it (``via``) is dropped; one whose owner we follow ourselves stays.
    """
    announced = object_of(activity)
    if not isinstance(announced, dict):
        return
    if http_url(get_id(announced.get("actor"))) != actor:
        log.warning("%s tried to undo an Announce by %s", actor, announced.get("actor"))
        return
    target = announced_id(announced)
    row = None if target is None else await find_object(session, target)
    if row is not None and not row.deleted and row.via == actor:
        await forget(session, row)


@handles("Undo")
@signed_by_actor
async def undo_other(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """An Undo naming its object only by id still undoes a Follow we know by that id."""
    target = object_id(activity)
    if target is None or has_type(object_of(activity), "Follow"):
        return
    # Undo{Like}, Undo{Block}…, or an Announce named by id: nothing of ours to undo.
    await _remove(session, ctx, await _by_follow_id(session, target), actor)
