"""Small helpers for the inbox tests: reading rows, and a group following a peer actor."""

from __future__ import annotations

import secrets
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select

from actors.groups import get_group
from actors.models import Following
from actors.remote import get_actor
from inbox.models import InboxItem
from inbox.worker import DONE
from tests.instances import Instance
from tests.peer import PeerActor

T = TypeVar("T")


async def rows(instance: Instance, model: type[T], *where: ColumnElement[bool]) -> list[T]:
    """Every row of ``model`` (matching ``where``) in the instance's database."""
    async with instance.ctx.sessions() as session:
        result = await session.execute(select(model).where(*where))
        return list(result.scalars().unique())


async def count_items(instance: Instance) -> int:
    """How many inbox items are stored."""
    async with instance.ctx.sessions() as session:
        return int((await session.execute(select(func.count(InboxItem.id)))).scalar_one())


async def only_item(instance: Instance) -> InboxItem:
    """The one stored inbox item."""
    items = await rows(instance, InboxItem)
    assert len(items) == 1, items
    return items[0]


async def assert_all_done(instance: Instance) -> None:
    """Every stored inbox item was handled without error: an activity ignored on purpose,
    not one whose handler crashed (that one is kept for a retry with its error)."""
    items = await rows(instance, InboxItem)
    assert items, "no inbox item was stored"
    assert [(item.status, item.error) for item in items] == [(DONE, None)] * len(items)


def inbox_url(instance: Instance, group: str | None = "demo") -> str:
    """A group's inbox, or the shared inbox when ``group`` is None."""
    return f"{instance.base_url}/groups/{group}/inbox" if group else f"{instance.base_url}/inbox"


async def follow(
    instance: Instance, group: str, actor: PeerActor, *, accepted: bool = True
) -> Following:
    """Make ``group`` follow ``actor`` directly in the database (our Follow id returned)."""
    async with instance.ctx.sessions() as session:
        found = await get_group(session, group)
        remote = await get_actor(instance.ctx, session, actor.id)
        following = Following(
            group_id=found.id,
            actor_id=remote.id,
            follow_ap_id=instance.ctx.urls.activity(found.uid, secrets.token_hex(6)),
            accepted=accepted,
        )
        session.add(following)
        await session.commit()
        return following


def payloads(items: list[InboxItem]) -> list[dict[str, Any]]:
    """The activities of some inbox items."""
    return [item.payload for item in items]
