"""Running the delivery worker continuously: claim more rows as earlier ones finish.

Unlike calling ``delivery.run_once`` in a loop, no batch waits for its slowest row:
room is counted per row, so while one inbox hangs until its timeout, rows claimed
after it go out and finish. At most ``max_per_host`` rows of one host (the HTTP
client's per-host connection limit) are claimed at a time: a host that hangs holds a
few rows, and when its breaker opens the rest are postponed in the queue, unsent.
Outcomes go through one shared ``delivery.Recorder`` (group commits).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from actors.instance import Context
from outbox.claims import claim
from outbox.delivery import BATCH, CONCURRENCY, Job, Pauses, Recorder, handle, prepare
from outbox.models import Delivery
from outbox.retry import Outcome
from store.queue import Lease, release, wind_down
from store.wakeups import Wakeups, idle_wait

log = logging.getLogger("mutuals.delivery")


class InFlight:
    """Jobs this worker has in flight, in all and per host; `changed` when one ends."""

    def __init__(self) -> None:
        self.hosts: Counter[str] = Counter()
        self.changed = asyncio.Event()

    @property
    def total(self) -> int:
        """How many jobs are in flight."""
        return self.hosts.total()

    def busy(self, limit: int) -> set[str]:
        """Hosts with ``limit`` jobs or more in flight."""
        return {host for host, count in self.hosts.items() if count >= limit}

    def start(self, jobs: list[Job]) -> None:
        """Count ``jobs`` in."""
        self.hosts.update(job.host for job in jobs)

    def end(self, job: Job) -> None:
        """Count ``job`` out."""
        self.hosts[job.host] -= 1
        if self.hosts[job.host] <= 0:
            del self.hosts[job.host]
        self.changed.set()


Claimed = tuple[Lease, list[Job], dict[int, Outcome]]


async def _claim(ctx: Context, flight: InFlight, room: int) -> Claimed:
    """Claim and prepare up to ``room`` rows, at most ``max_per_host`` of a host in flight."""
    per_host = ctx.policy.max_per_host
    lease = await claim(ctx, min(room, 2 * BATCH), busy=flight.busy(per_host), per_host=per_host)
    if not lease.ids:
        return lease, [], {}
    try:
        jobs, skipped = await prepare(ctx, lease)
    except BaseException:
        await asyncio.shield(release(ctx.sessions, lease))
        raise
    return lease, jobs, skipped


async def serve(
    ctx: Context, stop: asyncio.Event, *, wakeups: Wakeups | None = None, grace: float = 5.0
) -> None:
    """Deliver until ``stop`` is set, then give rows in flight ``grace`` seconds to finish.

    With nothing to claim it waits for a delivery to end, ``wakeups`` to announce new
    rows, or its poll interval.
    """
    wakeups = wakeups or Wakeups()
    arrived = wakeups.event(Delivery.__tablename__)
    pauses = Pauses()
    recorder = Recorder(ctx)
    flight = InFlight()
    running: set[asyncio.Task[None]] = set()

    while not stop.is_set():
        flight.changed.clear()
        arrived.clear()
        room = CONCURRENCY - flight.total
        claimed = 0
        if room >= BATCH or not flight.total:
            try:
                lease, jobs, skipped = await _claim(ctx, flight, room)
            except Exception:  # the database may be restarting: try again shortly
                log.exception("claiming deliveries failed; retrying")
            else:
                claimed = len(lease.ids)
                if claimed:
                    flight.start(jobs)
                    task = asyncio.create_task(
                        handle(
                            ctx, lease, pauses, recorder, prepared=(jobs, skipped), done=flight.end
                        )
                    )
                    running.add(task)
                    task.add_done_callback(running.discard)
        if claimed:
            continue
        await idle_wait(stop, flight.changed, arrived, seconds=wakeups.idle)
    await wind_down(list(running), grace)
    await recorder.aclose()
