"""Pruning finished queue rows: in small batches, at most every few minutes per process.

Finished rows (an applied inbox item, a delivered delivery, an expanded fan-out job)
are never read again, but each keeps its payload; left alone the queue tables grow
forever. The packages that own them say which rows are finished and old enough (the
conditions given to `prune`); this module deletes them `BATCH` at a time, one short
transaction per batch, so pruning never holds many locks for long. Failed and pending
rows are never pruned: a person retries or dismisses failed ones.

`Retention` is one process's schedule: how many days finished rows are kept, and
when the last pruning pass ran (an injectable monotonic clock, as for heartbeats).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.db import utcnow
from store.queue import QueueRow

BATCH = 1000
"""Rows deleted per transaction."""
MAX_BATCHES = 20
"""Batches of one table in one pass; a pass that hits it runs again at once."""
PRUNE_EVERY = 300.0
"""Seconds between two pruning passes in one process."""
DEFAULT_DAYS = 7.0


class Retention:
    """How long finished queue rows are kept, and when this process last pruned."""

    def __init__(
        self,
        days: float = DEFAULT_DAYS,
        every: float = PRUNE_EVERY,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.days = days
        """Days a finished row is kept; 0 keeps everything (pruning off)."""
        self.every = every
        self.clock = clock
        self.now = now
        self._last: float | None = None
        self._behind = False

    @property
    def enabled(self) -> bool:
        return self.days > 0

    def due(self) -> bool:
        """Whether a pass should run now: never ran, `every` has passed, or the last fell behind."""
        if not self.enabled:
            return False
        return self._last is None or self._behind or self.clock() - self._last >= self.every

    def cutoff(self) -> dt.datetime:
        """Rows finished before this are old enough to go."""
        return self.now() - dt.timedelta(days=self.days)

    def ran(self, *, behind: bool) -> None:
        """Note a pass; ``behind`` when it stopped at `MAX_BATCHES` with rows left."""
        self._last = self.clock()
        self._behind = behind


async def prune(
    sessions: async_sessionmaker[AsyncSession],
    model: type[QueueRow],
    where: ColumnElement[bool],
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Delete rows of ``model`` matching ``where``, ``batch`` per transaction; how many.

    Each batch locks the rows it takes with ``SKIP LOCKED`` on PostgreSQL, so workers of
    several processes pruning at once split the rows instead of waiting on (or
    deadlocking with) each other. Stops after ``max_batches`` batches.
    """
    total = 0
    for _ in range(max_batches):
        async with sessions() as session:
            chosen = (
                select(model.id)
                .where(where)
                .order_by(model.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            ids = list((await session.execute(chosen)).scalars())
            if ids:
                await session.execute(
                    # ``where`` again: on SQLite the rows are not locked between the two.
                    delete(model)
                    .where(model.id.in_(ids), where)
                    .execution_options(synchronize_session=False)
                )
            await session.commit()
        total += len(ids)
        if len(ids) < batch:
            break
    return total
