"""Fault 1: ``kill -9`` of worker processes in the middle of a fan-out to 1,000 inboxes."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import func, select

from outbox.models import Delivery
from tests.conftest import TEST_DATABASE
from tests.queues.support import (
    InboxFarm,
    add_followers,
    add_group,
    context,
    publish,
    start_worker,
    stop_worker,
    wait_for,
)

INBOXES = 1000
HOLD_AFTER = 300


async def test_kill_9_mid_fan_out_loses_nothing(database_url: str, tmp_path: Path) -> None:
    # On PostgreSQL two workers share the queue; SQLite runs one worker.
    workers = 1 if TEST_DATABASE == "sqlite" else 2
    async with context(database_url) as ctx:
        group = await add_group(ctx)
        # Given a group with 1,000 followers, each with a personal inbox on the farm
        farm = InboxFarm(group.public_key_pem, hold_after=HOLD_AFTER)
        async with farm.running():
            await add_followers(ctx, group, [farm.inbox(n) for n in range(INBOXES)])
            await publish(ctx, group)

            # When the workers are killed while 300 inboxes have it and more are in flight
            first = [start_worker(database_url, tmp_path) for _ in range(workers)]

            async def held() -> bool:
                return farm.total > HOLD_AFTER

            await wait_for(held)
            for process in first:
                assert await stop_worker(process, signal.SIGKILL) == -signal.SIGKILL
            received_before = farm.total
            farm.release()

            # Then a new worker delivers to everyone, no inbox more than twice
            second = start_worker(database_url, tmp_path)

            async def everyone() -> bool:
                return len(farm.counts) == INBOXES

            await wait_for(everyone)
            assert await stop_worker(second) == 0, (tmp_path / "worker.log").read_text()

        async with ctx.sessions() as session:
            states = await session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            )
            assert dict(states.all()) == {"delivered": INBOXES}
    assert HOLD_AFTER < received_before < INBOXES
    assert max(farm.counts.values()) <= 2
    assert farm.bad_signatures == []
