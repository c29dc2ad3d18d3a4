"""Doing something at most once every few seconds in this process."""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    """Says when `every` seconds have passed since the last run (or there was none);
    the clock is injectable, as for heartbeats."""

    def __init__(self, every: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self._last: float | None = None

    def due(self) -> bool:
        """Whether a run should happen now."""
        return self._last is None or self.clock() - self._last >= self.every

    def ran(self) -> None:
        """Note a run, now."""
        self._last = self.clock()
