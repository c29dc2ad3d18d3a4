"""The inbox worker: claim stored items under a lease, apply them in transactions.

An item is ``pending`` until applied (``done``) or given up on (``failed``, after
`MAX_ATTEMPTS`, with its last error kept for ``mutuals queue``). Claims and leases
are ``store.queue``'s: a worker that dies leaves its lease to expire, a stopped one
gives its unfinished items back, and an item is marked done only by the worker that
still holds it, in the same transaction as the handler's effects. A handler that
raises has its effects rolled back; the item is retried later with backoff, never
blocking the items behind it.

On PostgreSQL a whole batch is applied in one transaction, each item in a savepoint
(`process_batch`): one commit, so one flush of PostgreSQL's log, per batch rather than
per item. A savepoint rolled back undoes only its item, which is retried as above. On
SQLite each item has its own transaction (`process`): a transaction there holds the
database's one write lock from its first write to its commit, and a handler may fetch
from another server meanwhile, so a batch would stall the web process's inbox writes
for as long as any fetch in it.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from inbox.handlers import HANDLERS
from inbox.models import InboxItem
from inbox.registry import Registry
from inbox.shape import object_type
from store import queue
from store.db import dialect_of, utcnow

log = logging.getLogger("mutuals.inbox")

MAX_ATTEMPTS = 8
DONE = "done"
"""The status of an applied item."""
# Longer than FailureMemory's 60 s, so a retry really asks the origin again.
FIRST_RETRY = dt.timedelta(seconds=90)
LONGEST_RETRY = dt.timedelta(hours=12)


_ITEMS: Table = InboxItem.__table__  # type: ignore[assignment]
_LEASED = _ITEMS.c.lease_token == bindparam("token")
_ONE = _ITEMS.c.id == bindparam("item_id")
_CLAIMED_ITEM = select(InboxItem).where(_ONE, _LEASED)
_CLAIMED_ITEMS = (
    select(InboxItem)
    .where(InboxItem.id.in_(bindparam("item_ids", expanding=True)), _LEASED)
    .where(InboxItem.status == queue.PENDING)
    .order_by(InboxItem.id)
)
_FINISHED = {**queue.finished(DONE), "processed_at": bindparam("done_at"), "error": None}
_MARK_DONE = update(_ITEMS).where(_ONE, _LEASED).values(_FINISHED)
_MARK_ALL_DONE = (
    update(_ITEMS)
    .where(_ITEMS.c.id.in_(bindparam("item_ids", expanding=True)), _LEASED)
    .values(_FINISHED)
)
"""The worker's statements, built once (in Core where no object is needed): each item
costs several, and building them each time cost more than running them."""


def item_retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 90 s, 6 min, 24 min… at most 12 h."""
    delay: dt.timedelta = FIRST_RETRY * 4 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


async def claim(ctx: Context, batch: int) -> queue.Lease:
    """Lease up to ``batch`` due items, oldest due first."""
    return await queue.claim(ctx.sessions, InboxItem, batch, ctx.lease)


async def apply(session: AsyncSession, ctx: Context, item: InboxItem, registry: Registry) -> None:
    """Run the item's handler; an activity nobody handles is simply acknowledged."""
    activity = item.payload
    handler = registry.lookup(str(activity.get("type")), object_type(activity))
    if handler is not None:
        await handler(session, ctx, item, activity)


async def process(
    ctx: Context, lease: queue.Lease, item_id: int, registry: Registry = HANDLERS
) -> bool:
    """Apply one claimed item and mark it done, all in one transaction; False if it failed."""
    async with ctx.sessions() as session:
        mine = {"item_id": item_id, "token": lease.token}
        item = (await session.execute(_CLAIMED_ITEM, mine)).scalar_one_or_none()
        if item is None or item.status != queue.PENDING:
            return True
        try:
            await apply(session, ctx, item, registry)
            done = await session.execute(_MARK_DONE, mine | {"done_at": utcnow()})
            if not getattr(done, "rowcount", 0):
                # The lease was lost meanwhile: the new owner applies the item.
                await session.rollback()
                return True
            await session.commit()
            return True
        except Exception as exc:  # any failure: roll back, record it, retry later
            await session.rollback()
            error = f"{type(exc).__name__}: {exc}"
    log.warning("inbox item %s failed: %s", item_id, error)
    await record_failure(ctx, lease, item_id, error)
    return False


async def process_batch(ctx: Context, lease: queue.Lease, registry: Registry = HANDLERS) -> bool:
    """Apply the claimed items in one transaction, each in a savepoint, and mark them done
    with it; items that failed are rolled back alone and counted as failed attempts.

    False when a lease was lost meanwhile: nothing was kept, and the items still ours
    must be given back.
    """
    failures: dict[int, str] = {}
    async with ctx.sessions() as session:
        mine = {"item_ids": lease.ids, "token": lease.token}
        found = await session.execute(_CLAIMED_ITEMS, mine)
        applied: list[int] = []
        for item in found.scalars().all():
            try:
                async with session.begin_nested():
                    await apply(session, ctx, item, registry)
            except Exception as exc:  # only this item's savepoint is rolled back
                failures[item.id] = f"{type(exc).__name__}: {exc}"
            else:
                applied.append(item.id)
        if applied:
            done_now = {"item_ids": applied, "token": lease.token, "done_at": utcnow()}
            done = await session.execute(_MARK_ALL_DONE, done_now)
            if getattr(done, "rowcount", 0) != len(applied):
                # Some lease was lost meanwhile: the new owner applies the items.
                await session.rollback()
                return False
        await session.commit()
    for item_id, error in failures.items():
        log.warning("inbox item %s failed: %s", item_id, error)
        await record_failure(ctx, lease, item_id, error)
    return True


async def record_failure(ctx: Context, lease: queue.Lease, item_id: int, error: str) -> None:
    """Count a failed attempt: schedule a retry with backoff, or park the item as failed."""
    now = utcnow()
    async with ctx.sessions() as session:
        mine = {"item_id": item_id, "token": lease.token}
        item = (await session.execute(_CLAIMED_ITEM, mine)).scalar_one_or_none()
        if item is None:
            return
        item.attempts += 1
        item.error = error[:2000]
        item.locked_until = item.lease_token = None
        if item.attempts >= MAX_ATTEMPTS:
            item.status = queue.FAILED
            item.processed_at = now
        else:
            item.next_attempt_at = now + item_retry_delay(item.attempts)
        await session.commit()


async def run_once(ctx: Context, *, batch: int = 50, registry: Registry = HANDLERS) -> int:
    """Claim and apply one batch of due items; how many were handled (done or failed)."""
    lease = await claim(ctx, batch)
    async with queue.held(ctx.sessions, lease) as holding:
        if lease.ids and dialect_of(ctx.sessions) == "postgresql":
            finished = await process_batch(ctx, lease, registry)
        else:
            for item_id in lease.ids:
                await process(ctx, lease, item_id, registry)
            finished = True
        if finished:
            holding.settled()  # each item is done, retrying, or no longer ours
    return len(lease.ids)
