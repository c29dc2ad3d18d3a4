"""Fault 1: ``kill -9`` of worker processes in the middle of a fan-out to 1,000 inboxes.

How many deliveries go out twice is bounded by design: a delivery is repeated only if
it was leased when its worker died (sent, or being sent, but not recorded), and the
claim leases at most ``max_per_host`` rows of one host at a time across all workers
(``outbox.claims``: rows already leased take the first ranks). The farm is one host,
so at most 6 of the 1,000 deliveries are repeated, however many workers run.
"""

from __future__ import annotations

import signal
import subprocess
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
WORKERS = 2  # on each database: two processes share the queue on SQLite too
PATIENCE = 180.0  # seconds a step may take on a busy machine before the test gives up


async def test_kill_9_mid_fan_out_loses_nothing(database_url: str, tmp_path: Path) -> None:
    async with context(database_url) as ctx:
        bound = ctx.policy.max_per_host
        group = await add_group(ctx)
        # Given a group with 1,000 followers, each with a personal inbox on the farm
        farm = InboxFarm(group.public_key_pem, hold_after=HOLD_AFTER)
        async with farm.running():
            await add_followers(ctx, group, [farm.inbox(n) for n in range(INBOXES)])
            await publish(ctx, group)

            # When both workers are killed while 300 inboxes have it and the farm holds
            # the answers to every delivery the claim lets them have in flight
            first = [start_worker(database_url, tmp_path) for _ in range(WORKERS)]
            second: list[subprocess.Popen[bytes]] = []
            try:

                async def held() -> bool:
                    return farm.total >= HOLD_AFTER + bound

                await wait_for(held, timeout=PATIENCE)
                for process in first:
                    assert await stop_worker(process, signal.SIGKILL) == -signal.SIGKILL
                received_before = farm.total
                farm.release()

                # Then two new workers deliver to everyone
                second = [start_worker(database_url, tmp_path) for _ in range(WORKERS)]

                async def everyone() -> bool:
                    return len(farm.counts) == INBOXES

                await wait_for(everyone, timeout=PATIENCE)
                for process in second:
                    code = await stop_worker(process)
                    assert code == 0, (tmp_path / "worker.log").read_text()
            finally:
                for process in [*first, *second]:
                    if process.poll() is None:
                        process.kill()
                        process.wait()

        async with ctx.sessions() as session:
            states = await session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            )
            assert dict(states.all()) == {"delivered": INBOXES}
    repeats = farm.total - INBOXES
    print(
        f"kill -9 of {WORKERS} workers mid fan-out ({TEST_DATABASE.split(':')[0]}): "
        f"{repeats} of {INBOXES} deliveries repeated (bound: {bound}, one host)"
    )
    # Every inbox had it; those held when the workers died twice, no other one again
    assert HOLD_AFTER + bound <= received_before < INBOXES
    assert set(farm.counts.values()) <= {1, 2}
    assert 0 < repeats <= bound
    assert farm.bad_signatures == []
