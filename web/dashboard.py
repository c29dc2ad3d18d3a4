"""The numbers on a group's dashboard: followers, what waits for people, delivery health."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Group
from forum.models import Message
from moderation.grievances import OPEN_STATUSES
from moderation.models import ReportCase
from outbox.breaker import host_counts
from outbox.models import Delivery
from store import queue
from store.db import utcnow


@dataclass(frozen=True)
class Numbers:
    """What a group's organizers see first."""

    followers: int
    requests: int
    submissions: int
    unread: int
    reports: int
    """Reports not closed yet: open, or in mediation."""
    deliveries: dict[str, int]
    """Instance-wide delivery queue: pending, in flight, retrying, failed."""
    hosts: dict[str, int]
    """Instance-wide: hosts paused by their breaker, and unavailable hosts."""


async def _count(session: AsyncSession, model: type[Any], *where: ColumnElement[bool]) -> int:
    found = await session.scalar(select(func.count()).select_from(model).where(*where))
    return int(found or 0)


async def group_numbers(session: AsyncSession, group: Group) -> Numbers:
    """The dashboard's numbers for ``group``."""
    followers = dict(
        (accepted, count)
        for accepted, count in await session.execute(
            select(Follower.accepted, func.count())
            .where(Follower.group_id == group.id)
            .group_by(Follower.accepted)
        )
    )
    submissions = await _count(
        session, Message, Message.group_id == group.id, Message.status == "pending"
    )
    unread = await _count(session, Message, Message.group_id == group.id, Message.read.is_(False))
    reports = await _count(
        session,
        ReportCase,
        ReportCase.group_id == group.id,
        ReportCase.status.in_(OPEN_STATUSES),
    )
    return Numbers(
        followers=followers.get(True, 0),
        requests=followers.get(False, 0),
        submissions=submissions,
        unread=unread,
        reports=reports,
        deliveries=await queue.counts(session, Delivery),
        hosts=await host_counts(session, utcnow()),
    )
