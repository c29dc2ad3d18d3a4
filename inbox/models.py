"""Tables of the receiving side: the inbox queue and what peers published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow
from store.queue import QueueRow


class InboxItem(QueueRow, Base):
    """A verified activity, stored before the 202 and applied later by the inbox worker."""

    __tablename__ = "inbox_items"
    __table_args__ = (Index("ix_inbox_items_claim", "status", "next_attempt_at"),)

    activity_ap_id: Mapped[str] = mapped_column(String(2000), unique=True)
    actor_ap_id: Mapped[str] = mapped_column(String(2000))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="SET NULL"), nullable=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RemoteObject(Base):
    """An object (a Note, for now) published by an actor one of our groups follows.

    ``deleted`` rows are tombstones: a ``Delete`` that arrives before its ``Create`` wins.
    """

    __tablename__ = "remote_objects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ap_id: Mapped[str] = mapped_column(String(2000), unique=True)
    type: Mapped[str] = mapped_column(String(50))
    attributed_to: Mapped[str] = mapped_column(String(2000), index=True)
    content_html: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    published: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The group actor that relayed it to us (FEP-1b12 ``Announce``), when not its owner.
    via: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
