"""A group's public posts, newest first, a page at a time: what its page lists.

Only ``public`` posts: unlisted ones stay out of listings, as on Mastodon's timelines
(they are still readable at their own URL and in the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from posts.models import Post

PAGE_SIZE = 20
LAST_PAGE = 1_000_000
"""No group has more pages; past it no query is made (its offset would overflow 64 bits)."""


@dataclass(frozen=True)
class PostsPage:
    """Page ``number`` (from 1) of a group's posts, and whether older ones follow."""

    posts: list[Post]
    number: int
    has_older: bool

    @property
    def has_newer(self) -> bool:
        """True on every page after the first."""
        return self.number > 1


async def public_posts(
    session: AsyncSession, group: Group, number: int = 1, size: int = PAGE_SIZE
) -> PostsPage:
    """Page ``number`` of the group's public posts; an empty page past the last one."""
    if number < 1:
        raise ValueError(f"pages are numbered from 1, not {number}")
    if number > LAST_PAGE:
        return PostsPage([], number, False)
    found = await session.execute(
        select(Post)
        .where(Post.group_id == group.id, Post.deleted_at.is_(None), Post.visibility == "public")
        .order_by(Post.id.desc())
        .offset((number - 1) * size)
        .limit(size + 1)  # one more tells whether an older page exists
    )
    posts = list(found.scalars())
    return PostsPage(posts[:size], number, len(posts) > size)
