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
HELD = dt.timedelta(seconds=1)
"""The lease of the slow worker: each check of it has most of a second of margin."""


async def _item(ctx: Context) -> int:
    async with ctx.sessions() as session:
        item = InboxItem(activity_ap_id="x#1", actor_ap_id="x", payload={"type": "Ping"})
        session.add(item)
        await session.commit()
        return item.id


async def _locked_until(ctx: Context, item_id: int) -> dt.datetime:
    async with ctx.sessions() as session:
        until = await session.scalar(select(InboxItem.locked_until).where(InboxItem.id == item_id))
    assert until is not None
    return until


async def _renewed(ctx: Context, item_id: int, after: dt.datetime) -> dt.datetime:
    """The item's lease end once the heartbeat has moved it past ``after``."""
    for _ in range(500):
        if (until := await _locked_until(ctx, item_id)) > after:
            return until
        await asyncio.sleep(HELD.total_seconds() / 10)
    raise AssertionError("the heartbeat never extended the lease")


async def test_a_slow_worker_keeps_its_lease(database_url: str) -> None:
    async with context(database_url) as ctx:
        item_id = await _item(ctx)
        lease = await queue.claim(ctx.sessions, InboxItem, 10, HELD)
        first_end = until = await _locked_until(ctx, item_id)
        # While a handler runs past the lease it was given, each heartbeat extends the
        # lease and no other worker can claim the item (checked just after each beat, so
        # most of a lease is left at each check)
        renewals = 0
        async with queue.held(ctx.sessions, lease):
            while renewals < 3 or utcnow() <= first_end:
                until = await _renewed(ctx, item_id, until)
                renewals += 1
                assert (await queue.claim(ctx.sessions, InboxItem, 10, HELD)).ids == []
        # And on leaving, the unfinished item is given back at once
        assert (await queue.claim(ctx.sessions, InboxItem, 10, HELD)).ids == lease.ids


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
