"""Workers woken by PostgreSQL notifications, not by polling (``store.wakeups``).

The loops here poll once an hour unless a test says otherwise, so a delivery made within
the test's minute was woken by a notification. On SQLite there are none: loops poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import pytest

from actors.models import Group
from outbox import fanout
from outbox.loop import serve as serve_deliveries
from outbox.models import FanOut
from posts import notes
from store.wakeups import APPLICATION_NAME, Wakeups, asyncpg_dsn, listening
from tests.conftest import TEST_DATABASE
from tests.helpers import add_group
from tests.instances import Instance
from tests.queues.support import wait_for
from tests.sink import Sink, add_follower
from web.workers import run_loop

HOUR = 3600.0

needs_postgres = pytest.mark.skipif(
    TEST_DATABASE == "sqlite", reason="notifications are PostgreSQL's; SQLite workers poll"
)


@asynccontextmanager
async def workers(instance: Instance, wakeups: Wakeups, *, listen: bool) -> AsyncIterator[None]:
    """The fan-out and delivery loops of ``instance``, listening for notifications or not."""
    ctx = instance.ctx
    stop = asyncio.Event()
    loops = [
        asyncio.create_task(run_loop(ctx, fanout.run_once, stop, wakeups, FanOut.__tablename__)),
        asyncio.create_task(serve_deliveries(ctx, stop, wakeups=wakeups)),
    ]
    try:
        async with AsyncExitStack() as stack:
            if listen:
                await stack.enter_async_context(listening(ctx.sessions.kw["bind"], wakeups))
            yield
    finally:
        stop.set()
        await asyncio.gather(*loops)


@asynccontextmanager
async def followed_group(instance: Instance) -> AsyncIterator[tuple[Group, Sink]]:
    """A group with one follower, whose inbox is on a sink."""
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ann"))
        yield group, sink


async def publish(instance: Instance, group: Group, text: str) -> None:
    async with instance.ctx.sessions() as session:
        await notes.publish_note(session, instance.ctx, group, text)
        await session.commit()


async def delivered(sink: Sink, text: str) -> None:
    async def arrived() -> bool:
        return any(text in str(d.activity.get("object")) for d in sink.received)

    await wait_for(arrived, timeout=30)


async def listener_pid(instance: Instance) -> int | None:
    conn = await asyncpg.connect(asyncpg_dsn(instance.ctx.sessions.kw["bind"]))
    try:
        pid: int | None = await conn.fetchval(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name = $1 AND datname = current_database()",
            APPLICATION_NAME,
        )
        return pid
    finally:
        await conn.close()


@needs_postgres
async def test_a_notification_wakes_the_fan_out_and_delivery_loops(instance: Instance) -> None:
    wakeups = Wakeups(poll=HOUR, listening_poll=HOUR)
    async with followed_group(instance) as (group, sink), workers(instance, wakeups, listen=True):
        # Given idle loops listening, that would not poll for an hour
        await wait_for(lambda: asyncio.sleep(0, wakeups.listening))
        assert await listener_pid(instance) is not None
        await asyncio.sleep(0.2)  # the loops found nothing and wait

        # When a post is published (a fan-out row, then its deliveries, inserted)
        await publish(instance, group, "the pantry opens at nine")

        # Then the follower's inbox gets it now, not in an hour
        await delivered(sink, "the pantry opens at nine")


@needs_postgres
async def test_the_listener_comes_back_after_its_connection_is_killed(
    instance: Instance,
) -> None:
    wakeups = Wakeups(poll=HOUR, listening_poll=HOUR)
    async with followed_group(instance) as (group, sink), workers(instance, wakeups, listen=True):
        await wait_for(lambda: asyncio.sleep(0, wakeups.listening))
        first = await listener_pid(instance)

        # When the listening connection's backend is terminated
        conn = await asyncpg.connect(asyncpg_dsn(instance.ctx.sessions.kw["bind"]))
        try:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await conn.close()

        # Then the process notices, connects again, and is woken as before
        await wait_for(lambda: asyncio.sleep(0, not wakeups.listening))
        await wait_for(lambda: asyncio.sleep(0, wakeups.listening))
        second = await listener_pid(instance)
        assert second not in (None, first)
        await publish(instance, group, "the van is back")
        await delivered(sink, "the van is back")


async def test_without_notifications_the_loops_poll(instance: Instance) -> None:
    # Given loops that do not listen (as on SQLite), polling every 50 ms
    wakeups = Wakeups(poll=0.05, listening_poll=HOUR)
    async with followed_group(instance) as (group, sink), workers(instance, wakeups, listen=False):
        await asyncio.sleep(0.2)
        # When a post is published, then a poll finds it
        await publish(instance, group, "bring boxes")
        await delivered(sink, "bring boxes")
        assert not wakeups.listening


async def test_on_sqlite_nothing_listens(instance: Instance) -> None:
    if TEST_DATABASE != "sqlite":
        pytest.skip("PostgreSQL listens: see the tests above")
    wakeups = Wakeups()
    async with listening(instance.ctx.sessions.kw["bind"], wakeups):
        await asyncio.sleep(0.1)
        assert not wakeups.listening
        assert wakeups.idle == wakeups.poll
