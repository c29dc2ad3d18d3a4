"""Host health for deliveries: a circuit breaker per host, and hosts gone for days.

As Mastodon does (its per-inbox circuit breaker and ``DeliveryFailureTracker``):

- `FAILURE_THRESHOLD` failed attempts in a row on a host trip its breaker: the host
  is paused for a cool-off (one minute, doubling with every further failure, at most
  an hour), and its waiting rows are postponed to the end of the pause in one UPDATE,
  instead of each burning a timeout. The first attempt after the pause probes it.
- A timeout or a failed connection (refused, DNS) opens the breaker at once, for
  `COOL_OFF` (doubling past the threshold as above): a host that hangs or is down
  costs one attempt per pause, not one timeout per waiting row.
- A host with failures on `UNAVAILABLE_AFTER_DAYS` distinct days and no success in
  between is marked unavailable: its deliveries are not sent (they fail with the
  reason) until the host sends us a verified request (`mark_alive`) or delivering
  to it succeeds again.

Hosts are ``host[:port]`` as in the delivery rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, Update, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.checks import domain_refused
from moderation.models import DomainBlock
from outbox.models import Delivery, DeliveryHost
from store.queue import NOW, PENDING, insert_ignoring_conflicts

log = logging.getLogger("mutuals.delivery")

FAILURE_THRESHOLD = 10
COOL_OFF = dt.timedelta(minutes=1)
MAX_COOL_OFF = dt.timedelta(hours=1)
UNAVAILABLE_AFTER_DAYS = 7


def cool_off(failures: int) -> dt.timedelta:
    """How long a host is paused after its ``failures``-th failure in a row."""
    doublings = min(max(failures - FAILURE_THRESHOLD, 0), 10)
    delay: dt.timedelta = COOL_OFF * 2**doublings
    return min(delay, MAX_COOL_OFF)


PAUSED_HOSTS: Select[str] = select(DeliveryHost.host).where(DeliveryHost.paused_until > NOW)
"""Hosts whose breaker is open at the claim's time (for the claim query to skip)."""


async def record_failure(
    session: AsyncSession, host: str, error: str, now: dt.datetime, *, unreachable: bool = False
) -> dt.datetime | None:
    """Count a failed attempt on ``host``; until when it is paused, or None if it is not.

    ``unreachable`` (a timeout, a failed connection) pauses the host whatever the count.
    """
    await session.execute(
        insert_ignoring_conflicts(session, DeliveryHost).values(
            host=host, failures=0, failure_days=0, unavailable=False
        )
    )
    today = now.date()
    counted = await session.execute(
        update(DeliveryHost)
        .where(DeliveryHost.host == host)
        .values(
            failures=DeliveryHost.failures + 1,
            failure_days=case(
                (DeliveryHost.last_failure_day == today, DeliveryHost.failure_days),
                else_=DeliveryHost.failure_days + 1,
            ),
            last_failure_day=today,
            last_error=error[:500],
        )
        .returning(DeliveryHost.failures, DeliveryHost.failure_days, DeliveryHost.paused_until)
    )
    failures, days, paused_until = counted.one()
    if days >= UNAVAILABLE_AFTER_DAYS:
        await _mark_unavailable(session, host, now)
    if paused_until is not None and paused_until > now:
        return paused_until
    if failures < FAILURE_THRESHOLD and not unreachable:
        return None
    until = now + cool_off(failures)
    await session.execute(
        update(DeliveryHost).where(DeliveryHost.host == host).values(paused_until=until)
    )
    await postpone(session, host, until, now)
    log.warning("host %s failed %d time(s) in a row; paused until %s", host, failures, until)
    return until


async def _mark_unavailable(session: AsyncSession, host: str, now: dt.datetime) -> None:
    marked = await session.execute(
        update(DeliveryHost)
        .where(DeliveryHost.host == host, DeliveryHost.unavailable.is_(False))
        .values(unavailable=True, unavailable_since=now)
    )
    if getattr(marked, "rowcount", 0):
        log.warning("host %s failed on %d days; unavailable", host, UNAVAILABLE_AFTER_DAYS)


async def postpone(session: AsyncSession, host: str, until: dt.datetime, now: dt.datetime) -> int:
    """Move every waiting, unleased row of ``host`` due before ``until`` to ``until``."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.host == host,
            Delivery.status == PENDING,
            Delivery.next_attempt_at < until,
            or_(Delivery.locked_until.is_(None), Delivery.locked_until <= now),
        )
        .values(next_attempt_at=until)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_alive(session: AsyncSession, host: str) -> None:
    """Forget the failures of ``host``: it answered a delivery or sent us a verified request."""
    await mark_alive_many(session, [host])


async def mark_alive_many(session: AsyncSession, names: Iterable[str]) -> None:
    """`mark_alive` for several hosts, in one statement (nothing to do: nothing written)."""
    distinct = sorted(set(names))
    if distinct:
        await session.execute(alive_statement(distinct))


def with_failures(names: Iterable[str]) -> ColumnElement[bool]:
    """Which of the hosts ``names`` have failures for `mark_alive` to forget."""
    return DeliveryHost.host.in_(names) & or_(
        DeliveryHost.failures > 0, DeliveryHost.unavailable, DeliveryHost.failure_days > 0
    )


def alive_statement(names: Iterable[str]) -> Update:
    """The UPDATE behind `mark_alive_many` (for callers holding a plain connection)."""
    return (
        update(DeliveryHost)
        .where(with_failures(names))
        .values(
            failures=0, failure_days=0, paused_until=None, unavailable=False, unavailable_since=None
        )
    )


async def unavailable_hosts(session: AsyncSession, hosts: Iterable[str]) -> set[str]:
    """Which of ``hosts`` are marked unavailable."""
    found = await session.execute(
        select(DeliveryHost.host).where(
            DeliveryHost.host.in_(set(hosts)), DeliveryHost.unavailable.is_(True)
        )
    )
    return set(found.scalars())


async def refused_hosts(session: AsyncSession, mode: str, hosts: Iterable[str]) -> dict[str, str]:
    """Why each of ``hosts`` that moderation refuses is refused (``moderation.rules``)."""
    if mode == "open" and (await session.execute(select(DomainBlock.id).limit(1))).first() is None:
        return {}  # the usual case, in one query: no rule can refuse anything
    reasons = {host: await domain_refused(session, mode, host) for host in set(hosts)}
    return {host: reason for host, reason in reasons.items() if reason is not None}


async def host_counts(session: AsyncSession, now: dt.datetime) -> dict[str, int]:
    """How many hosts are paused and how many unavailable."""
    paused = func.sum(case((DeliveryHost.paused_until > now, 1), else_=0))
    unavailable = func.sum(case((DeliveryHost.unavailable, 1), else_=0))
    row = (await session.execute(select(paused, unavailable))).one()
    return {"paused": int(row[0] or 0), "unavailable": int(row[1] or 0)}
