"""The approval queue: members' posts waiting for a moderator, and taking posts back out.

A waiting post is approved (announced, as if the policy had allowed it) or rejected
(never announced; the author can be told why in a direct reply). An announced post can
be removed: the group takes its boost back (``Undo``), and it stays listed, removed.
Every decision keeps the post, so nothing a member sent is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from forum import relay
from forum.messages import find_message, reply_to
from forum.models import Message
from forum.receive import publish
from moderation.checks import refusal
from store.db import utcnow


async def waiting(session: AsyncSession, group: Group) -> Sequence[Message]:
    """The group's posts waiting for a moderator, oldest first."""
    rows = await session.execute(
        select(Message)
        .where(Message.group_id == group.id, Message.status == "pending")
        .order_by(Message.id)
    )
    return rows.scalars().all()


def _require(message: Message, *statuses: str) -> None:
    if message.status not in statuses:
        raise UserError(
            "%(post)s is %(status)s, not %(statuses)s",
            post=message.object_ap_id,
            status=message.status,
            statuses=" or ".join(statuses),
        )


async def approve(session: AsyncSession, ctx: Context, group: Group, post_url: str) -> Message:
    """Announce a waiting post to the group's followers."""
    message = await find_message(session, group, post_url)
    _require(message, "pending")
    refused = await refusal(session, ctx.federation, message.actor_ap_id, group_id=group.id)
    if refused is not None:
        raise UserError("%(post)s cannot be announced: %(reason)s", post=post_url, reason=refused)
    await publish(session, ctx, group, message)
    return message


async def reject(
    session: AsyncSession, ctx: Context, group: Group, post_url: str, reason: str | None
) -> Message:
    """Refuse a waiting post: it stays listed as rejected, never announced. With a
    ``reason``, the author is told it in a direct reply."""
    message = await find_message(session, group, post_url)
    _require(message, "pending")
    message.status, message.reason, message.decided_at = "rejected", reason, utcnow()
    if reason:
        await reply_to(session, ctx, group, post_url, reason, direct=True)
    return message


async def remove(
    session: AsyncSession, ctx: Context, group: Group, post_url: str, reason: str | None
) -> Message:
    """Take an announced post back out of the group: its boost is undone for every follower."""
    message = await find_message(session, group, post_url)
    _require(message, "announced")
    await relay.take_out(session, ctx, group, message, reason)
    message.status, message.reason, message.decided_at = "removed", reason, utcnow()
    return message
