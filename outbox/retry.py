"""The delivery retry policy, pure: what an answer means and how long to wait before trying again.

As Mastodon: 2xx delivered; 5xx, 401, 408, 429, timeouts and connection failures
(refused, reset, DNS) retried after ``attempts⁴ + 15 s`` plus jitter, or after
``Retry-After`` when that is longer, for `MAX_ATTEMPTS` attempts in all (about two
and a half days); any other status is final.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

MAX_ATTEMPTS = 16
MAX_RETRY_AFTER = 24 * 3600.0
RETRYABLE = frozenset({401, 408, 429})


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: ``delivered``, ``retry``, ``final`` or ``postponed``.

    ``postponed`` is not an attempt: the host was paused before the request was sent.
    ``unreachable`` marks a retry for a timeout or a failed connection (refused, DNS):
    the host's circuit breaker opens at once (``outbox.breaker.record_failure``).
    """

    kind: str
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    unreachable: bool = False


def classify(status: int) -> str:
    """``delivered``, ``retry`` or ``final`` for an HTTP status answered by an inbox."""
    if 200 <= status < 300:
        return "delivered"
    if status >= 500 or status in RETRYABLE:
        return "retry"
    return "final"


def retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failure: ``attempts⁴ + 15`` plus jitter.

    16 attempts spread over about two days and a half, as Mastodon retries. A longer
    ``Retry-After`` (capped at a day) wins.
    """
    jitter = random.random() * 10 * (attempts + 1)  # noqa: S311 (jitter, not a secret)
    delay = attempts**4 + 15 + jitter
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 0.0)
