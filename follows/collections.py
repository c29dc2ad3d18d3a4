"""A group's followers and following collections (accepted follows only), paged by number.

Pages are ``?page=N``, newest first. A group that hides its collections shows only
their size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Following, Group, RemoteActor
from actors.urls import Urls
from documents.collections import ordered_collection, ordered_page

FOLLOWS_PAGE = 40


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
