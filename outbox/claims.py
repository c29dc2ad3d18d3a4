"""Claiming due deliveries: paused hosts skipped, a few rows per host, each inbox in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import aliased

from actors.instance import Context
from outbox import breaker
from outbox.models import Activity, Delivery
from store import queue
from store.db import utcnow


def _waits_for_earlier(now: dt.datetime) -> ColumnElement[bool]:
    """True for a row queued behind an earlier one about the same object to the same inbox,
    while that one is not yet tried or in flight.

    Mastodon ignores an ``Update`` or ``Delete`` of a status it has not seen yet, so an
    edit sent alongside its ``Create`` would be lost. Activities about other objects, and
    rows behind a retrying one, go as usual, so one inbox is never serialised as a whole.
    """
    earlier, earlier_activity, own_activity = (
        aliased(Delivery),
        aliased(Activity),
        aliased(Activity),
    )
    return exists().where(
        earlier.inbox == Delivery.inbox,
        earlier.id < Delivery.id,
        earlier.status == queue.PENDING,
        or_(earlier.attempts == 0, earlier.locked_until > now),
        earlier_activity.id == earlier.activity_id,
        own_activity.id == Delivery.activity_id,
        earlier_activity.object_ap_id == own_activity.object_ap_id,
    )


async def claim(
    ctx: Context, batch: int, *, busy: Collection[str] = (), per_host: int | None = None
) -> queue.Lease:
    """Lease up to ``batch`` due rows on hosts that are not paused.

    Hosts in ``busy`` are skipped; with ``per_host``, at most that many rows of one host
    are claimed (the oldest due), so a host that hangs holds few rows, and the others
    wait in the queue where a pause postpones them in bulk.
    """
    now = utcnow()
    where = [Delivery.host.not_in(breaker.paused_hosts(now)), ~_waits_for_earlier(now)]
    if busy:
        where.append(Delivery.host.not_in(sorted(busy)))
    if per_host is not None:
        order = (Delivery.next_attempt_at, Delivery.id)
        rank = func.row_number().over(partition_by=Delivery.host, order_by=order)
        due = (
            select(Delivery.id, rank.label("rank"))
            .where(Delivery.status == queue.PENDING, Delivery.next_attempt_at <= now)
            .subquery()
        )
        where.append(Delivery.id.in_(select(due.c.id).where(due.c.rank <= per_host)))
    return await queue.claim(ctx.sessions, Delivery, batch, ctx.lease, where=where)
