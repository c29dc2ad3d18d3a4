"""The table of what members send a group: posts through it, replies, mentions, messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class Message(Base):
    """One object a remote account addressed to a local group, kept for its organizers.

    ``kind`` says how it reached the group: ``post`` (public or unlisted, naming the
    group), ``reply`` (in a thread the group started or announced), ``direct`` (to the
    group and nobody public). ``status`` says what the group did with it: ``announced``,
    ``pending`` (waiting for a moderator, ``reason`` says why), ``kept`` (a message for
    the organizers only, ``reason`` says why it was not announced), ``rejected``,
    ``removed`` (taken out after being announced) or ``deleted`` by its author.
    """

    __tablename__ = "group_messages"
    __table_args__ = (
        UniqueConstraint("group_id", "object_ap_id"),
        Index("ix_group_messages_queue", "group_id", "status", "id"),
        Index("ix_group_messages_thread", "in_reply_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    object_ap_id: Mapped[str] = mapped_column(String(2000))
    actor_ap_id: Mapped[str] = mapped_column(String(2000), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(20))
    in_reply_to: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_html: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The activity that brought it (a Create), re-sent inside the FEP-1b12 Announce.
    activity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Our two Announces of it: the object's (as microblogs read it), the activity's.
    announce_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    relay_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
