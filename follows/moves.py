"""Moving a group to a new address, and following accounts that moved.

Out: `move_group` sends ``Move`` to the group's followers once the new address confirms
it (lists the group in ``alsoKnownAs``); Mastodon's followers then follow the new one,
and so do ours (`follow_moved`). The old group keeps ``movedTo`` in its actor document.

In: `follow_moved` makes every local group that follows an actor that moved follow its
new address instead, when the new actor confirms the move itself: the word of the old
actor alone is never enough.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import GroupError
from actors.instance import Context
from actors.models import Following, Group, RemoteActor
from actors.moves import actor_id_of, confirmed_by
from documents import activities
from follows.actions import follow, unfollow
from outbox.send import new_activity_id, queue_to_followers
from store.db import utcnow


async def move_group(session: AsyncSession, ctx: Context, group: Group, handle_or_url: str) -> str:
    """Move ``group`` to the account ``handle_or_url``: record ``movedTo`` and queue
    ``Move`` to its followers; the new actor id.

    Refused for a group that already moved, a move to itself, and a target that does not
    list the group in ``alsoKnownAs`` yet (the message says what to run there).
    """
    if group.moved_to:
        raise GroupError(
            "%(group)s already moved to %(target)s; a group moves only once",
            group=group.name,
            target=group.moved_to,
        )
    actor = ctx.urls.group(group.uid)
    target = await actor_id_of(session, ctx, handle_or_url)
    if target == actor:
        raise GroupError("%(group)s cannot move to itself", group=group.name)
    if actor not in await confirmed_by(session, ctx, target):
        raise GroupError(
            "%(target)s does not list %(group)s in alsoKnownAs yet; first run, where "
            "%(target)s lives: mutuals group update NAME --also-known-as %(actor)s",
            target=handle_or_url,
            group=group.name,
            actor=actor,
        )
    group.moved_to = target
    group.updated_at = utcnow()
    doc = activities.move(new_activity_id(ctx.urls, group), actor, target)
    await queue_to_followers(session, group=group, activity=doc, public=True)
    return target


async def follow_moved(session: AsyncSession, ctx: Context, old: str, new: str) -> list[str]:
    """Make the local groups following ``old`` follow ``new`` instead; their names.

    The caller has checked that ``new`` confirms the move. A group that already follows
    ``new`` just stops following ``old``; a network joined keeps its relay choice.
    """
    found = await session.execute(
        select(Group, Following)
        .join(Following, Following.group_id == Group.id)
        .join(RemoteActor, RemoteActor.id == Following.actor_id)
        .where(RemoteActor.ap_id == old)
        .order_by(Group.id)
    )
    followed = set(
        await session.scalars(
            select(Following.group_id)
            .join(RemoteActor, RemoteActor.id == Following.actor_id)
            .where(RemoteActor.ap_id == new)
        )
    )
    moved = []
    for group, following in found.all():
        relay = following.relay
        if group.id not in followed:
            (await follow(session, ctx, group, new)).relay = relay
        await unfollow(session, ctx, group, old)
        moved.append(group.name)
    return moved
