"""A group's collections as paged ``OrderedCollection`` documents, as Mastodon serves them.

The collection itself carries ``totalItems`` and a link to its ``first`` page; pages
are ``OrderedCollectionPage``s with ``partOf``, ``orderedItems`` and ``next``. The
outbox pages by post id (``?page=true&max_id=…``), followers and following by page
number (``?page=N``), newest first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from actors.models import Follower, Following, Group, RemoteActor
from actors.urls import Urls
from documents import activities
from federation.vocab import AS_CONTEXT
from outbox.models import Post
from posts.notes import create_id

OUTBOX_PAGE = 20
FOLLOWS_PAGE = 40


def ordered_collection(collection_id: str, total: int, first: str | None) -> dict[str, Any]:
    """The collection document: its size and, unless hidden, where its first page is."""
    doc: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first is not None:
        doc["first"] = first
    return doc


def ordered_page(
    page_id: str, part_of: str, items: list[Any], next_page: str | None, context: Any = AS_CONTEXT
) -> dict[str, Any]:
    """One page of a collection."""
    doc: dict[str, Any] = {
        "@context": context,
        "id": page_id,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    }
    if next_page is not None:
        doc["next"] = next_page
    return doc


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


async def _actor_ids(
    session: AsyncSession, table: type[Follower] | type[Following], group: Group, page: int | None
) -> tuple[int, list[str]]:
    where = (table.group_id == group.id, table.accepted.is_(True))
    total = await session.scalar(select(func.count()).select_from(table).where(*where))
    if page is None:
        return int(total or 0), []
    found = await session.execute(
        select(RemoteActor.ap_id)
        .join(table, table.actor_id == RemoteActor.id)
        .where(*where)
        .order_by(table.id.desc())
        .offset((page - 1) * FOLLOWS_PAGE)
        .limit(FOLLOWS_PAGE)
    )
    return int(total or 0), list(found.scalars())


async def follow_collection(
    session: AsyncSession, urls: Urls, group: Group, name: str, *, page: int | None
) -> dict[str, Any] | None:
    """``followers`` or ``following`` (accepted only), or page ``page`` of it.

    When the group hides its collections only the size is shown, and pages are None.
    """
    table: type[Follower] | type[Following] = Follower if name == "followers" else Following
    collection_id = urls.group_collection(group.uid, name)
    if group.hide_collections and page is not None:
        return None
    total, items = await _actor_ids(session, table, group, page)
    if page is None:
        first = None if group.hide_collections else f"{collection_id}?page=1"
        return ordered_collection(collection_id, total, first)
    more = page * FOLLOWS_PAGE < total
    doc = ordered_page(
        f"{collection_id}?page={page}",
        collection_id,
        items,
        f"{collection_id}?page={page + 1}" if more else None,
    )
    doc["totalItems"] = total
    return doc


def featured(urls: Urls, group: Group) -> dict[str, Any]:
    """Pinned posts: none yet, an empty collection (Mastodon reads it from the actor)."""
    return {
        "@context": AS_CONTEXT,
        "id": urls.group_collection(group.uid, "featured"),
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }
