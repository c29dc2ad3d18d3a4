"""The waiting list of a group's distribution: recipients wait in order and are served so.

``serve`` hands out what arrived to the first waiting recipients of the category, in
the order they were added. One whose limit does not allow it yet is passed over and
keeps their place; serving stops at the first one who needs more than what is left,
so nobody behind them takes what they wait for.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from actors.models import Group
from sharing.distribution import (
    DistributionError,
    category_name,
    check_quantity,
    find_limit,
    give,
    next_allowed,
    recipient_name,
)
from sharing.distribution_models import Distribution, WaitingEntry
from store.db import utcnow


async def waiting(
    session: AsyncSession, group: Group, category: str | None = None
) -> Sequence[WaitingEntry]:
    """Who waits (not served yet), in the order they will be served; of one category if given."""
    query = select(WaitingEntry).where(
        WaitingEntry.group_id == group.id, WaitingEntry.served_at.is_(None)
    )
    if category:
        query = query.where(WaitingEntry.category == category_name(category))
    rows = await session.scalars(query.order_by(WaitingEntry.category, WaitingEntry.id))
    return rows.all()


async def wait(
    session: AsyncSession, group: Group, recipient: str, category: str, quantity: int, *, by: str
) -> WaitingEntry:
    """Put ``recipient`` on the waiting list for ``quantity`` of ``category``, last in line."""
    name, key = recipient_name(recipient)
    item = category_name(category)
    check_quantity(quantity)
    limit = await find_limit(session, group, item)
    if limit is not None:
        # Refused now rather than waiting forever: more than the limit is never served.
        await next_allowed(session, group, key, limit, quantity, utcnow())
    already = await session.scalar(
        select(func.count()).where(
            WaitingEntry.group_id == group.id,
            WaitingEntry.category == item,
            WaitingEntry.recipient_key == key,
            WaitingEntry.served_at.is_(None),
        )
    )
    if already:
        raise DistributionError(
            "%(recipient)s is already waiting for %(item)s", recipient=name, item=item
        )
    entry = WaitingEntry(
        group_id=group.id,
        recipient=name,
        recipient_key=key,
        category=item,
        quantity=quantity,
        added_by=by,
        created_at=utcnow(),
    )
    session.add(entry)
    await session.flush()
    await audit.record(session, by, "distribution wait", group, f"#w{entry.id}: {quantity} {item}")
    return entry


async def _categories_waiting(session: AsyncSession, group: Group) -> list[str]:
    rows = await session.scalars(
        select(WaitingEntry.category)
        .where(WaitingEntry.group_id == group.id, WaitingEntry.served_at.is_(None))
        .distinct()
        .order_by(WaitingEntry.category)
    )
    return list(rows)


async def serve(
    session: AsyncSession, group: Group, category: str, quantity: int, *, by: str
) -> list[Distribution]:
    """Give ``quantity`` of ``category`` to the first eligible waiting recipients, in order.

    Records a distribution for each one served; returns them. A DistributionError when
    nobody waits for the category. The caller commits.
    """
    item = category_name(category)
    left = check_quantity(quantity)
    queue = await waiting(session, group, item)
    if not queue:
        known = await _categories_waiting(session, group)
        raise DistributionError(
            "nobody waits for %(item)s; waiting lists: %(known)s",
            item=item,
            known=", ".join(known) or "none",
        )
    limit = await find_limit(session, group, item)
    now = utcnow()
    served = []
    for entry in queue:
        if entry.quantity > left:
            break
        if limit is not None and await next_allowed(
            session, group, entry.recipient_key, limit, entry.quantity, now
        ):
            continue
        row = await give(session, group, entry.recipient, item, entry.quantity, by=by)
        entry.served_at, entry.distribution_id = now, row.id
        left -= entry.quantity
        served.append(row)
    return served
