"""Tables of a group's distribution log: what went to whom, limits, the waiting list, criteria.

All private to the group's organizers and moderators (``sharing.distribution``); nothing
here is ever published, except the criteria text on the group's page. A recipient is the
name or code an organizer wrote (``recipient``) and its comparison key (``recipient_key``:
the same person written "Household 14" or "household  14" is one recipient). Every row
carries ``group_id`` and its times, so a report counts them with one query.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow

NAME_LENGTH = 200
"""The longest recipient name or code, and the longest category."""


def _group_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class Distribution(Base):
    """``quantity`` of ``category`` given to one recipient at ``given_at``, by ``recorded_by``.

    ``need_id`` is the need it went toward, if any (its progress counts this quantity).
    """

    __tablename__ = "distributions"
    __table_args__ = (
        Index("ix_distributions_recipient", "group_id", "category", "recipient_key", "given_at"),
        Index("ix_distributions_given", "group_id", "given_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    recipient: Mapped[str] = mapped_column(String(NAME_LENGTH))
    recipient_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    category: Mapped[str] = mapped_column(String(NAME_LENGTH))
    quantity: Mapped[int] = mapped_column(Integer)
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), nullable=True
    )
    recorded_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DistributionLimit(Base):
    """At most ``per_recipient`` of ``category`` to one recipient in any ``days`` days."""

    __tablename__ = "distribution_limits"
    __table_args__ = (UniqueConstraint("group_id", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    category: Mapped[str] = mapped_column(String(NAME_LENGTH))
    per_recipient: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WaitingEntry(Base):
    """A recipient waiting for ``quantity`` of ``category``, served in ``id`` order.

    ``served_at`` and ``distribution_id`` are set when served; the row stays for counting.
    """

    __tablename__ = "distribution_waiting"
    __table_args__ = (Index("ix_distribution_waiting_queue", "group_id", "category", "served_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    recipient: Mapped[str] = mapped_column(String(NAME_LENGTH))
    recipient_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    category: Mapped[str] = mapped_column(String(NAME_LENGTH))
    quantity: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    served_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    distribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("distributions.id", ondelete="SET NULL"), nullable=True
    )


class DistributionCriteria(Base):
    """The group's published criteria for fair distribution (Markdown), shown on its page."""

    __tablename__ = "distribution_criteria"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
