"""Tables of the delivery machinery: follower fan-out jobs and what we know of each host."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow
from store.queue import QueueRow


class FanOut(QueueRow, Base):
    """An activity still to be addressed to a group's followers, expanded in batches.

    ``cursor`` is the last ``followers.id`` already turned into delivery rows, so a
    job interrupted anywhere resumes where its last committed batch ended.
    """

    __tablename__ = "fanouts"
    __table_args__ = (Index("ix_fanouts_claim", "status", "next_attempt_at"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryHost(Base):
    """The health of one remote host (``host[:port]``) as our deliveries see it.

    ``failures`` counts failed attempts since the last success and pauses the host
    (``paused_until``) once it passes a threshold; ``failure_days`` counts the distinct
    days with a failure since the last success, and makes the host ``unavailable``.
    """

    __tablename__ = "delivery_hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    failure_days: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    paused_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    unavailable_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
