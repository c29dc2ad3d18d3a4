"""The monthly transparency reports of groups: a draft prepared from the data, edited by
organizers, then published as an ``Article`` (``sharing.transparency``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class TransparencyReport(Base):
    """One group's report for one month (``YYYY-MM``, in UTC).

    ``figures`` are the counts it was drafted from (never names); ``text`` the Markdown
    organizers publish, ``edited`` once they changed it (a refresh of the figures then
    keeps their text). ``post_id`` is the ``Article`` it was published as.
    """

    __tablename__ = "transparency_reports"
    __table_args__ = (UniqueConstraint("group_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
