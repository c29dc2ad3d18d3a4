"""Hashtags of local posts: kept in the ``post_tags`` table, listed on the tag pages.

A post's hashtags are the ``Hashtag`` entries of its document's ``tag`` list (notes,
offers, needs, events and polls all carry them there), stored by key: the name as
`federation.markdown.normalize_hashtag` compares it, so ``#Food``, ``#food`` and the
``/tags/food`` its link points to are one tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from federation.markdown import normalize_hashtag
from federation.vocab import as_list, has_type
from posts.models import Post, PostTag
from posts.timeline import LAST_PAGE, PAGE_SIZE, PostsPage

MAX_KEY = 200
"""Keys are cut to this many characters (a hashtag may be as long as a post)."""


def tag_key(name: str) -> str:
    """The key of a hashtag name, with or without its ``#``."""
    return normalize_hashtag(name)[:MAX_KEY]


def tag_keys(document: Mapping[str, Any]) -> set[str]:
    """The keys of the hashtags a document carries."""
    names = (t.get("name") for t in as_list(document.get("tag")) if has_type(t, "Hashtag"))
    return {tag_key(name) for name in names if isinstance(name, str) and name.strip("#")}


async def index_tags(session: AsyncSession, post: Post) -> None:
    """Store the hashtags of ``post``'s document, replacing those stored before."""
    await session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    rows = [{"post_id": post.id, "tag": key} for key in sorted(tag_keys(post.document))]
    if rows:
        await session.execute(insert(PostTag), rows)


async def tagged_posts(
    session: AsyncSession, name: str, number: int = 1, size: int = PAGE_SIZE
) -> tuple[PostsPage, dict[int, Group]]:
    """Page ``number`` of the public posts of this instance's groups tagged ``name`` (any
    case), newest first, and their groups by id; an empty page past the last one."""
    if number < 1:
        raise ValueError(f"pages are numbered from 1, not {number}")
    if number > LAST_PAGE:
        return PostsPage([], number, False), {}
    found = await session.execute(
        select(Post, Group)
        .join(PostTag, PostTag.post_id == Post.id)
        .join(Group, Group.id == Post.group_id)
        .where(PostTag.tag == tag_key(name))
        .where(Post.deleted_at.is_(None), Post.visibility == "public")
        .order_by(Post.id.desc())
        .offset((number - 1) * size)
        .limit(size + 1)  # one more tells whether an older page exists
    )
    rows = found.all()
    groups = {group.id: group for _post, group in rows}
    page = PostsPage([post for post, _group in rows[:size]], number, len(rows) > size)
    return page, groups
