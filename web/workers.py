"""Running the queue workers as background loops (in the web process or ``mutuals worker``).

Three queues: inbox items, fan-out jobs and deliveries (``outbox.loop``
keeps its own pipeline full), plus the periodic sharing step, the pruning of
finished queue rows (`prune_once`, at most every few minutes), the reading of
networks' members for the directory (``networks.outreach``, every few seconds) and of
subscribed blocklists (``moderation.subscriptions``, every minute). On stop (SIGTERM, or
the web app shutting down) each loop finishes what it holds within `GRACE` seconds;
anything still running then is cancelled and its rows given back, so a restarted
worker resumes them at once.

Each loop records a heartbeat (``store.heartbeats``, at most every 15 s) after a step
that did not raise; ``/readyz`` reads them. The delivery loop (``outbox.loop.serve``)
has no steps, so its heartbeat says only that it is still running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from actors.instance import Context
from inbox import worker as inbox_worker
from inbox.models import InboxItem
from inbox.retention import prune_received
from moderation.subscriptions import blocklists_once
from networks.outreach import outreach_once
from outbox import delivery, fanout
from outbox.loop import serve as serve_deliveries
from outbox.models import Delivery, FanOut
from outbox.retention import prune_sent
from sharing import step
from store.queue import wind_down
from store.retention import BATCH, MAX_BATCHES
from store.wakeups import POLL, Wakeups, idle_wait, listening

log = logging.getLogger("mutuals.workers")

Step = Callable[[Context], Awaitable[int]]
GRACE = 5.0
DELIVERY = "delivery"
RUN_ONCE: dict[str, Step] = {
    "inbox": inbox_worker.run_once,
    "fanout": fanout.run_once,
    DELIVERY: delivery.run_once,
    "sharing": step.run_once,
}
"""The ``run_once`` of every worker loop, by the name its heartbeat bears."""
TABLES = {
    "inbox": InboxItem.__tablename__,
    "fanout": FanOut.__tablename__,
    DELIVERY: Delivery.__tablename__,
}
"""The queue table each loop claims rows from: a notification on it wakes the loop."""
LOOPS = tuple(RUN_ONCE)
"""Every worker loop: ``/readyz`` expects a recent heartbeat from each."""


async def prune_once(ctx: Context) -> int:
    """Delete finished queue rows older than the retention, if a pass is due; how many.

    Not a loop of its own for ``/readyz``: it has nothing to report between passes.
    """
    retention = ctx.retention
    if not retention.due():
        return 0
    # Counted from the attempt, so a failing database costs one try per period.
    retention.ran(behind=False)
    before = retention.cutoff()
    received = await prune_received(ctx.sessions, before)
    sent = await prune_sent(ctx.sessions, before)
    if received or sent:
        log.info("pruned %d inbox item(s) and %d delivery or fan-out row(s)", received, sent)
    # A table that filled its batches may have more: run again without waiting.
    retention.ran(behind=max(received, sent) >= BATCH * MAX_BATCHES)
    return received + sent


def beating(name: str, step: Step) -> Step:
    """``step``, recording loop ``name``'s heartbeat each time it returns."""

    async def beating_step(ctx: Context) -> int:
        handled = await step(ctx)
        await ctx.heartbeats.beat(ctx.sessions, name)
        return handled

    return beating_step


def worker_steps() -> list[Step]:
    """The ``run_once`` of every queue worker; each returns how many rows it handled.

    ``sharing_step`` is periodic rather than a queue: offers expiring, poll tallies, events.
    Each records its loop's heartbeat, as the running loops do; the paced steps that
    have no heartbeat (`prune_once`, ``outreach_once``, ``blocklists_once``) come last.
    """
    return [
        *(beating(name, step) for name, step in RUN_ONCE.items()),
        prune_once,
        outreach_once,
        blocklists_once,
    ]


async def run_loop(
    ctx: Context, step: Step, stop: asyncio.Event, wakeups: Wakeups, table: str | None
) -> None:
    """Call ``step`` until stopped; when it finds nothing, wait for rows in ``table``.

    A loop with no ``table`` (sharing, pruning) polls every `POLL` seconds.
    """
    arrived = wakeups.event(table) if table else asyncio.Event()
    while not stop.is_set():
        arrived.clear()  # before the step: rows arriving during it wake the next wait
        try:
            handled = await step(ctx)
        except Exception:
            # A worker must outlive a database restart; the row's lease brings it back.
            log.exception("worker step failed; retrying")
            handled = 0
        if handled == 0:
            await idle_wait(stop, arrived, seconds=wakeups.idle if table else POLL)


async def _stoppable(
    ctx: Context, step: Step, stop: asyncio.Event, grace: float, wakeups: Wakeups, table: str | None
) -> None:
    loop = asyncio.create_task(run_loop(ctx, step, stop, wakeups, table))
    await stop.wait()
    await wind_down([loop], grace)


async def _beat_while_running(ctx: Context, name: str, task: asyncio.Task[None]) -> None:
    """Record loop ``name``'s heartbeat as long as ``task`` runs."""
    while not task.done():
        await ctx.heartbeats.beat(ctx.sessions, name)
        await asyncio.wait([task], timeout=ctx.heartbeats.every)


@asynccontextmanager
async def running_workers(
    ctx: Context, *, enabled: bool, grace: float = GRACE
) -> AsyncIterator[None]:
    """Run every worker loop while the block is active; finish or give back rows on exit.

    On PostgreSQL the queue loops are woken by notifications (``store.wakeups``).
    """
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    wakeups = Wakeups()
    loops: list[tuple[Step, str | None]] = [
        (beating(name, step), TABLES.get(name))
        for name, step in RUN_ONCE.items()
        if name != DELIVERY
    ]
    loops += [(prune_once, None), (outreach_once, None), (blocklists_once, None)]
    tasks = [
        asyncio.create_task(_stoppable(ctx, step, stop, grace, wakeups, table))
        for step, table in loops
    ]
    deliveries = asyncio.create_task(serve_deliveries(ctx, stop, wakeups=wakeups, grace=grace))
    tasks += [deliveries, asyncio.create_task(_beat_while_running(ctx, DELIVERY, deliveries))]
    try:
        async with listening(ctx.sessions.kw["bind"], wakeups):
            yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
