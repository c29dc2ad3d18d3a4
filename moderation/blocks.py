"""Account blocks per group: the rows, and the ``Block`` (and its ``Undo``) the account is sent.

Each action changes the rows and queues the activity in the caller's session, so both
commit together. As Mastodon sends it, a ``Block``'s ``object`` is the blocked account's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, Following, Group, RemoteActor
from documents import activities
from moderation.checks import is_blocked
from moderation.models import Block
from outbox.send import new_activity_id, queue_activity


async def add_block(session: AsyncSession, group_id: int, actor_id: str) -> Block | None:
    """Block ``actor_id`` for the group; None when it was already blocked."""
    if await is_blocked(session, group_id, actor_id):
        return None
    block = Block(group_id=group_id, actor_ap_id=actor_id)
    session.add(block)
    await session.flush()
    return block


async def remove_block(session: AsyncSession, group_id: int, actor_id: str) -> Block | None:
    """Lift a block; the removed row (for its ``activity_ap_id``), or None if there was none."""
    block = (
        await session.execute(
            select(Block).where(Block.group_id == group_id, Block.actor_ap_id == actor_id)
        )
    ).scalar_one_or_none()
    if block is not None:
        await session.delete(block)
        await session.flush()
    return block


async def blocked_accounts(session: AsyncSession, group_id: int) -> Sequence[Block]:
    """The group's blocks, oldest first."""
    rows = await session.execute(select(Block).where(Block.group_id == group_id).order_by(Block.id))
    return rows.scalars().all()


async def remove_follows(
    session: AsyncSession, actor_ids: Sequence[int], *, group_id: int | None = None
) -> int:
    """Delete follows both ways between remote actors and one group (or every group)."""
    removed = 0
    for table in (Follower, Following):
        statement = delete(table).where(table.actor_id.in_(actor_ids))
        if group_id is not None:
            statement = statement.where(table.group_id == group_id)
        result = await session.execute(statement)
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


@dataclass(frozen=True)
class BlockOutcome:
    """What a block did: whether it is new, how many follows went, whether Block was sent."""

    created: bool
    follows_removed: int
    sent: bool


async def block_account(
    ctx: Context, session: AsyncSession, group: Group, actor_id: str, actor: RemoteActor | None
) -> BlockOutcome:
    """Block ``actor_id`` for ``group``: follows both ways removed, ``Block`` sent.

    ``actor`` is the stored remote actor when known (it gives the inbox to tell); when
    None (never fetched, or unreachable) the block still holds locally.
    """
    block = await add_block(session, group.id, actor_id)
    if block is None:
        return BlockOutcome(created=False, follows_removed=0, sent=False)
    removed = 0
    if actor is not None:
        removed = await remove_follows(session, [actor.id], group_id=group.id)
        group_actor = ctx.urls.group(group.uid)
        activity = activities.with_context(
            activities.block(new_activity_id(ctx.urls, group), group_actor, actor_id)
        )
        await queue_activity(session, group=group, activity=activity, inboxes=[actor.inbox])
        block.activity_ap_id = activity["id"]
    return BlockOutcome(created=True, follows_removed=removed, sent=actor is not None)


async def unblock_account(
    ctx: Context, session: AsyncSession, group: Group, actor_id: str, actor: RemoteActor | None
) -> bool:
    """Lift a block, sending ``Undo{Block}`` when a Block was sent; False if none existed."""
    block = await remove_block(session, group.id, actor_id)
    if block is None:
        return False
    if block.activity_ap_id is not None and actor is not None:
        group_actor = ctx.urls.group(group.uid)
        blocked = activities.block(block.activity_ap_id, group_actor, actor_id)
        activity = activities.undo(new_activity_id(ctx.urls, group), group_actor, blocked)
        await queue_activity(session, group=group, activity=activity, inboxes=[actor.inbox])
    return True
