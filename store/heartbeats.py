"""Worker heartbeats: each worker loop notes when it last got through a step.

One row per loop (``inbox``, ``fanout``, ``delivery``, ``sharing``), whichever worker
process ran it last, so the table never grows. A loop writes at most every
`BEAT_EVERY` (`Heartbeats` remembers when it last tried, per process), and a failed
write is logged, never raised: a heartbeat must not stop the work it reports on.
``/readyz`` reads the rows (`last_seen`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow
from store.queue import upsert_on

log = logging.getLogger("mutuals.heartbeats")

BEAT_EVERY = 15.0
"""Seconds between two heartbeat writes of one loop in one process."""


class WorkerHeartbeat(Base):
    """When a worker loop last finished a step, and which process ran it."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    worker: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def this_process() -> str:
    """``host:pid`` of the running process, as heartbeats name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeats:
    """One process's heartbeat writer: throttled per loop, never raising."""

    def __init__(
        self, every: float = BEAT_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self.clock = clock
        self.worker = this_process()
        self._tried: dict[str, float] = {}

    def due(self, name: str) -> bool:
        """Whether loop ``name`` has not tried to write for `every` seconds (or ever)."""
        last = self._tried.get(name)
        return last is None or self.clock() - last >= self.every

    async def beat(self, sessions: async_sessionmaker[AsyncSession], name: str) -> None:
        """Record that loop ``name`` is alive, unless it did so less than `every` ago."""
        if not self.due(name):
            return
        # Counted from the attempt, so an unwritable database costs one try per period.
        self._tried[name] = self.clock()
        try:
            async with sessions() as session:
                await record(session, name, self.worker)
                await session.commit()
        except Exception:
            log.warning("could not record the %s worker's heartbeat", name, exc_info=True)


async def record(
    session: AsyncSession, name: str, worker: str, at: dt.datetime | None = None
) -> None:
    """Upsert loop ``name``'s heartbeat: seen ``at`` (now) by ``worker``."""
    values = {"name": name, "worker": worker, "seen_at": at or utcnow()}
    statement = upsert_on(session.get_bind().dialect.name, WorkerHeartbeat).values(values)
    update = {"worker": statement.excluded.worker, "seen_at": statement.excluded.seen_at}
    await session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=update))


async def last_seen(session: AsyncSession) -> dict[str, dt.datetime]:
    """When each loop was last seen, by loop name."""
    rows = await session.execute(select(WorkerHeartbeat.name, WorkerHeartbeat.seen_at))
    return {name: seen_at for name, seen_at in rows.all()}
