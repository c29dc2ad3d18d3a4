"""Tables of the sending side: the activities we publish, their delivery rows, follower
fan-out jobs, and what we know of each host.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow
from store.queue import QueueRow


class Activity(Base):
    """An activity a local group (or the instance actor, ``group_id`` NULL) sent."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_outbox", "group_id", "type", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ap_id: Mapped[str] = mapped_column(String(2000), unique=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), nullable=True
    )
    type: Mapped[str] = mapped_column(String(50))
    # The id of the object the activity is about (a post, a Follow…), for delivery order.
    object_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    public: Mapped[bool] = mapped_column(default=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(QueueRow, Base):
    """One activity to POST to one inbox; the delivery worker's queue."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_claim", "status", "next_attempt_at"),
        # One row per (activity, inbox): a fan-out in batches never sends twice to a
        # shared inbox that several batches name.
        Index("ux_deliveries_activity_inbox", "activity_id", "inbox", unique=True),
        # Finding an earlier delivery to the same inbox, to keep each inbox's order.
        Index("ix_deliveries_inbox_order", "inbox", "id"),
    )

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    inbox: Mapped[str] = mapped_column(String(2000))
    host: Mapped[str] = mapped_column(String(255), index=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


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
