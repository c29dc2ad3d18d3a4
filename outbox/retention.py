"""Pruning what the sending side has finished: delivered deliveries, expanded fan-out jobs.

Activities themselves are kept: each is served at its id to peers that fetch it.
A delivered row whose activity still has a fan-out job pending is kept too: the job
relies on the unique (activity, inbox) index to skip inboxes already addressed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from outbox.delivery import DELIVERED
from outbox.fanout import DONE
from outbox.models import Delivery, FanOut
from store import queue
from store.retention import prune


async def prune_sent(sessions: async_sessionmaker[AsyncSession], before: dt.datetime) -> int:
    """Delete deliveries delivered and fan-out jobs done before ``before``; how many rows."""
    expanding = exists(
        select(FanOut.id).where(
            FanOut.activity_id == Delivery.activity_id, FanOut.status == queue.PENDING
        )
    )
    delivered = (Delivery.status == DELIVERED) & (Delivery.delivered_at < before) & ~expanding
    # A job has no finishing time; it is expanded within minutes of being created.
    expanded = (FanOut.status == DONE) & (FanOut.created_at < before)
    return await prune(sessions, Delivery, delivered) + await prune(sessions, FanOut, expanded)
