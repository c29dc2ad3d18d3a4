"""Running the queue workers as background loops (in the web process or ``mutuals worker``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from actors.context import Context
from inbox import worker as inbox_worker
from outbox import delivery

log = logging.getLogger("mutuals.workers")

Step = Callable[[Context], Awaitable[int]]


def worker_steps() -> list[Step]:
    """The ``run_once`` of every queue worker; each returns how many rows it handled."""
    return [inbox_worker.run_once, delivery.run_once]


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


@asynccontextmanager
async def running_workers(ctx: Context, *, enabled: bool) -> AsyncIterator[None]:
    """Run every worker loop while the block is active; finish the current step on exit."""
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_loop(ctx, step, stop)) for step in worker_steps()]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
