"""A group's outbox and featured collections, as Mastodon serves them.

The outbox pages by post id (``?page=true&max_id=…``), newest first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from actors.models import Group
from actors.urls import Urls
from documents import activities
from documents.collections import ordered_collection, ordered_page
from posts.models import Post
from posts.notes import create_id

OUTBOX_PAGE = 20


def _public_posts(group: Group) -> Select[Post]:
    # Unlisted posts are readable by anyone too: Mastodon lists both in an outbox.
    return select(Post).where(
        Post.group_id == group.id,
        Post.deleted_at.is_(None),
        Post.visibility.in_(("public", "unlisted")),
    )


async def outbox(
    session: AsyncSession, urls: Urls, group: Group, *, page: bool, max_id: int | None = None
) -> dict[str, Any]:
    """The outbox (the Creates of the group's readable posts) or one page of it."""
    outbox_id = urls.group_collection(group.uid, "outbox")
    if not page:
        total = await session.scalar(
            select(func.count()).select_from(_public_posts(group).subquery())
        )
        return ordered_collection(outbox_id, int(total or 0), f"{outbox_id}?page=true")
    query = _public_posts(group).order_by(Post.id.desc()).limit(OUTBOX_PAGE)
    if max_id is not None:
        query = query.where(Post.id < max_id)
    posts = (await session.execute(query)).scalars().all()
    actor = urls.group(group.uid)
    items = []
    for post in posts:
        create = activities.create(create_id(post.document["id"]), actor, post.document)
        items.append({k: v for k, v in create.items() if k != "@context"})
    page_id = f"{outbox_id}?page=true" + (f"&max_id={max_id}" if max_id is not None else "")
    full = len(posts) == OUTBOX_PAGE
    next_page = f"{outbox_id}?page=true&max_id={posts[-1].id}" if full else None
    return ordered_page(page_id, outbox_id, items, next_page, activities.NOTE_CONTEXT)


def featured(urls: Urls, group: Group) -> dict[str, Any]:
    """Pinned posts: none yet, an empty collection (Mastodon reads it from the actor)."""
    return ordered_collection(urls.group_collection(group.uid, "featured"), 0, None, items=[])
