"""Claiming due deliveries: paused hosts skipped, a few rows per host, each inbox in order."""

from __future__ import annotations

import functools
from collections.abc import Collection

from sqlalchemy import ARRAY, CTE, Integer, any_, bindparam, case, cast, func, or_, select

from actors.instance import Context
from outbox import breaker
from outbox.models import Activity, Delivery
from store import queue
from store.db import dialect_of


def _claimable() -> CTE:
    """Every pending row with two figures, computed in one pass (one sort per window):

    - ``blockers``: earlier rows to the same inbox about the same object that are not yet
      tried or are in flight. Mastodon ignores an ``Update`` or ``Delete`` of a status it
      has not seen yet, so an edit sent alongside its ``Create`` must wait for it. Rows
      about other objects, and rows behind a retrying one, go as usual, so one inbox is
      never serialised as a whole. A row about no object waits for nothing.
    - ``rank``: its place among its host's rows, oldest due first (due rows come before
      the others, so among the due ones it is their rank).

    Materialized, so PostgreSQL computes it once per claim: as a correlated subquery per
    candidate row (``NOT EXISTS`` an earlier row), with a fresh table's statistics it
    chose nested loops over every row of the same activity, and a claim during a
    fan-out to 1,900 inboxes took 150-500 ms of the database's CPU.
    """
    in_the_way = or_(Delivery.attempts == 0, Delivery.locked_until > queue.NOW)
    earlier = (
        func.count()
        .filter(in_the_way)
        .over(
            partition_by=(Delivery.inbox, Activity.object_ap_id),
            order_by=Delivery.id,
            rows=(None, -1),
        )
    )
    blockers = case((Activity.object_ap_id.is_(None), 0), else_=earlier)
    order = (Delivery.next_attempt_at, Delivery.id)
    rank = func.row_number().over(partition_by=Delivery.host, order_by=order)
    return (
        select(Delivery.id, blockers.label("blockers"), rank.label("rank"))
        .join(Activity, Activity.id == Delivery.activity_id)
        .where(Delivery.status == queue.PENDING)
        .cte("claimable")
        .prefix_with("MATERIALIZED")
    )


@functools.cache
def _claim(busy: bool, per_host: bool, dialect: str) -> queue.Claim:
    """The claim of deliveries, with or without the ``busy`` hosts and the ``per_host`` cap."""
    claimable = _claimable()
    free = claimable.c.blockers == 0
    if per_host:
        free &= claimable.c.rank <= bindparam("per_host", type_=Integer())
    if dialect == "postgresql":
        # Read once into an array, then each row by its key: as ``id IN (…)`` PostgreSQL
        # rescanned the CTE for every due row (it estimates a fresh CTE at one row).
        ids = select(func.array_agg(claimable.c.id)).where(free).scalar_subquery()
        chosen = Delivery.id == any_(cast(ids, ARRAY(Integer)))
    else:
        chosen = Delivery.id.in_(select(claimable.c.id).where(free))
    where = [chosen, Delivery.host.not_in(breaker.PAUSED_HOSTS)]
    if busy:
        where.append(Delivery.host.not_in(bindparam("busy", expanding=True)))
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
    statements = _claim(bool(busy), per_host is not None, dialect_of(ctx.sessions))
    return await statements.run(ctx.sessions, batch, ctx.lease, **params)
