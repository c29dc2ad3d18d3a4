"""The inbox's group commit: verified rows of concurrent requests written in one transaction.

A request queues its row and awaits the commit of the transaction holding it, so a
202 still follows a durable write. One transaction is written at a time (per database
and process); rows queued meanwhile make the next one, so nothing waits on a timer and
batches grow with the load. Concurrent write transactions would gain nothing anyway:
SQLite has one writer, and its other would-be writers sleep in its busy handler (1 to
100 ms at a time) until the lock is free.

Each transaction is one step of `store.short_writes.ShortWrites` (on SQLite, one hop
to a dedicated thread), as every extra trip through a busy event loop adds to every
request's latency. The senders' hosts are then marked alive (``outbox.breaker``) off the
answer's path, one check for all the hosts of the batches written meanwhile (and each
host at most every `REVIVE_EVERY` seconds).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inbox.answer import ACCEPTED, ALREADY_SEEN, UNAVAILABLE, Answer
from inbox.models import InboxItem
from outbox.breaker import alive_statement, with_failures
from outbox.models import DeliveryHost
from store.db import utcnow
from store.queue import PENDING, insert_ignoring_conflicts_on
from store.short_writes import ShortWrites

log = logging.getLogger("mutuals.inbox")

REVIVE_EVERY = 30.0
"""Seconds between two looks at the failures of one sending host: a busy peer sends many
activities a second, and one look per host per half minute is enough to resume
deliveries to it (and keeps the writer from querying after every batch)."""
MAX_CHECKED = 100_000


@dataclass(frozen=True)
class Row:
    """A verified activity to store, and the host that sent it."""

    activity_id: str
    actor: str
    group_id: int | None
    payload: dict[str, Any]
    host: str


class InboxWriter:
    """Writes the rows of concurrent requests in one transaction (see the module)."""

    clock: ClassVar[Callable[[], float]] = time.monotonic
    _writers: ClassVar[WeakKeyDictionary[object, InboxWriter]] = WeakKeyDictionary()
    _last: ClassVar[InboxWriter | None] = None

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        engine = sessions.kw["bind"]
        assert isinstance(engine, AsyncEngine)
        self._writes = ShortWrites(engine)
        self._loop = asyncio.get_running_loop()
        self._queued: list[_Waiting] = []
        self._lock = asyncio.Lock()
        self._hosts: set[str] = set()
        self._checked: dict[str, float] = {}  # host → when we last looked at its failures
        self._reviving = False
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def of(cls, sessions: async_sessionmaker[AsyncSession]) -> InboxWriter:
        """The writer of the database behind ``sessions`` in the running event loop."""
        loop = asyncio.get_running_loop()
        writer = cls._last  # nearly always the one
        if writer is None or writer._sessions is not sessions or writer._loop is not loop:
            writer = cls._writers.get(sessions)
            if writer is None or writer._loop is not loop:
                writer = cls._writers[sessions] = cls(sessions)
            cls._last = writer
        return writer

    @classmethod
    async def close(cls, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Finish what is queued for ``sessions``' database, then let its writer go."""
        writer = cls._writers.pop(sessions, None)
        if cls._last is writer:
            cls._last = None
        if writer is not None:
            await writer.drain()
            await writer._writes.close()

    async def store(self, row: Row) -> Answer:
        """Once committed: ACCEPTED, ALREADY_SEEN (the id was stored before), or UNAVAILABLE."""
        future: asyncio.Future[Answer] = self._loop.create_future()
        self._queued.append(_Waiting(row, future))
        if len(self._queued) == 1:  # the first of a new batch starts its writing
            self._spawn(self._write_next())
        return await future

    async def drain(self) -> None:
        """Wait until everything queued is written and its hosts marked alive."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_next(self) -> None:
        async with self._lock:  # the batch before this one is being written
            batch, self._queued = self._queued, []
            try:
                await self._write_apart(batch)
            except asyncio.CancelledError:  # shutting down: the requests get cancelled too
                for waiting in batch:
                    waiting.future.cancel()
                raise
            except Exception as exc:  # a bug: each request fails with it (a 500)
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(exc)
                return
        now = InboxWriter.clock()
        for waiting in batch:
            host = waiting.row.host
            if self._checked.get(host, -REVIVE_EVERY) <= now - REVIVE_EVERY:
                self._checked[host] = now
                self._hosts.add(host)
        if len(self._checked) > MAX_CHECKED:
            self._checked.clear()
        if self._hosts and not self._reviving:
            self._reviving = True
            self._spawn(self._revive())

    async def _write_apart(self, batch: list[_Waiting]) -> None:
        try:
            await self._write(batch)
        except IntegrityError:
            if len(batch) == 1:
                log.exception("inbox could not store an activity")
                _settle(batch, UNAVAILABLE)
                return
            # One bad row (its group deleted meanwhile) must not refuse the others.
            for waiting in batch:
                await self._write_apart([waiting])
        except (SQLAlchemyError, OSError):
            log.exception("inbox could not reach the database")
            _settle(batch, UNAVAILABLE)

    async def _write(self, batch: list[_Waiting]) -> None:
        first: dict[str, Row] = {}
        for waiting in batch:
            first.setdefault(waiting.row.activity_id, waiting.row)
        values = [
            {
                "activity_ap_id": row.activity_id,
                "actor_ap_id": row.actor,
                "group_id": row.group_id,
                "payload": row.payload,
            }
            for row in first.values()
        ]
        stored = await self._writes.run(_insert, values)
        for waiting in batch:
            row = waiting.row
            fresh = first[row.activity_id] is row and row.activity_id in stored
            _settle([waiting], ACCEPTED if fresh else ALREADY_SEEN)

    async def _revive(self) -> None:
        # A host that speaks to us is up: deliveries to it resume (``outbox.breaker``).
        try:
            while self._hosts:
                hosts, self._hosts = self._hosts, set()
                try:
                    await self._writes.run(_mark_alive, hosts)
                except (SQLAlchemyError, OSError):
                    log.warning("could not mark %d host(s) alive", len(hosts), exc_info=True)
        finally:
            self._reviving = False


@dataclass(frozen=True)
class _Waiting:
    row: Row
    future: asyncio.Future[Answer]


def _settle(batch: list[_Waiting], answer: Answer) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_result(answer)


def _insert(conn: Connection, values: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose ids are new; the ids inserted."""
    if conn.dialect.name == "sqlite":
        return _insert_on_sqlite(conn, values)
    return set(conn.execute(_insert_statement(conn.dialect.name), values).scalars())


def _insert_on_sqlite(conn: Connection, values: list[dict[str, Any]]) -> set[str]:
    # SQLite runs in this process, so a statement per row costs no round trip, and
    # SQLAlchemy's execution of a batch cost more than the inserts themselves (about
    # half the writer's CPU, measured): the rows go straight to the driver's cursor,
    # with the SQL and the column types' conversions SQLAlchemy compiled once.
    sql, names, convert = _compiled_for(conn.dialect)
    now = utcnow()
    defaults = {"status": PENDING, "attempts": 0, "next_attempt_at": now, "received_at": now}
    fixed = {name: convert[name](value) for name, value in defaults.items()}  # once a batch
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    inserted: set[str] = set()
    try:
        for row in values:
            params = [fixed[name] if name in fixed else convert[name](row[name]) for name in names]
            if (found := cursor.execute(sql, params).fetchone()) is not None:
                inserted.add(found[0])
    except sqlite3.Error as exc:  # as SQLAlchemy would raise it (IntegrityError, …)
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc
    finally:
        cursor.close()
    return inserted


_DEFAULTS = ("status", "attempts", "next_attempt_at", "received_at")


@functools.cache
def _compiled_for(dialect: Dialect) -> tuple[str, list[str], dict[str, Callable[[Any], Any]]]:
    table: Table = InboxItem.__table__  # type: ignore[assignment]
    names = ["activity_ap_id", "actor_ap_id", "group_id", "payload", *_DEFAULTS]
    statement = (
        sqlite.insert(table)
        .values({name: bindparam(name) for name in names})
        .on_conflict_do_nothing()
        .returning(table.c.activity_ap_id)
    )
    compiled = statement.compile(dialect=dialect)
    order = list(compiled.positiontup or ())
    convert: dict[str, Callable[[Any], Any]] = {
        name: table.c[name].type.bind_processor(dialect) or _unchanged for name in names
    }
    return compiled.string, order, convert


def _unchanged(value: Any) -> Any:
    return value


@functools.cache
def _insert_statement(dialect: str) -> Any:
    # Built once: SQLAlchemy then finds its compiled form without a new cache key.
    statement = insert_ignoring_conflicts_on(dialect, InboxItem)
    return statement.returning(InboxItem.activity_ap_id)


def _mark_alive(conn: Connection, hosts: set[str]) -> None:
    """`outbox.breaker.mark_alive` for those of ``hosts`` that have failures to forget.

    A read first, so the usual case (no failures) takes no write lock.
    """
    failing = conn.execute(select(DeliveryHost.host).where(with_failures(hosts))).scalars()
    if names := list(failing):
        conn.execute(alive_statement(names))
