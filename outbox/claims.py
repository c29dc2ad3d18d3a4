"""Claiming due deliveries: paused hosts skipped, a few rows per host, each inbox in order."""

from __future__ import annotations

import functools
from collections.abc import Collection

from sqlalchemy import ColumnElement, Integer, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from actors.instance import Context
from outbox import breaker
from outbox.models import Activity, Delivery
from store import queue


def _waits_for_earlier() -> ColumnElement[bool]:
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
        or_(earlier.attempts == 0, earlier.locked_until > queue.NOW),
        earlier_activity.id == earlier.activity_id,
        own_activity.id == Delivery.activity_id,
        earlier_activity.object_ap_id == own_activity.object_ap_id,
    )


def _within_per_host() -> ColumnElement[bool]:
    """True for a row among the ``per_host`` oldest due rows of its host."""
    order = (Delivery.next_attempt_at, Delivery.id)
    rank = func.row_number().over(partition_by=Delivery.host, order_by=order)
    due = (
        select(Delivery.id, rank.label("rank"))
        .where(Delivery.status == queue.PENDING, Delivery.next_attempt_at <= queue.NOW)
        .subquery()
    )
    per_host = bindparam("per_host", type_=Integer())
    return Delivery.id.in_(select(due.c.id).where(due.c.rank <= per_host))


@functools.cache
def _claim(busy: bool, per_host: bool) -> queue.Claim:
    """The claim of deliveries, with or without the ``busy`` hosts and the ``per_host`` cap."""
    where = [Delivery.host.not_in(breaker.PAUSED_HOSTS), ~_waits_for_earlier()]
    if busy:
        where.append(Delivery.host.not_in(bindparam("busy", expanding=True)))
    if per_host:
        where.append(_within_per_host())
    return queue.Claim(Delivery, where)


async def claim(
    ctx: Context, batch: int, *, busy: Collection[str] = (), per_host: int | None = None
) -> queue.Lease:
    """Lease up to ``batch`` due rows on hosts that are not paused.

    Hosts in ``busy`` are skipped; with ``per_host``, at most that many rows of one host
    are claimed (the oldest due), so a host that hangs holds few rows, and the others
    wait in the queue where a pause postpones them in bulk.
    """
    params: dict[str, object] = {}
    if busy:
        params["busy"] = sorted(busy)
    if per_host is not None:
        params["per_host"] = per_host
    statements = _claim(bool(busy), per_host is not None)
    return await statements.run(ctx.sessions, batch, ctx.lease, **params)
