"""Finding our own events from the ids remote activities name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from posts.lookup import local_post
from sharing.models import Event


async def local_event(session: AsyncSession, ctx: Context, url: str | None) -> Event | None:
    """Our event whose id is ``url``, or None."""
    post = await local_post(session, ctx, url)
    if post is None:
        return None
    found: Event | None = await session.scalar(select(Event).where(Event.post_id == post.id))
    return found
