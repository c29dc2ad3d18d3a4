"""Addressing an activity to a group's followers in batches (the fan-out job worker).

Posting stores the activity and a `FanOut` job in the posting transaction (see
``outbox.send.queue_to_followers``), so it stays instant however many followers the
group has. `expand` turns the next `BATCH` followers (by ``followers.id``, after the
job's ``cursor``) into delivery rows, shared inboxes preferred, and moves the cursor,
all in one transaction: a worker killed anywhere leaves the job to resume at the last
committed batch. A shared inbox named by several batches gets one row, thanks to the
unique (activity, inbox) index and ``INSERT … ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, RemoteActor
from federation.origin import netloc_of
from outbox.models import Delivery, FanOut
from store import queue
from store.db import utcnow

log = logging.getLogger("mutuals.fanout")

BATCH = 1000
MAX_ATTEMPTS = 16
DONE = "done"


async def expand(session: AsyncSession, job: FanOut, limit: int = BATCH) -> bool:
    """Add delivery rows for the next ``limit`` followers of the job; True when none remain."""
    found = await session.execute(
        select(Follower.id, RemoteActor.shared_inbox, RemoteActor.inbox)
        .join(RemoteActor, RemoteActor.id == Follower.actor_id)
        .where(
            Follower.group_id == job.group_id,
            Follower.accepted.is_(True),
            Follower.id > job.cursor,
        )
        .order_by(Follower.id)
        .limit(limit)
    )
    rows = found.all()
    inboxes = dict.fromkeys(shared or inbox for _, shared, inbox in rows)
    if inboxes:
        values = [
            {"activity_id": job.activity_id, "inbox": inbox, "host": netloc_of(inbox)}
            for inbox in inboxes
        ]
        await session.execute(queue.insert_ignoring_conflicts(session, Delivery), values)
        job.cursor = rows[-1][0]
    return len(rows) < limit


async def _expand_one(ctx: Context, lease: queue.Lease, job_id: int) -> None:
    async with ctx.sessions() as session:
        found = await session.execute(select(FanOut).where(lease.owns(job_id)).with_for_update())
        job = found.scalar_one_or_none()
        if job is None:
            return
        done = await expand(session, job)
        job.locked_until = job.lease_token = None  # the next batch may go to any worker
        if done:
            job.status = DONE
        await session.commit()


async def _record_failure(ctx: Context, lease: queue.Lease, job_id: int, error: str) -> None:
    async with ctx.sessions() as session:
        await session.execute(
            update(FanOut)
            .where(lease.owns(job_id))
            .values(
                attempts=FanOut.attempts + 1,
                error=error[:2000],
                next_attempt_at=utcnow() + dt.timedelta(minutes=1),
                locked_until=None,
                lease_token=None,
            )
        )
        await session.execute(
            update(FanOut)
            .where(FanOut.id == job_id, FanOut.attempts >= MAX_ATTEMPTS)
            .values(status=queue.FAILED)
        )
        await session.commit()


async def run_once(ctx: Context, *, batch: int = 4) -> int:
    """Expand one batch of followers for each of up to ``batch`` due jobs; how many jobs."""
    lease = await queue.claim(ctx.sessions, FanOut, batch, ctx.lease)
    async with queue.held(ctx.sessions, lease) as holding:
        for job_id in lease.ids:
            try:
                await _expand_one(ctx, lease, job_id)
            except Exception as exc:  # a broken job must not stop the others
                log.exception("fan-out job %d failed", job_id)
                await _record_failure(ctx, lease, job_id, f"{type(exc).__name__}: {exc}")
        holding.settled()  # each job expanded a batch or counted a failure
    return len(lease.ids)
