"""The inbox worker: claim stored items under a lease, apply each in one transaction.

An item is ``pending`` until applied (``done``) or given up on (``failed``, after
`MAX_ATTEMPTS`). A claim sets ``locked_until``; a worker that dies leaves the lease
to expire, and the item becomes claimable again. A handler that raises has its
effects rolled back; the item is retried later with backoff, never blocking others.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.context import Context
from actors.db import utcnow
from inbox.handlers import HANDLERS
from inbox.models import InboxItem
from inbox.registry import Registry
from inbox.shape import object_type

log = logging.getLogger("mutuals.inbox")

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8
# Longer than FailureMemory's 60 s, so a retry really asks the origin again.
FIRST_RETRY = dt.timedelta(seconds=90)
LONGEST_RETRY = dt.timedelta(hours=12)


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 90 s, 6 min, 24 min… at most 12 h."""
    delay: dt.timedelta = FIRST_RETRY * 4 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


async def claim(ctx: Context, batch: int) -> list[int]:
    """Lease up to ``batch`` due items and return their ids, oldest due first."""
    now = utcnow()
    async with ctx.sessions() as session:
        due = (
            select(InboxItem.id)
            .where(
                InboxItem.status == "pending",
                InboxItem.next_attempt_at <= now,
                or_(InboxItem.locked_until.is_(None), InboxItem.locked_until <= now),
            )
            .order_by(InboxItem.next_attempt_at, InboxItem.id)
            .limit(batch)
            # PostgreSQL: concurrent workers skip each other's rows. SQLite renders no
            # FOR UPDATE; its single writer lock serialises claims instead.
            .with_for_update(skip_locked=True)
        )
        ids = list((await session.execute(due)).scalars())
        if ids:
            await session.execute(
                update(InboxItem).where(InboxItem.id.in_(ids)).values(locked_until=now + LEASE)
            )
        await session.commit()
    return ids


async def apply(session: AsyncSession, ctx: Context, item: InboxItem, registry: Registry) -> None:
    """Run the item's handler; an activity nobody handles is simply acknowledged."""
    activity = item.payload
    handler = registry.lookup(str(activity.get("type")), object_type(activity))
    if handler is not None:
        await handler(session, ctx, item, activity)


async def process(ctx: Context, item_id: int, registry: Registry = HANDLERS) -> bool:
    """Apply one claimed item and mark it done, all in one transaction; False if it failed."""
    async with ctx.sessions() as session:
        item = await session.get(InboxItem, item_id)
        if item is None or item.status != "pending":
            return True
        try:
            await apply(session, ctx, item, registry)
            item.status = "done"
            item.processed_at = utcnow()
            item.locked_until = None
            item.error = None
            await session.commit()
            return True
        except Exception as exc:  # any failure: roll back, record it, retry later
            await session.rollback()
            error = f"{type(exc).__name__}: {exc}"
    log.warning("inbox item %s failed: %s", item_id, error)
    await record_failure(ctx, item_id, error)
    return False


async def record_failure(ctx: Context, item_id: int, error: str) -> None:
    """Count a failed attempt: schedule a retry with backoff, or park the item as failed."""
    now = utcnow()
    async with ctx.sessions() as session:
        item = await session.get(InboxItem, item_id)
        if item is None:
            return
        item.attempts += 1
        item.error = error[:2000]
        item.locked_until = None
        if item.attempts >= MAX_ATTEMPTS:
            item.status = "failed"
            item.processed_at = now
        else:
            item.next_attempt_at = now + retry_delay(item.attempts)
        await session.commit()


async def run_once(ctx: Context, *, batch: int = 20, registry: Registry = HANDLERS) -> int:
    """Claim and apply one batch of due items; how many were handled (done or failed)."""
    ids = await claim(ctx, batch)
    for item_id in ids:
        await process(ctx, item_id, registry)
    return len(ids)
