"""In-process token buckets: per remote host (and client address) on the inboxes.

Each key (a host, an IP) has a bucket of ``burst`` tokens refilled at ``rate`` per
second; a request takes one token, and when none is left the caller answers 429 with
``Retry-After``. State stays bounded: buckets that have refilled completely carry no
information and are dropped, and beyond ``max_keys`` the least recently used go first.

One process, one memory: with several web processes each enforces its own limit,
which still caps a flood at (processes × limit).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.responses import PlainTextResponse, Response


class RateLimiter:
    """Token buckets keyed by a string; ``clock`` is injectable for tests."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate, burst and max_keys must be positive")
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._clock = clock
        # key -> (tokens left, time of that count); most recently used last.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def hit(self, key: str) -> float | None:
        """Take a token for ``key``: None when allowed, else seconds until one is available."""
        now = self._clock()
        tokens = self._tokens(key, now)
        self._buckets.pop(key, None)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            self._evict(now)
            return None
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + max(0.0, now - at) * self.rate)

    def _evict(self, now: float) -> None:
        # Oldest first: drop buckets that have refilled (as good as absent), then,
        # if still too many, the least recently used whatever their state.
        while self._buckets:
            key, (tokens, at) = next(iter(self._buckets.items()))
            full = tokens + (now - at) * self.rate >= self.burst
            if not full and len(self._buckets) <= self._max_keys:
                break
            del self._buckets[key]


def too_many_requests(retry_after: float) -> Response:
    """The 429 answer, with ``Retry-After`` in whole seconds (at least 1)."""
    seconds = max(1, math.ceil(retry_after))
    return PlainTextResponse(
        "too many requests; slow down", status_code=429, headers={"Retry-After": str(seconds)}
    )


def limit(limiter: RateLimiter, key: str) -> Response | None:
    """The 429 response when ``key`` is over its limit, else None (and a token is taken)."""
    wait = limiter.hit(key)
    return None if wait is None else too_many_requests(wait)


def inbox_limiter(
    clock: Callable[[], float] = time.monotonic, *, rate: float = 10.0, burst: int = 300
) -> RateLimiter:
    """Per remote host: by default bursts of 300 activities, then 10 a second sustained.

    Generous on purpose: a busy Mastodon server delivering to several groups sends
    many activities at once, and a 429 makes it retry later rather than lose them.
    (``MUTUALS_INBOX_RATE`` and ``MUTUALS_INBOX_BURST`` change it.)
    """
    return RateLimiter(rate=rate, burst=burst, clock=clock)
