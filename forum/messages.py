"""The group's messages: everything members sent it, for its organizers to read and answer.

Posts through the group, replies in its threads, mentions and direct messages are all
kept as `Message` rows (``forum.receive``). Reading them marks them read; the replies a
group keeps are also served in its posts' ``replies`` collections.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from actors.remote import find_actor
from documents.errors import UserError
from forum.models import Message
from posts.models import Post
from posts.notes import publish_reply


async def find_message(session: AsyncSession, group: Group, post_url: str) -> Message:
    """The group's message whose object id is ``post_url``; a clear error when none is."""
    message = await session.scalar(
        select(Message).where(Message.group_id == group.id, Message.object_ap_id == post_url)
    )
    if message is None:
        raise UserError(
            "%(group)s has no post %(post)s; list them with: mutuals submissions %(group)s",
            group=group.name,
            post=post_url,
        )
    return message


async def reply_to(
    session: AsyncSession, ctx: Context, group: Group, post_url: str, text: str, *, direct: bool
) -> Post:
    """Answer the group's message ``post_url`` as the group, mentioning its author: in
    public (the group's followers and the author) or ``direct`` (the author alone)."""
    message = await find_message(session, group, post_url)
    author = await find_actor(session, message.actor_ap_id)
    if author is None:
        raise UserError("the author of %(post)s is not known here any more", post=post_url)
    message.read = True
    return await publish_reply(
        session, ctx, group, text, to=author, in_reply_to=post_url, direct=direct
    )


SHOWN_IN_REPLIES = ("announced", "kept")
"""Replies that a post's public ``replies`` collection lists (not waiting, refused or gone)."""


def shown_replies(object_id: str) -> ColumnElement[bool]:
    """The messages a post's ``replies`` collection lists: the public or unlisted replies
    to ``object_id`` that a group keeps (each group keeping one has its own row)."""
    return and_(
        Message.in_reply_to == object_id,
        Message.visibility.in_(("public", "unlisted")),
        Message.status.in_(SHOWN_IN_REPLIES),
    )


async def read_messages(
    session: AsyncSession, group: Group, *, unread: bool = False, limit: int = 100
) -> Sequence[Message]:
    """The group's newest messages (only those not read yet, with ``unread``), oldest of
    them first; every one returned is marked read."""
    query = select(Message).where(Message.group_id == group.id)
    if unread:
        query = query.where(Message.read.is_(False))
    rows = (await session.execute(query.order_by(Message.id.desc()).limit(limit))).scalars().all()
    for message in rows:
        message.read = True
    return list(reversed(rows))


async def public_replies(session: AsyncSession, object_id: str) -> list[str]:
    """Ids of the public or unlisted replies to ``object_id`` that a group keeps, oldest
    first: what the post's ``replies`` collection shows."""
    rows = await session.execute(
        select(Message.object_ap_id).where(shown_replies(object_id)).order_by(Message.id)
    )
    return list(dict.fromkeys(rows.scalars()))
