"""Short write transactions with the fewest trips through the event loop.

The inbox answers 202 only once its row is committed, so the latency of that one
transaction is the inbox's latency. Through the async engine each statement, the
BEGIN and the COMMIT is a separate await; on SQLite each is also a hop to aiosqlite's
thread and back, and under load every hop waits behind all the requests the event
loop is serving. `ShortWrites` runs a whole transaction, written as plain synchronous
SQLAlchemy code, in one step:

- SQLite (a file): on a dedicated thread with its own synchronous connection to the
  same file (same pragmas), so the transaction is one hop however many statements
  it has;
- PostgreSQL (and in-memory SQLite): on one connection of the async engine kept for
  the purpose, with ``run_sync`` (BEGIN, the statements and COMMIT, without the
  pool's checkout and pre-ping each time).

What is written here is acknowledged to someone (the inbox's 202), so on SQLite the
thread's connection syncs the log at every commit (``synchronous=FULL``; the other
connections use NORMAL, which survives a crash of the process but not of the
machine). PostgreSQL syncs every commit by default.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.db import SQLITE_TIMEOUT, sqlite_pragmas

T = TypeVar("T")


class ShortWrites:
    """Runs ``work(connection, *args)`` in a transaction of ``engine``'s database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sync: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._conn: Connection | None = None
        self._held: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._sync = create_engine(
                url.set(drivername="sqlite"),
                connect_args={"timeout": SQLITE_TIMEOUT},
                pool_size=1,
                max_overflow=0,
            )
            sqlite_pragmas(self._sync)
            event.listen(self._sync, "connect", _synchronous_full)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="mutuals-short-writes")

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """The result of ``work(connection, *args)``, committed (rolled back if it raises).

        ``work`` must be safe to run twice: when the connection turns out to be lost,
        it is run once more on a new one (the commit of the first try may or may not
        have happened).
        """
        if self._thread is None:
            async with self._lock:
                try:
                    return await self._on_held(work, args)
                except DBAPIError as exc:
                    if not exc.connection_invalidated:
                        raise
                return await self._on_held(work, args)  # the server restarted, say
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._in_thread, work, args
        )

    async def _on_held(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        # One connection is kept between transactions: no pool checkout (with its
        # pre-ping round trip) per transaction; after an error it takes a new one.
        if self._held is None:
            self._held = await self._engine.connect()
        conn = self._held
        try:
            async with conn.begin():
                return await conn.run_sync(work, *args)
        except BaseException:
            self._held = None
            with contextlib.suppress(Exception):
                await conn.close()
            raise

    def _in_thread(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        # The thread keeps its connection between transactions (a pool checkout and
        # check-in cost more than a small transaction); after an error it takes a new one.
        assert self._sync is not None
        if self._conn is None:
            self._conn = self._sync.connect()
        try:
            with self._conn.begin():
                return work(self._conn, *args)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    def _close_in_thread(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        """Wait for the running transaction, then close the connection (and the thread)."""
        async with self._lock:
            if self._held is not None:
                held, self._held = self._held, None
                await held.close()
        if self._thread is not None and self._sync is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._close_in_thread)
            self._thread.shutdown()
            self._sync.dispose()


def _synchronous_full(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA synchronous=FULL")
