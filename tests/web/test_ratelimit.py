"""Token-bucket rate limits: bursts, refill, 429 with Retry-After, bounded memory."""

from __future__ import annotations

import pytest

from web.ratelimit import RateLimiter, inbox_limiter, limit, too_many_requests


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refused_then_refilled() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.hit("peer.example") for _ in range(3)] == [None, None, None]
    assert limiter.hit("peer.example") == pytest.approx(0.5)
    clock.now += 0.25
    assert limiter.hit("peer.example") == pytest.approx(0.25)
    clock.now += 0.25
    assert limiter.hit("peer.example") is None
    assert limiter.hit("peer.example") == pytest.approx(0.5)


def test_keys_are_independent() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Clock())
    assert limiter.hit("a.example") is None
    assert limiter.hit("a.example") is not None
    assert limiter.hit("b.example") is None


def test_refill_never_exceeds_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=2, clock=clock)
    limiter.hit("k")
    clock.now += 3600
    assert [limiter.hit("k") for _ in range(3)][2] is not None


def test_refused_requests_do_not_earn_more_waiting() -> None:
    # Hammering while limited does not push the next token further away.
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=1, clock=clock)
    limiter.hit("k")
    for _ in range(100):
        limiter.hit("k")
    clock.now += 1.0
    assert limiter.hit("k") is None


def test_state_is_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.001, burst=5, max_keys=100, clock=clock)
    for n in range(10_000):
        limiter.hit(f"host{n}.example")
    assert len(limiter) == 100
    # The most recent keys are remembered, still limited as they should be.
    for _ in range(4):
        limiter.hit("host9999.example")
    assert limiter.hit("host9999.example") is not None


def test_refilled_buckets_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=2, clock=clock)
    for n in range(50):
        limiter.hit(f"h{n}")
    clock.now += 10  # every bucket is full again
    limiter.hit("new")
    assert len(limiter) == 1


def test_429_with_retry_after_in_whole_seconds() -> None:
    response = too_many_requests(0.2)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert too_many_requests(6.01).headers["Retry-After"] == "7"


def test_limit_helper() -> None:
    limiter = RateLimiter(rate=0.5, burst=1, clock=Clock())
    assert limit(limiter, "peer.example") is None
    refused = limit(limiter, "peer.example")
    assert refused is not None
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "2")


def test_inbox_preset() -> None:
    inbox = inbox_limiter(Clock())
    assert all(inbox.hit("peer") is None for _ in range(300))
    assert inbox.hit("peer") is not None


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0), (-1, 5)])
def test_nonsense_limits_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(rate=rate, burst=burst)
