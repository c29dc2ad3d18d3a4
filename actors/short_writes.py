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
- PostgreSQL (and in-memory SQLite): on the async engine with ``run_sync``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from actors.db import SQLITE_TIMEOUT, sqlite_pragmas

T = TypeVar("T")


class ShortWrites:
    """Runs ``work(connection, *args)`` in a transaction of ``engine``'s database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sync: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._conn: Connection | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._sync = create_engine(
                url.set(drivername="sqlite"),
                connect_args={"timeout": SQLITE_TIMEOUT},
                pool_size=1,
                max_overflow=0,
            )
            sqlite_pragmas(self._sync)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="mutuals-short-writes")

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """The result of ``work(connection, *args)``, committed (rolled back if it raises)."""
        if self._thread is None:
            async with self._engine.begin() as conn:
                return await conn.run_sync(work, *args)
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._in_thread, work, args
        )

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
        """Wait for the running transaction, then close the thread and its connection."""
        if self._thread is not None and self._sync is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._close_in_thread)
            self._thread.shutdown()
            self._sync.dispose()
