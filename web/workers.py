"""Running the queue workers as background loops (in the web process or ``mutuals worker``).

Three queues: inbox items, fan-out jobs and deliveries (``outbox.loop``
keeps its own pipeline full), plus the periodic sharing step. On stop (SIGTERM, or
the web app shutting down) each loop finishes what it holds within `GRACE` seconds;
anything still running then is cancelled and its rows given back, so a restarted
worker resumes them at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from actors.instance import Context
from inbox import worker as inbox_worker
from outbox import delivery, fanout
from outbox.loop import serve as serve_deliveries
from sharing import step
from store.queue import wind_down

log = logging.getLogger("mutuals.workers")

Step = Callable[[Context], Awaitable[int]]
GRACE = 5.0


def worker_steps() -> list[Step]:
    """The ``run_once`` of every queue worker; each returns how many rows it handled.

    ``sharing_step`` is periodic rather than a queue: offers expiring, poll tallies, events.
    """
    return [inbox_worker.run_once, fanout.run_once, delivery.run_once, step.run_once]


async def run_loop(ctx: Context, step: Step, stop: asyncio.Event, idle: float = 0.5) -> None:
    """Call ``step`` until stopped, pausing when it finds nothing to do."""
    while not stop.is_set():
        try:
            handled = await step(ctx)
        except Exception:
            # A worker must outlive a database restart; the row's lease brings it back.
            log.exception("worker step failed; retrying")
            handled = 0
        if handled == 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=idle)


async def _stoppable(ctx: Context, step: Step, stop: asyncio.Event, grace: float) -> None:
    loop = asyncio.create_task(run_loop(ctx, step, stop))
    await stop.wait()
    await wind_down([loop], grace)


@asynccontextmanager
async def running_workers(
    ctx: Context, *, enabled: bool, grace: float = GRACE
) -> AsyncIterator[None]:
    """Run every worker loop while the block is active; finish or give back rows on exit."""
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    steps: list[Step] = [inbox_worker.run_once, fanout.run_once, step.run_once]
    tasks = [asyncio.create_task(_stoppable(ctx, step, stop, grace)) for step in steps]
    tasks.append(asyncio.create_task(serve_deliveries(ctx, stop, grace=grace)))
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
