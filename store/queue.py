"""Queue tables and their leases: claim in batches, keep the lease alive, release on exit.

A queue row (`QueueRow`) is ``pending`` until a worker finishes it. `claim` leases due
rows to one random token (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of
workers share a queue; SQLite has no row locks, one worker runs there and its single
writer lock serialises claims). While a worker holds rows, `held` extends their lease
every third of it, so a slow handler never lets a second worker take them; and every
write that finishes a row names the token (`owned`), so a worker that lost its lease
anyway (paused, cut off from the database) cannot overwrite the new owner's work. A
crashed worker's rows come back when the lease runs out; a stopped one's at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from store.db import UTCDateTime, utcnow

log = logging.getLogger("mutuals.queue")

PENDING = "pending"
FAILED = "failed"
DEFAULT_LEASE = dt.timedelta(minutes=5)


class QueueRow:
    """Columns every queue table shares (mixed into its model)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)


@dataclass(frozen=True)
class Lease:
    """Rows of ``model`` leased to ``token`` for ``duration`` at a time."""

    model: type[QueueRow]
    token: str
    ids: list[int]
    duration: dt.timedelta

    def owns(self, row_id: int) -> ColumnElement[bool]:
        """A WHERE clause: the row is ``row_id`` and still leased to us."""
        return owned(self.model, row_id, self.token)


def owned(model: type[QueueRow], row_id: int, token: str) -> ColumnElement[bool]:
    """A WHERE clause: row ``row_id`` of ``model`` is leased to ``token``."""
    clause: ColumnElement[bool] = (model.id == row_id) & (model.lease_token == token)
    return clause


NOW = bindparam("claim_now", type_=UTCDateTime())
"""The time of a claim, bound at each one: a `Claim`'s extra conditions compare with it."""


def _free(model: type[QueueRow]) -> ColumnElement[bool]:
    return or_(model.locked_until.is_(None), model.locked_until <= NOW)


class Claim:
    """The two statements that lease due rows of ``model``, built once.

    A claim runs several times a second under load; building its statements each time
    (the delivery queue's is a window and three self-joins) cost more than running
    them, while SQLAlchemy reuses the compiled form of a statement it has seen. Extra
    ``where`` conditions compare with `NOW` and may use bind parameters of their own,
    given to `run`.
    """

    def __init__(self, model: type[QueueRow], where: Sequence[ColumnElement[bool]] = ()) -> None:
        self.model = model
        conditions = (model.status == PENDING, model.next_attempt_at <= NOW, _free(model))
        self._due = (
            select(model.id)
            .where(*conditions, *where)
            .order_by(model.next_attempt_at, model.id)
            .limit(bindparam("claim_batch", type_=Integer()))
            .with_for_update(skip_locked=True)
        )
        # Checked again in the UPDATE: PostgreSQL re-reads a row changed meanwhile, and
        # on SQLite another process may have claimed it since the SELECT.
        self._take = (
            update(model)
            .where(model.id.in_(bindparam("claim_ids", expanding=True)), *conditions)
            .values(
                locked_until=bindparam("claim_until", type_=UTCDateTime()),
                lease_token=bindparam("claim_token", type_=String()),
            )
            .returning(model.id)
        )

    async def run(
        self,
        sessions: async_sessionmaker[AsyncSession],
        batch: int,
        duration: dt.timedelta,
        **params: Any,
    ) -> Lease:
        """Lease up to ``batch`` due pending rows (oldest due first) to a fresh token."""
        now = utcnow()
        token = secrets.token_hex(16)
        async with sessions() as session:
            found = await session.execute(
                self._due, {"claim_now": now, "claim_batch": batch, **params}
            )
            ids = list(found.scalars())
            if not ids:
                return Lease(self.model, token, [], duration)
            claimed = await session.execute(
                self._take,
                {"claim_now": now, "claim_ids": ids, "claim_until": now + duration,
                 "claim_token": token, **params},
            )  # fmt: skip
            mine = sorted(claimed.scalars())
            await session.commit()
        return Lease(self.model, token, mine, duration)


_PLAIN: dict[type[QueueRow], Claim] = {}
"""The `Claim` of each queue table with no extra condition, built at its first claim."""


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    model: type[QueueRow],
    batch: int,
    duration: dt.timedelta,
) -> Lease:
    """Lease up to ``batch`` due pending rows of ``model`` (oldest due first) to a fresh token."""
    if model not in _PLAIN:
        _PLAIN[model] = Claim(model)
    return await _PLAIN[model].run(sessions, batch, duration)


async def _update_held(
    sessions: async_sessionmaker[AsyncSession], lease: Lease, **values: Any
) -> None:
    model = lease.model
    async with sessions() as session:
        await session.execute(
            update(model)
            .where(model.lease_token == lease.token, model.id.in_(lease.ids))
            .values(**values)
        )
        await session.commit()


async def extend(sessions: async_sessionmaker[AsyncSession], lease: Lease) -> None:
    """Push the lease of every row still held by ``lease`` one ``duration`` ahead."""
    await _update_held(sessions, lease, locked_until=utcnow() + lease.duration)


async def release(sessions: async_sessionmaker[AsyncSession], lease: Lease) -> None:
    """Give back every row ``lease`` still holds: claimable again at once."""
    await _update_held(sessions, lease, locked_until=None, lease_token=None)


async def _heartbeat(sessions: async_sessionmaker[AsyncSession], lease: Lease) -> None:
    interval = lease.duration.total_seconds() / 3
    while True:
        await asyncio.sleep(interval)
        try:
            await extend(sessions, lease)
        except Exception:  # the database may be away for a moment; try again next beat
            log.warning("could not extend a lease", exc_info=True)


class Holding:
    """What `held` yields: say `settled` once every row of the lease is finished."""

    def __init__(self) -> None:
        self._settled = False

    def settled(self) -> None:
        """Every row is finished (or no longer ours): nothing to give back on exit."""
        self._settled = True

    @property
    def is_settled(self) -> bool:
        """True once `settled` was said."""
        return self._settled


@contextlib.asynccontextmanager
async def held(sessions: async_sessionmaker[AsyncSession], lease: Lease) -> AsyncIterator[Holding]:
    """Keep ``lease`` alive while the block runs; on any exit give back what is unfinished.

    Finishing a row clears its token, so only unfinished rows are given back: after a
    stop, a cancellation or an error they are claimable at once, not after the lease.
    A block that finished every row says so (`Holding.settled`) and saves that write.
    """
    holding = Holding()
    if not lease.ids:
        yield holding
        return
    beat = asyncio.create_task(_heartbeat(sessions, lease))
    try:
        yield holding
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        if not holding.is_settled:
            await _give_back(sessions, lease)


async def _give_back(sessions: async_sessionmaker[AsyncSession], lease: Lease) -> None:
    try:
        await asyncio.shield(release(sessions, lease))
    except Exception:  # unreachable database: the lease runs out instead
        log.warning("could not release %d leased row(s)", len(lease.ids), exc_info=True)


def finished(status: str) -> dict[str, Any]:
    """Values that end a row's lease with ``status``."""
    return {"status": status, "locked_until": None, "lease_token": None}


def insert_ignoring_conflicts(session: AsyncSession, model: type[Any]) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's database (SQLite or PostgreSQL)."""
    return insert_ignoring_conflicts_on(session.get_bind().dialect.name, model)


def insert_ignoring_conflicts_on(dialect: str, model: type[Any]) -> Any:
    """`insert_ignoring_conflicts` for a database named by its dialect (``sqlite``, …)."""
    return upsert_on(dialect, model).on_conflict_do_nothing()


def upsert_on(dialect: str, model: type[Any]) -> Any:
    """The ``INSERT`` of ``model`` that takes an ``ON CONFLICT`` clause, for a dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model)


async def counts(session: AsyncSession, model: type[QueueRow]) -> dict[str, int]:
    """Rows waiting (``pending``), ``in_flight``, ``retrying``, and in each end state."""
    now = utcnow()
    leased = (model.status == PENDING) & (model.locked_until > now)
    state = case(
        (leased, "in_flight"),
        ((model.status == PENDING) & (model.attempts > 0), "retrying"),
        else_=model.status,
    )
    rows = await session.execute(select(state, func.count()).group_by(state))
    found = {str(name): int(number) for name, number in rows.all()}
    return {"pending": 0, "in_flight": 0, "retrying": 0, FAILED: 0} | found


async def retry_failed(session: AsyncSession, model: type[QueueRow]) -> int:
    """Put every failed row back in the queue, due now, with a fresh attempt count."""
    result = await session.execute(
        update(model)
        .where(model.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), locked_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def wind_down(tasks: Iterable[asyncio.Task[Any]], grace: float) -> None:
    """Let ``tasks`` finish for ``grace`` seconds, then cancel the rest and wait for them.

    Cancelled work gives its rows back through `held`, so a restart resumes it at once.
    """
    pending = {task for task in tasks if not task.done()}
    if pending:
        _, pending = await asyncio.wait(pending, timeout=grace)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
