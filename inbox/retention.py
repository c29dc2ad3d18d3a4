"""Pruning inbox items applied long ago, payloads and all.

An item's unique ``activity_ap_id`` is also what makes a replayed activity a no-op,
so only items older than any peer's retries go (peers give up within days, and a
replayed request's signature date is refused after 12 hours).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inbox.models import InboxItem
from inbox.worker import DONE
from store.retention import prune


async def prune_received(sessions: async_sessionmaker[AsyncSession], before: dt.datetime) -> int:
    """Delete inbox items applied (``done``) before ``before``; how many."""
    applied = (InboxItem.status == DONE) & (InboxItem.processed_at < before)
    return await prune(sessions, InboxItem, applied)
