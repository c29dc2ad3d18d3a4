"""Finding our own posts from the ids remote activities name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from posts.models import Post


async def local_post(session: AsyncSession, ctx: Context, url: str | None) -> Post | None:
    """The live post of one of our groups whose id is ``url``, or None."""
    prefix = ctx.urls.group("")
    if url is None or not url.startswith(prefix):
        return None
    parts = url.removeprefix(prefix).split("/")
    if len(parts) != 3 or parts[1] != "posts":
        return None
    found = await session.execute(
        select(Post)
        .join(Group, Group.id == Post.group_id)
        .where(Group.uid == parts[0], Post.uid == parts[2], Post.deleted_at.is_(None))
    )
    return found.scalar_one_or_none()
