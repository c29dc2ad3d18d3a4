"""Waking queue workers when rows arrive: PostgreSQL ``LISTEN/NOTIFY``, polling as the fallback.

Migration 0008 gives each queue table (``inbox_items``, ``fanouts``, ``deliveries``) a
statement trigger that calls ``pg_notify('mutuals_queue', <table name>)`` after an
INSERT; PostgreSQL sends it when the transaction commits, to every listening process.
Each worker process keeps one asyncpg connection listening (`listening`) and sets the
`Wakeups` event of the table named.

A loop still polls, because some rows become due without an insert: retries whose time
has come, leases of a killed worker running out, ``mutuals queue retry``. While the
listening connection is up it polls every `LISTENING_POLL` seconds; while it is down, and
always on SQLite (no notifications), every `POLL` seconds as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("mutuals.wakeups")

CHANNEL = "mutuals_queue"
"""The notification channel; each notification's payload is the queue table's name."""
POLL = 0.5
"""Seconds an idle loop waits between polls when no notifications come."""
LISTENING_POLL = 5.0
"""Seconds an idle loop waits between polls while notifications are listened for."""
CHECK_EVERY = 10.0
"""Seconds between two checks that the listening connection still answers."""
RECONNECT_AFTER = 2.0
"""Seconds to wait before connecting again after the listening connection failed."""
APPLICATION_NAME = "mutuals-wakeups"
"""How the listening connection shows in ``pg_stat_activity``."""


class Wakeups:
    """One event per queue table, set when rows were inserted into it."""

    def __init__(self, poll: float = POLL, listening_poll: float = LISTENING_POLL) -> None:
        self.poll = poll
        """Seconds between polls while not listening."""
        self.listening_poll = listening_poll
        """Seconds between polls while listening."""
        self._events: dict[str, asyncio.Event] = {}
        self.listening = False
        """True while a connection listens: idle loops may then wait longer between polls."""

    def event(self, table: str) -> asyncio.Event:
        """The event set when rows arrive in ``table``; clear it before looking for rows."""
        return self._events.setdefault(table, asyncio.Event())

    def wake(self, table: str | None = None) -> None:
        """Wake the loop of ``table``, or every loop (rows may have come unannounced)."""
        for name in [table] if table else list(self._events):
            self.event(name).set()

    @property
    def idle(self) -> float:
        """Seconds an idle loop waits for its event before polling anyway."""
        return self.listening_poll if self.listening else self.poll


async def idle_wait(*events: asyncio.Event, seconds: float) -> None:
    """Wait until one of ``events`` is set, or ``seconds`` pass."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def asyncpg_dsn(engine: AsyncEngine) -> str:
    """The engine's URL as a DSN asyncpg connects with (password and query kept)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _listen_once(dsn: str, wakeups: Wakeups) -> None:
    """Listen on one connection until it fails; wake every loop once it listens."""
    conn = await asyncpg.connect(
        dsn, timeout=CHECK_EVERY, server_settings={"application_name": APPLICATION_NAME}
    )
    lost = asyncio.Event()
    try:
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANNEL, lambda _c, _pid, _channel, table: wakeups.wake(table))
        wakeups.listening = True
        # Rows inserted while nobody listened were announced to no one.
        wakeups.wake()
        while not lost.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), CHECK_EVERY)
            if not lost.is_set():
                # A half-open connection tells nothing: ask, so a dead one raises.
                await conn.fetchval("SELECT 1", timeout=CHECK_EVERY)
    finally:
        wakeups.listening = False
        conn.terminate()


async def _listen(dsn: str, wakeups: Wakeups) -> None:
    """Keep a listening connection, connecting again whenever it fails."""
    while True:
        try:
            await _listen_once(dsn, wakeups)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("not listening for queue notifications (%s); polling meanwhile", error)
        await asyncio.sleep(RECONNECT_AFTER)


@asynccontextmanager
async def listening(engine: AsyncEngine, wakeups: Wakeups) -> AsyncIterator[None]:
    """Set ``wakeups``' events from PostgreSQL notifications while the block runs.

    On SQLite it does nothing: loops poll every `POLL` seconds.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    task = asyncio.create_task(_listen(asyncpg_dsn(engine), wakeups))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
