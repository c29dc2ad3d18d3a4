"""Leases: a slow worker keeps its rows, and a worker that lost its lease changes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from inbox import worker
from inbox.models import InboxItem
from inbox.registry import Registry
from store import queue
from store.db import utcnow
from tests.queues.support import context

SHORT = dt.timedelta(seconds=0.3)


async def _item(ctx: Context) -> int:
    async with ctx.sessions() as session:
        item = InboxItem(activity_ap_id="x#1", actor_ap_id="x", payload={"type": "Ping"})
        session.add(item)
        await session.commit()
        return item.id


async def test_a_slow_worker_keeps_its_lease(database_url: str) -> None:
    async with context(database_url) as ctx:
        await _item(ctx)
        lease = await queue.claim(ctx.sessions, InboxItem, 10, SHORT)
        # While a handler runs three leases long, the heartbeat keeps the item
        async with queue.held(ctx.sessions, lease):
            for _ in range(3):
                await asyncio.sleep(SHORT.total_seconds())
                assert (await queue.claim(ctx.sessions, InboxItem, 10, SHORT)).ids == []
        # And on leaving, the unfinished item is given back at once
        assert (await queue.claim(ctx.sessions, InboxItem, 10, SHORT)).ids == lease.ids


async def test_a_worker_that_lost_its_lease_does_not_finish_the_item(database_url: str) -> None:
    registry = Registry()
    async with context(database_url) as ctx:
        item_id = await _item(ctx)
        first = await worker.claim(ctx, 10)

        @registry.register("Ping")
        async def slow(session: AsyncSession, ctx: Context, item: InboxItem, _: Any) -> None:
            # Meanwhile the lease ran out and another worker claimed the item
            async with ctx.sessions() as other:
                await other.execute(update(InboxItem).values(locked_until=utcnow()))
                await other.commit()
            await queue.claim(ctx.sessions, InboxItem, 10, ctx.lease)

        assert await worker.process(ctx, first, item_id, registry) is True
        async with ctx.sessions() as session:
            item = (await session.execute(select(InboxItem))).scalar_one()
        assert item.status == "pending"
        assert item.lease_token is not None and item.lease_token != first.token
