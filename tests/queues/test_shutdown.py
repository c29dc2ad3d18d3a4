"""Graceful shutdown: SIGTERM gives back rows in flight; a restarted worker resumes them."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import select

from outbox.models import Delivery
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


async def test_sigterm_releases_rows_in_flight(database_url: str, tmp_path: Path) -> None:
    async with context(database_url) as ctx:
        group = await add_group(ctx)
        # A long lease: only a release, not its expiry, can free the rows in time
        farm = InboxFarm(group.public_key_pem, hold_after=0)
        async with farm.running():
            await add_followers(ctx, group, [farm.inbox(n) for n in range(10)])
            await publish(ctx, group)
            worker = start_worker(database_url, tmp_path, lease=600)

            async def in_flight() -> bool:
                return farm.total > 0

            await wait_for(in_flight)
            # When SIGTERM arrives while the inboxes hold their answers
            assert await stop_worker(worker, signal.SIGTERM) == 0
            async with ctx.sessions() as session:
                rows = (await session.execute(select(Delivery))).scalars().all()
            # Then every row is back in the queue, unleased
            assert {(r.status, r.locked_until, r.lease_token) for r in rows} == {
                ("pending", None, None)
            }

            # And a new worker delivers them all
            farm.release()
            worker = start_worker(database_url, tmp_path, lease=600)

            async def everyone() -> bool:
                return len(farm.counts) == 10

            await wait_for(everyone, timeout=30)
            assert await stop_worker(worker) == 0
