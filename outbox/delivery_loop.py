"""Running the delivery worker continuously: claim more rows as earlier ones finish.

Unlike calling ``delivery.run_once`` in a loop, no batch waits for its slowest row:
while one inbox hangs until its timeout, rows claimed after it go out and finish.
"""

from __future__ import annotations

import asyncio
import logging

from actors.context import Context
from actors.queue import wind_down
from outbox.delivery import BATCH, CONCURRENCY, Pauses, claim, handle

log = logging.getLogger("mutuals.delivery")


async def serve(
    ctx: Context, stop: asyncio.Event, *, idle: float = 0.5, grace: float = 5.0
) -> None:
    """Deliver until ``stop`` is set, then give rows in flight ``grace`` seconds to finish."""
    pauses = Pauses()
    running: dict[asyncio.Task[None], int] = {}
    changed = asyncio.Event()

    def finished(task: asyncio.Task[None]) -> None:
        running.pop(task, None)
        changed.set()

    while not stop.is_set():
        changed.clear()
        room = CONCURRENCY - sum(running.values())
        claimed = 0
        if room >= BATCH or not running:
            try:
                lease = await claim(ctx, min(room, 2 * BATCH))
            except Exception:  # the database may be restarting: try again shortly
                log.exception("claiming deliveries failed; retrying")
            else:
                claimed = len(lease.ids)
                if claimed:
                    task = asyncio.create_task(handle(ctx, lease, pauses))
                    running[task] = claimed
                    task.add_done_callback(finished)
        if claimed:
            continue
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(changed.wait())]
        await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
    await wind_down(list(running), grace)
