"""A group's followers and following collections (accepted follows only), paged by number;
`actor_collection` pages a network's members too (``networks.listing``).

Pages are ``?page=N``, newest first. A group that hides its collections shows only
their size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Following, Group, RemoteActor
from actors.urls import Urls
from documents.collections import ordered_collection, ordered_page

FOLLOWS_PAGE = 40


async def actor_collection(
    session: AsyncSession,
    collection_id: str,
    table: Any,
    where: tuple[ColumnElement[bool], ...],
    *,
    hidden: bool,
    page: int | None,
) -> dict[str, Any] | None:
    """A collection of the remote actors that rows of ``table`` (with an ``actor_id``)
    matching ``where`` name, newest row first: its size and first page, or page ``page``
    (`FOLLOWS_PAGE` ids). ``hidden``: the size only, and None for pages."""
    if hidden and page is not None:
        return None
    total = int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)
    if page is None:
        return ordered_collection(
            collection_id, total, None if hidden else f"{collection_id}?page=1"
        )
    found = await session.scalars(
        select(RemoteActor.ap_id)
        .join(table, table.actor_id == RemoteActor.id)
        .where(*where)
        .order_by(table.id.desc())
        .offset((page - 1) * FOLLOWS_PAGE)
        .limit(FOLLOWS_PAGE)
    )
    more = page * FOLLOWS_PAGE < total
    next_page = f"{collection_id}?page={page + 1}" if more else None
    doc = ordered_page(f"{collection_id}?page={page}", collection_id, list(found), next_page)
    doc["totalItems"] = total
    return doc


async def follow_collection(
    session: AsyncSession, urls: Urls, group: Group, name: str, *, page: int | None
) -> dict[str, Any] | None:
    """``followers`` or ``following`` (accepted only), or page ``page`` of it.

    When the group hides its collections only the size is shown, and pages are None.
    """
    table: type[Follower] | type[Following] = Follower if name == "followers" else Following
    where = (table.group_id == group.id, table.accepted.is_(True))
    collection_id = urls.group_collection(group.uid, name)
    return await actor_collection(
        session, collection_id, table, where, hidden=group.hide_collections, page=page
    )
