"""The work queues at a glance, and putting failures back: ``mutuals queue`` and the
instance admin's queue page both use these.

Three queues (inbox, fan-out, delivery) with their rows by state, and the remote hosts
deliveries are holding back from: paused by their breaker, or unavailable for days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inbox.models import InboxItem
from outbox.breaker import host_counts
from outbox.models import Delivery, DeliveryHost, FanOut
from store import queue
from store.db import utcnow
from store.queue import QueueRow

QUEUES: dict[str, type[QueueRow]] = {"inbox": InboxItem, "fan-out": FanOut, "delivery": Delivery}
COLUMNS = ("pending", "in_flight", "retrying", "failed")
"""The states of a row still in a queue, in the order they are shown."""


@dataclass(frozen=True)
class QueueCounts:
    """One queue's rows: by each of `COLUMNS`, and how many are done (any other end)."""

    name: str
    counts: dict[str, int]
    done: int


@dataclass(frozen=True)
class Host:
    """A remote host deliveries hold back from, since or until when, and its last error."""

    host: str
    when: dt.datetime | None
    error: str | None


@dataclass(frozen=True)
class Overview:
    """The queues, and the hosts paused (breaker open) and unavailable."""

    queues: list[QueueCounts]
    hosts: dict[str, int]
    paused: list[Host]
    unavailable: list[Host]


@dataclass(frozen=True)
class Retried:
    """What `retry_failed` put back: rows per queue, and hosts (None when not asked)."""

    rows: dict[str, int]
    hosts: int | None


async def overview(session: AsyncSession, now: dt.datetime | None = None) -> Overview:
    """Each queue's counts, then the paused and the unavailable hosts (by name)."""
    now = now or utcnow()
    counted = []
    for name, model in QUEUES.items():
        counts = await queue.counts(session, model)
        done = sum(value for state, value in counts.items() if state not in COLUMNS)
        counted.append(QueueCounts(name, {c: counts[c] for c in COLUMNS}, done))
    paused = await session.execute(
        select(DeliveryHost.host, DeliveryHost.paused_until, DeliveryHost.last_error)
        .where(DeliveryHost.paused_until > now)
        .order_by(DeliveryHost.host)
    )
    gone = await session.execute(
        select(DeliveryHost.host, DeliveryHost.unavailable_since, DeliveryHost.last_error)
        .where(DeliveryHost.unavailable.is_(True))
        .order_by(DeliveryHost.host)
    )
    return Overview(
        queues=counted,
        hosts=await host_counts(session, now),
        paused=[Host(*row) for row in paused.all()],
        unavailable=[Host(*row) for row in gone.all()],
    )


async def retry_failed(session: AsyncSession, *, hosts: bool = False) -> Retried:
    """Put failed rows back in their queues; with ``hosts``, unavailable hosts back too.

    The caller commits.
    """
    rows = {name: await queue.retry_failed(session, model) for name, model in QUEUES.items()}
    marked = None
    if hosts:
        result = await session.execute(
            update(DeliveryHost)
            .where(DeliveryHost.unavailable.is_(True))
            .values(unavailable=False, failures=0, failure_days=0, paused_until=None)
        )
        marked = int(getattr(result, "rowcount", 0) or 0)
    return Retried(rows, marked)
