"""What the inbox answers a POST: a status, a one-line reason, and extra headers."""

from __future__ import annotations

from dataclasses import dataclass, field

RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    """What the inbox answers a POST: a status, a one-line reason, and extra headers."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)


ACCEPTED = Answer(202, "accepted")
ALREADY_SEEN = Answer(202, "already received")
UNAVAILABLE = Answer(
    503, "the database is unavailable; try again later", {"Retry-After": str(RETRY_AFTER_SECONDS)}
)
