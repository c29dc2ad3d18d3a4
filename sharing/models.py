"""Tables of what groups share: offers and needs, events, polls, and the answers to them.

One place for the whole feature. Local rows hang off the ``posts`` row that carries
their ActivityPub document (``post_id``); answers from the fediverse (RSVPs, votes,
replies) name their actor by ``ap_id`` so they need no fetched ``remote_actors`` row;
``remote_*`` tables hold offers, needs and events received from followed groups.
Every answer keeps the id of the activity or object that made it, for idempotence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow

_URL = 2000
_POST_FK = "posts.id"


def _group_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)


class _OnPost:
    """The first columns of a local offer, event or poll: its key and the post it details.

    ``sort_order`` puts them before the table's own columns, where the migrations created
    them (a mixin's columns would otherwise come last).
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    post_id: Mapped[int] = mapped_column(
        ForeignKey(_POST_FK, ondelete="CASCADE"), unique=True, sort_order=-1
    )


class Offer(_OnPost, Base):
    """A local group's skill offer or need (``kind``); ``state`` open|fulfilled|withdrawn|expired.

    ``translations`` maps other languages to ``{"title": …, "body": …}``.
    """

    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_listing", "group_id", "state", "kind"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(35), default="en")
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    area: Mapped[str | None] = mapped_column(String(200), nullable=True)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="open")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(_OnPost, Base):
    """A local group's event. ``starts_at``/``ends_at`` are the first occurrence (UTC)."""

    __tablename__ = "events"

    group_id: Mapped[int] = _group_fk()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(35), default="en")
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))
    place_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    place_address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    online_url: Mapped[str | None] = mapped_column(String(_URL), nullable=True)
    rrule: Mapped[str | None] = mapped_column(String(500), nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rsvp(Base):
    """One account's answer to an event: ``going``, ``maybe`` or ``declined`` (latest wins)."""

    __tablename__ = "event_rsvps"
    __table_args__ = (UniqueConstraint("event_id", "actor_ap_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    actor_ap_id: Mapped[str] = mapped_column(String(_URL))
    state: Mapped[str] = mapped_column(String(20))
    activity_ap_id: Mapped[str] = mapped_column(String(_URL))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Poll(_OnPost, Base):
    """A local group's poll; ``options`` are the exact names votes must carry."""

    __tablename__ = "polls"

    group_id: Mapped[int] = _group_fk()
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(35), default="en")
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[list[str]] = mapped_column(JSON)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Vote(Base):
    """One account's vote for one option.

    The database enforces the rules: one row per (poll, actor, option), and one per
    (poll, actor, ``slot``) where ``slot`` is the option for multiple-choice polls and
    ``"*"`` for single-choice ones (use :func:`vote_slot`), so a second single-choice
    vote cannot be stored even by two workers at once.
    """

    __tablename__ = "poll_votes"
    __table_args__ = (
        UniqueConstraint("poll_id", "actor_ap_id", "option"),
        UniqueConstraint("poll_id", "actor_ap_id", "slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    actor_ap_id: Mapped[str] = mapped_column(String(_URL))
    option: Mapped[str] = mapped_column(String(200))
    slot: Mapped[str] = mapped_column(String(200))
    object_ap_id: Mapped[str] = mapped_column(String(_URL), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def vote_slot(multiple: bool, option: str) -> str:
    """The ``slot`` of a vote: the option itself when several may be chosen, else ``"*"``."""
    return option if multiple else "*"


class Response(Base):
    """A reply from any fediverse account to a local offer, need or event."""

    __tablename__ = "post_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey(_POST_FK, ondelete="CASCADE"), index=True)
    actor_ap_id: Mapped[str] = mapped_column(String(_URL))
    object_ap_id: Mapped[str] = mapped_column(String(_URL), unique=True)
    content_html: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class _Received:
    """The columns of what another server published: its id, author, page, and the group
    that relayed it. ``sort_order`` keeps the first ones where the migrations put them;
    ``via``, added later, comes last."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    ap_id: Mapped[str] = mapped_column(String(_URL), unique=True, sort_order=-1)
    attributed_to: Mapped[str] = mapped_column(String(_URL), index=True, sort_order=-1)
    url: Mapped[str | None] = mapped_column(String(_URL), nullable=True, sort_order=-1)
    # The followed group that relayed it (FEP-1b12), when its author is not followed.
    via: Mapped[str | None] = mapped_column(String(_URL), nullable=True, sort_order=1)
    # Addressed to Public (public or unlisted): only these are shown on public pages.
    public: Mapped[bool] = mapped_column(Boolean, default=False, sort_order=2)


class RemoteOffer(_Received, Base):
    """An offer or need published by a group we follow; ``state`` open|closed."""

    __tablename__ = "remote_offers"
    __table_args__ = (Index("ix_remote_offers_board", "state", "kind"),)

    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(500))
    content_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(35), nullable=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    area: Mapped[str | None] = mapped_column(String(500), nullable=True)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="open")
    published: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemoteEvent(_Received, Base):
    """An event published by an actor we follow, for the network calendar."""

    __tablename__ = "remote_events"

    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    content_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    place_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    place_address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    online_url: Mapped[str | None] = mapped_column(String(_URL), nullable=True)
    rrule: Mapped[str | None] = mapped_column(String(500), nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
