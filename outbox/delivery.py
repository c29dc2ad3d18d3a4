"""The delivery worker: claim due delivery rows, POST them signed, record what happened.

Rows are claimed in batches under a lease (``actors.queue``), so several workers share
the queue and a crashed worker's rows come back when the lease runs out. Every row of
a batch is sent concurrently and its outcome committed as soon as it is known, so a
slow inbox holds up nobody else; `serve` claims more rows as earlier ones finish
rather than batch by batch. The retry policy is ``outbox.retry``; host health (the
circuit breaker, unavailable hosts) is ``outbox.hosts``; moderation refusals come from
``actors.moderation``. A ``410 Gone`` from an actor's personal inbox also removes that
actor from every group's followers. Nothing is dropped: a row ends ``delivered`` or
``failed`` with its last status and error (``mutuals queue retry`` re-queues it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors import queue
from actors.context import Context
from actors.db import utcnow
from actors.models import Follower, Group, RemoteActor
from federation.fetch import post_activity
from federation.fetch_errors import FetchError, ForbiddenAddress, UnsupportedURL
from federation.httpsig import HttpSignatureAuth, PrivateKey
from outbox import hosts
from outbox.models import Activity, Delivery
from outbox.retry import MAX_ATTEMPTS, Outcome, classify, parse_retry_after, retry_delay

log = logging.getLogger("mutuals.delivery")

DELIVERED = "delivered"
FAILED = queue.FAILED
BATCH = 50
CONCURRENCY = 200
"""Rows one worker process has in flight at most (`serve`); the HTTP client's pool and
per-host limits bound the connections beneath."""


@dataclass(frozen=True)
class Job:
    """One claimed delivery, ready to send: where, what (serialized once), signed by whom."""

    delivery_id: int
    inbox: str
    host: str
    body: bytes
    key_id: str
    key: PrivateKey


@dataclass
class Pauses:
    """Hosts this worker saw tripped, so rows already claimed for them are not sent."""

    until: dict[str, dt.datetime] = field(default_factory=dict)

    def of(self, host: str, now: dt.datetime) -> dt.datetime | None:
        """Until when ``host`` is paused, or None."""
        until = self.until.get(host)
        if until is not None and until <= now:
            del self.until[host]
            return None
        return until


def serialize(document: object) -> bytes:
    """Compact UTF-8 JSON, the bytes that are signed and sent."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


async def claim(ctx: Context, batch: int) -> queue.Lease:
    """Lease up to ``batch`` due rows on hosts that are not paused."""
    paused = hosts.paused_hosts(utcnow())
    where = [Delivery.host.not_in(paused)]
    return await queue.claim(ctx.sessions, Delivery, batch, ctx.lease, where=where)


async def prepare(ctx: Context, lease: queue.Lease) -> tuple[list[Job], dict[int, Outcome]]:
    """The jobs to send for a lease, and the rows that must not be sent, with why."""
    async with ctx.sessions() as session:
        rows = await session.execute(
            select(Delivery, Activity, Group)
            .join(Activity, Activity.id == Delivery.activity_id)
            .outerjoin(Group, Group.id == Activity.group_id)
            .where(Delivery.id.in_(lease.ids))
        )
        found = rows.all()
        names = {delivery.host for delivery, _, _ in found}
        refused = await hosts.refused_hosts(session, ctx.federation, names)
        gone = await hosts.unavailable_hosts(session, names - refused.keys())
    bodies: dict[int, bytes] = {}
    jobs: list[Job] = []
    skipped: dict[int, Outcome] = {}
    for delivery, activity, group in found:
        if delivery.host in refused:
            skipped[delivery.id] = Outcome("final", error=f"refused: {refused[delivery.host]}")
            continue
        if delivery.host in gone:
            skipped[delivery.id] = Outcome("final", error=f"host {delivery.host} is unavailable")
            continue
        if activity.id not in bodies:
            bodies[activity.id] = serialize(activity.document)
        key_id, key = ctx.group_signer(group) if group is not None else ctx.instance_signer()
        body = bodies[activity.id]
        jobs.append(Job(delivery.id, delivery.inbox, delivery.host, body, key_id, key))
    return jobs, skipped


async def send(ctx: Context, job: Job) -> Outcome:
    """POST one job, signed (double-knock on 401), and say how it went."""
    auth = HttpSignatureAuth(job.key_id, job.key, ctx.schemes)
    try:
        result = await post_activity(ctx.http, job.inbox, job.body, auth=auth, policy=ctx.policy)
    except (UnsupportedURL, ForbiddenAddress) as exc:
        return Outcome("final", error=str(exc))
    except FetchError as exc:  # timeouts, refused connections, DNS failures
        return Outcome("retry", error=str(exc))
    kind = classify(result.status_code)
    error = None if kind == "delivered" else f"HTTP {result.status_code}"
    retry_after = parse_retry_after(result.headers.get("Retry-After"), utcnow())
    return Outcome(kind, result.status_code, error, retry_after)


async def _remove_gone_followers(session: AsyncSession, inbox: str) -> None:
    gone = select(RemoteActor.id).where(RemoteActor.inbox == inbox).scalar_subquery()
    result = await session.execute(delete(Follower).where(Follower.actor_id.in_(gone)))
    removed = getattr(result, "rowcount", 0)
    if removed:
        log.info("inbox %s is gone; removed %d follower(s)", inbox, removed)


async def _apply(session: AsyncSession, row: Delivery, outcome: Outcome) -> dt.datetime | None:
    """Write ``outcome`` on ``row`` and the host's health; until when the host is paused."""
    now = utcnow()
    if outcome.kind == "postponed":
        row.next_attempt_at = now + dt.timedelta(seconds=outcome.retry_after or 0)
        return None
    row.attempts += 1
    row.last_status = outcome.status
    row.last_error = outcome.error
    if outcome.kind == "delivered":
        row.status, row.delivered_at = DELIVERED, now
    elif outcome.kind == "final" or row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED
    else:
        delay = retry_delay(row.attempts, outcome.retry_after)
        row.next_attempt_at = now + dt.timedelta(seconds=delay)
    if outcome.kind == "retry":
        paused = await hosts.record_failure(session, row.host, outcome.error or "", now)
        if paused is not None:
            row.next_attempt_at = max(row.next_attempt_at, paused)
        return paused
    if outcome.status is not None:  # the host answered: it is alive
        await hosts.mark_alive(session, row.host)
    return None


async def record(
    ctx: Context, lease: queue.Lease, job_id: int, outcome: Outcome
) -> dt.datetime | None:
    """Write an attempt's outcome to its row and end the lease; until when its host is paused.

    Nothing is written when the row is no longer ours (its lease was lost, or its
    activity deleted): the new owner records its own attempt.
    """
    async with ctx.sessions() as session:
        found = await session.execute(select(Delivery).where(lease.owns(job_id)).with_for_update())
        row = found.scalar_one_or_none()
        if row is None:
            return None
        row.locked_until = row.lease_token = None
        paused = await _apply(session, row, outcome)
        if outcome.status == 410:
            await _remove_gone_followers(session, row.inbox)
        await session.commit()
    return paused


async def _deliver(ctx: Context, lease: queue.Lease, job: Job, pauses: Pauses) -> None:
    now = utcnow()
    until = pauses.of(job.host, now)
    if until is not None:
        outcome = Outcome("postponed", retry_after=(until - now).total_seconds())
    else:
        outcome = await send(ctx, job)
    paused = await record(ctx, lease, job.delivery_id, outcome)
    if paused is not None:
        pauses.until[job.host] = paused


async def handle(ctx: Context, lease: queue.Lease, pauses: Pauses | None = None) -> None:
    """Send every row of ``lease`` concurrently, keeping the lease alive meanwhile."""
    pauses = pauses or Pauses()
    async with queue.held(ctx.sessions, lease):
        jobs, skipped = await prepare(ctx, lease)
        for row_id, outcome in skipped.items():
            await record(ctx, lease, row_id, outcome)
        results = await asyncio.gather(
            *(_deliver(ctx, lease, job, pauses) for job in jobs), return_exceptions=True
        )
    for job, result in zip(jobs, results, strict=True):
        if isinstance(result, BaseException):
            # Released by ``held``: the row is tried again; nothing is lost.
            log.error("delivery %d to %s failed: %r", job.delivery_id, job.inbox, result)


async def run_once(ctx: Context, *, batch: int = BATCH) -> int:
    """Claim up to ``batch`` due deliveries and send them; how many were handled."""
    lease = await claim(ctx, batch)
    if lease.ids:
        await handle(ctx, lease)
    return len(lease.ids)
