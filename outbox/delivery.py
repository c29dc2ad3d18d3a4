"""The delivery worker: claim due delivery rows, POST them signed, record what happened.

Rows are claimed in batches under a lease (``store.queue``), so several workers share
the queue and a crashed worker's rows come back when the lease runs out. Every row of
a batch is sent concurrently and its outcome recorded as soon as it is known, so a
slow inbox holds up nobody else; ``outbox.loop.serve`` claims more rows as
earlier ones finish rather than batch by batch. Outcomes are written by a `Recorder`
in group commits (one transaction for up to `RECORD_BATCH` outcomes, gathered for at
most `RECORD_DELAY`); a row stays leased until its outcome is committed, so a crash
between sending and recording sends it again when the lease runs out (at least once,
never lost). The retry policy is ``outbox.retry``; host health (the
circuit breaker, unavailable hosts) is ``outbox.breaker``; moderation refusals come from
``moderation.rules``. A ``410 Gone`` from an actor's personal inbox also removes that
actor from every group's followers. Nothing is dropped: a row ends ``delivered`` or
``failed`` with its last status and error (``mutuals queue retry`` re-queues it).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, Group, RemoteActor
from federation.fetch_errors import (
    ConnectFailed,
    FetchError,
    FetchTimeout,
    ForbiddenAddress,
    UnsupportedURL,
)
from federation.httpsig import PrivateKey
from outbox import breaker
from outbox.claims import claim
from outbox.models import Activity, Delivery
from outbox.retry import MAX_ATTEMPTS, Outcome, classify, parse_retry_after, retry_delay
from store import queue
from store.db import utcnow

log = logging.getLogger("mutuals.delivery")

DELIVERED = "delivered"
FAILED = queue.FAILED
BATCH = 50
CONCURRENCY = 200
"""Rows one worker process has in flight at most (`serve`); the HTTP client's pool and
per-host limits bound the connections beneath."""
RECORD_BATCH = 100
RECORD_DELAY = 0.005
"""A group commit writes up to `RECORD_BATCH` outcomes, gathered for at most this long."""


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
        refused = await breaker.refused_hosts(session, ctx.federation, names)
        gone = await breaker.unavailable_hosts(session, names - refused.keys())
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
    try:
        result = await ctx.delivery.post(
            job.inbox, job.body, key_id=job.key_id, private_key=job.key
        )
    except (UnsupportedURL, ForbiddenAddress) as exc:
        return Outcome("final", error=str(exc))
    except (FetchTimeout, ConnectFailed) as exc:  # hanging, refused, DNS failures
        return Outcome("retry", error=str(exc), unreachable=True)
    except FetchError as exc:  # reset connections, protocol errors
        return Outcome("retry", error=str(exc))
    kind = classify(result.status_code)
    error = None if kind == "delivered" else f"HTTP {result.status_code}"
    retry_after = parse_retry_after(result.retry_after, utcnow())
    return Outcome(kind, result.status_code, error, retry_after)


async def _remove_gone_followers(session: AsyncSession, inbox: str) -> None:
    gone = select(RemoteActor.id).where(RemoteActor.inbox == inbox).scalar_subquery()
    result = await session.execute(delete(Follower).where(Follower.actor_id.in_(gone)))
    removed = getattr(result, "rowcount", 0)
    if removed:
        log.info("inbox %s is gone; removed %d follower(s)", inbox, removed)


Finished = tuple[queue.Lease, int, Outcome]
"""An attempt to record: the lease it was made under, the row, what came of it."""

_DELIVERIES: Table = Delivery.__table__  # type: ignore[assignment]
_TABLE = _DELIVERIES.c
_UPDATE = (
    update(_DELIVERIES)
    .where(_TABLE.id == bindparam("row_id"), _TABLE.lease_token == bindparam("token"))
    .values(
        status=bindparam("new_status"),
        attempts=bindparam("new_attempts"),
        last_status=bindparam("new_last_status"),
        last_error=bindparam("new_last_error"),
        next_attempt_at=bindparam("new_next_at"),
        delivered_at=bindparam("new_delivered_at"),
        locked_until=None,
        lease_token=None,
    )
)
"""One row's outcome, in Core: written with executemany, one statement per batch."""


async def _apply(
    session: AsyncSession, row: Any, outcome: Outcome, now: dt.datetime
) -> tuple[dict[str, Any], dt.datetime | None]:
    """The new values of ``row`` after ``outcome``; until when its host is paused."""
    values = {
        "status": row.status,
        "attempts": row.attempts,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "next_at": row.next_attempt_at,
        "delivered_at": None,
    }
    if outcome.kind == "postponed":  # not an attempt
        values["next_at"] = now + dt.timedelta(seconds=outcome.retry_after or 0)
        return values, None
    attempts = row.attempts + 1
    values |= {"attempts": attempts, "last_status": outcome.status, "last_error": outcome.error}
    if outcome.kind == "delivered":
        values |= {"status": DELIVERED, "delivered_at": now}
    elif outcome.kind == "final" or attempts >= MAX_ATTEMPTS:
        values["status"] = FAILED
    else:
        values["next_at"] = now + dt.timedelta(seconds=retry_delay(attempts, outcome.retry_after))
    if outcome.kind != "retry":
        return values, None
    error = outcome.error or ""
    paused = await breaker.record_failure(
        session, row.host, error, now, unreachable=outcome.unreachable
    )
    if paused is not None:
        values["next_at"] = max(values["next_at"], paused)
    return values, paused


async def record_many(ctx: Context, finished: Sequence[Finished]) -> list[dt.datetime | None]:
    """Write the outcomes of ``finished`` in one transaction, ending their leases.

    For each: until when its host is paused, or None. A row no longer ours (its lease
    was lost, or its activity deleted) is left alone: the new owner records its own
    attempt. Hosts that answered are marked alive once per call.
    """
    now = utcnow()
    paused: list[dt.datetime | None] = [None] * len(finished)
    async with ctx.sessions() as session:
        ids = [row_id for _, row_id, _ in finished]
        found = await session.execute(
            select(
                Delivery.id,
                Delivery.lease_token,
                Delivery.status,
                Delivery.attempts,
                Delivery.last_status,
                Delivery.last_error,
                Delivery.next_attempt_at,
                Delivery.host,
                Delivery.inbox,
            )
            .where(Delivery.id.in_(ids))
            .with_for_update()
        )
        rows = {row.id: row for row in found}
        params: list[dict[str, Any]] = []
        alive: set[str] = set()
        for n, (lease, row_id, outcome) in enumerate(finished):
            row = rows.get(row_id)
            if row is None or row.lease_token != lease.token:
                continue
            values, paused[n] = await _apply(session, row, outcome, now)
            params.append({f"new_{name}": value for name, value in values.items()})
            params[-1] |= {"row_id": row_id, "token": lease.token}
            if outcome.kind != "retry" and outcome.status is not None:
                alive.add(row.host)  # the host answered
            if outcome.status == 410:
                await _remove_gone_followers(session, row.inbox)
        if params:
            await session.execute(_UPDATE, params)
        await breaker.mark_alive_many(session, alive)
        await session.commit()
    return paused


class Recorder:
    """Group commit of outcomes: `record` waits until its outcome is committed.

    Outcomes arriving together are written by `record_many` in one transaction: at
    most `RECORD_BATCH`, gathered for at most `RECORD_DELAY` seconds. On SQLite, whose
    single write lock every transaction queues on, this is most of a fan-out's speed.
    If the write fails, every `record` of the batch raises and its row, still leased,
    is given back or comes back with its lease: sent again, never lost.
    """

    def __init__(
        self, ctx: Context, *, size: int = RECORD_BATCH, delay: float = RECORD_DELAY
    ) -> None:
        self._ctx = ctx
        self._size = size
        self._delay = delay
        self._waiting: list[tuple[Finished, asyncio.Future[dt.datetime | None]]] = []
        self._full = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def record(self, lease: queue.Lease, row_id: int, outcome: Outcome) -> dt.datetime | None:
        """Record ``outcome`` of row ``row_id``; until when its host is paused, or None."""
        future: asyncio.Future[dt.datetime | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(((lease, row_id, outcome), future))
        if len(self._waiting) >= self._size:
            self._full.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self._waiting:
            if len(self._waiting) < self._size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._delay)
            self._full.clear()
            batch, self._waiting = self._waiting[: self._size], self._waiting[self._size :]
            try:
                results = await record_many(self._ctx, [finished for finished, _ in batch])
            except Exception as exc:  # the database may be away: the rows come back
                log.warning("recording %d delivery outcome(s) failed: %r", len(batch), exc)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), paused in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(paused)

    async def aclose(self) -> None:
        """Wait for the outcomes already handed over to be written."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


async def _deliver(
    ctx: Context, lease: queue.Lease, job: Job, pauses: Pauses, recorder: Recorder
) -> None:
    now = utcnow()
    until = pauses.of(job.host, now)
    if until is not None:
        outcome = Outcome("postponed", retry_after=(until - now).total_seconds())
    else:
        outcome = await send(ctx, job)
    paused = await recorder.record(lease, job.delivery_id, outcome)
    if paused is not None:
        pauses.until[job.host] = paused


async def handle(
    ctx: Context,
    lease: queue.Lease,
    pauses: Pauses | None = None,
    recorder: Recorder | None = None,
    *,
    prepared: tuple[list[Job], dict[int, Outcome]] | None = None,
    done: Callable[[Job], None] | None = None,
) -> None:
    """Send every row of ``lease`` concurrently, keeping the lease alive meanwhile.

    ``prepared`` is what `prepare` made of the lease, if the caller already asked;
    ``done`` is called as each job ends, recorded or not.
    """
    pauses = pauses or Pauses()
    own = recorder is None
    recorder = recorder or Recorder(ctx)

    async def deliver(job: Job) -> None:
        try:
            await _deliver(ctx, lease, job, pauses, recorder)
        finally:
            if done is not None:
                done(job)

    async with queue.held(ctx.sessions, lease) as holding:
        jobs, skipped = prepared or await prepare(ctx, lease)
        skips = [recorder.record(lease, row_id, outcome) for row_id, outcome in skipped.items()]
        results = await asyncio.gather(
            *(deliver(job) for job in jobs), *skips, return_exceptions=True
        )
        if own:
            await recorder.aclose()
        failed = any(isinstance(result, BaseException) for result in results)
        if not failed and len(jobs) + len(skipped) == len(lease.ids):
            holding.settled()  # every row's outcome is recorded
    for job, result in zip(jobs, results, strict=False):
        if isinstance(result, BaseException):
            # Released by ``held``: the row is tried again; nothing is lost.
            log.error("delivery %d to %s failed: %r", job.delivery_id, job.inbox, result)


async def run_once(ctx: Context, *, batch: int = BATCH) -> int:
    """Claim up to ``batch`` due deliveries and send them; how many were handled."""
    lease = await claim(ctx, batch)
    if lease.ids:
        await handle(ctx, lease)
    return len(lease.ids)
