"""The delivery worker: claim due delivery rows, POST them signed, record what happened.

Rows are claimed with a lease (``locked_until``) under ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the queue and a crashed worker's rows come back
when the lease runs out. Sends run concurrently (at most `CONCURRENCY` at once, and
the HTTP client's own per-host limit), and each outcome is committed as soon as it
is known, so a slow inbox holds up nobody else.

Outcomes, as Mastodon handles them: 2xx delivered; 5xx, 401, 408, 429, timeouts and
connection failures retried after ``attempts⁴ + 15 s`` plus jitter (or ``Retry-After``
when longer) until `MAX_ATTEMPTS`; any other status final. A ``410 Gone`` from an
actor's personal inbox also removes that actor from every group's followers.
Nothing is dropped: a row ends ``delivered`` or ``failed`` with its last status and error.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.context import Context
from actors.db import utcnow
from actors.models import Follower, Group, RemoteActor
from federation.fetch import post_activity
from federation.fetch_errors import FetchError, ForbiddenAddress, UnsupportedURL
from federation.httpsig import HttpSignatureAuth, PrivateKey
from outbox.models import Activity, Delivery

log = logging.getLogger("mutuals.delivery")

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

MAX_ATTEMPTS = 16
CONCURRENCY = 20
LEASE = dt.timedelta(minutes=5)
MAX_RETRY_AFTER = 24 * 3600.0
RETRYABLE = frozenset({401, 408, 429})


@dataclass(frozen=True)
class Job:
    """One claimed delivery, ready to send: where, what (serialized once), signed by whom."""

    delivery_id: int
    inbox: str
    body: bytes
    key_id: str
    key: PrivateKey


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    kind: str  # "delivered", "retry" or "final"
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None


def classify(status: int) -> str:
    """``delivered``, ``retry`` or ``final`` for an HTTP status answered by an inbox."""
    if 200 <= status < 300:
        return "delivered"
    if status >= 500 or status in RETRYABLE:
        return "retry"
    return "final"


def retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failure: ``attempts⁴ + 15`` plus jitter.

    16 attempts spread over about two days and a half, as Mastodon retries. A longer
    ``Retry-After`` (capped at a day) wins.
    """
    jitter = random.random() * 10 * (attempts + 1)  # noqa: S311 (jitter, not a secret)
    delay = attempts**4 + 15 + jitter
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 0.0)


def serialize(document: object) -> bytes:
    """Compact UTF-8 JSON, the bytes that are signed and sent."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


async def claim(ctx: Context, batch: int) -> list[int]:
    """Lease up to ``batch`` due rows to this worker; their ids."""
    now = utcnow()
    free = or_(Delivery.locked_until.is_(None), Delivery.locked_until < now)
    async with ctx.sessions() as session:
        due = await session.execute(
            select(Delivery.id)
            .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now, free)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        ids = list(due.scalars())
        if not ids:
            return []
        # The condition is checked again under the write lock: on SQLite (no row locks)
        # another process may have claimed some of them since the SELECT.
        claimed = await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), free)
            .values(locked_until=now + LEASE)
            .returning(Delivery.id)
        )
        mine = list(claimed.scalars())
        await session.commit()
    return mine


async def _jobs(ctx: Context, ids: list[int]) -> list[Job]:
    async with ctx.sessions() as session:
        rows = await session.execute(
            select(Delivery, Activity, Group)
            .join(Activity, Activity.id == Delivery.activity_id)
            .outerjoin(Group, Group.id == Activity.group_id)
            .where(Delivery.id.in_(ids))
        )
        bodies: dict[int, bytes] = {}
        jobs = []
        for delivery, activity, group in rows.all():
            if activity.id not in bodies:
                bodies[activity.id] = serialize(activity.document)
            key_id, key = ctx.group_signer(group) if group is not None else ctx.instance_signer()
            jobs.append(Job(delivery.id, delivery.inbox, bodies[activity.id], key_id, key))
    return jobs


async def send(ctx: Context, job: Job) -> Outcome:
    """POST one job, signed (double-knock on 401), and say how it went."""
    auth = HttpSignatureAuth(job.key_id, job.key, ctx.schemes)
    try:
        result = await post_activity(ctx.http, job.inbox, job.body, auth=auth, policy=ctx.policy)
    except (UnsupportedURL, ForbiddenAddress) as exc:
        return Outcome("final", error=str(exc))
    except FetchError as exc:
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


async def record(ctx: Context, job: Job, outcome: Outcome) -> None:
    """Write an attempt's outcome to its row and release the lease."""
    now = utcnow()
    async with ctx.sessions() as session:
        row = await session.get(Delivery, job.delivery_id)
        if row is None:  # its activity was deleted meanwhile
            return
        row.locked_until = None
        row.last_status = outcome.status
        row.last_error = outcome.error
        row.attempts += 1
        if outcome.kind == "delivered":
            row.status = DELIVERED
            row.delivered_at = now
        elif outcome.kind == "final" or row.attempts >= MAX_ATTEMPTS:
            row.status = FAILED
        else:
            delay = retry_delay(row.attempts, outcome.retry_after)
            row.next_attempt_at = now + dt.timedelta(seconds=delay)
        if outcome.status == 410:
            await _remove_gone_followers(session, job.inbox)
        await session.commit()


async def _deliver(ctx: Context, job: Job, slots: asyncio.Semaphore) -> None:
    async with slots:
        outcome = await send(ctx, job)
    await record(ctx, job, outcome)


async def run_once(ctx: Context, *, batch: int = 50) -> int:
    """Claim up to ``batch`` due deliveries, send them concurrently; how many were handled."""
    ids = await claim(ctx, batch)
    if not ids:
        return 0
    slots = asyncio.Semaphore(CONCURRENCY)
    jobs = await _jobs(ctx, ids)
    results = await asyncio.gather(
        *(_deliver(ctx, job, slots) for job in jobs), return_exceptions=True
    )
    for job, result in zip(jobs, results, strict=True):
        if isinstance(result, BaseException):
            # The lease brings the row back later; nothing is lost.
            log.error("delivery %d to %s failed: %r", job.delivery_id, job.inbox, result)
    return len(ids)
