"""Tables of the sending side: our posts, the activities we publish, and delivery rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow
from store.queue import QueueRow


class Post(Base):
    """An object a local group published (a Note for status updates)."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(50), default="Note")
    visibility: Mapped[str] = mapped_column(String(20), default="public")
    source: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


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
