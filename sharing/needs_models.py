"""Tables of a need's lifecycle: its urgency and quantity, its helpers, and what peers say.

A need is an ``offers`` row of kind ``need``; ``need_progress`` adds what the lifecycle
tracks (one row per need, made when first needed, so needs from before it have none),
``need_helpers`` the people helping (a fediverse account, or a name an organizer
typed), and ``remote_need_progress`` the same figures for a need received from a
followed group. Every local row carries ``group_id`` and timestamps, for the monthly
report's counts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class NeedProgress(Base):
    """``urgency`` urgent|week|whenever; ``quantity`` asked (None: not counted); ``given``."""

    __tablename__ = "need_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), unique=True)
    urgency: Mapped[str] = mapped_column(String(10), default="whenever")
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    given: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NeedHelper(Base):
    """Someone helping with a need: an account (``actor_ap_id``) or a ``name``.

    ``agreed``: they said they may be thanked publicly (a mention). ``source`` is how
    they came: ``reply`` (``object_ap_id`` is the reply) or ``organizer``.
    """

    __tablename__ = "need_helpers"
    __table_args__ = (UniqueConstraint("offer_id", "actor_ap_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    actor_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))
    object_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemoteNeedProgress(Base):
    """A received need's ``stage`` (open|helping|fulfilled|partly|unmet) and figures."""

    __tablename__ = "remote_need_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remote_offer_id: Mapped[int] = mapped_column(
        ForeignKey("remote_offers.id", ondelete="CASCADE"), unique=True
    )
    stage: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str | None] = mapped_column(String(10), nullable=True)
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    given: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
