"""Tables of a group's volunteers: who they are, what they can do, how they grew.

Availability and area are for organizers alone; only a volunteer's name, skills and
badges may be shown in public, and only when ``listed``: they said so from their own
fediverse account, or an organizer approved it. Every row names
its group and when it was made, for the monthly report to count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow

_URL = 2000


def _group_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)


def _volunteer_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)


class VolunteerCall(Base):
    """A post of the group calling for volunteers: a reply to it registers its author."""

    __tablename__ = "volunteer_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Volunteer(Base):
    """One person who volunteers for a group.

    ``key`` (the case-folded name, ``@user@host`` for a fediverse account) is unique per
    group; ``source`` says how they came: ``form``, ``reply`` or ``organizer``;
    ``asked_to_be_listed`` is a request waiting for an organizer (the public form cannot
    prove who someone is, so it never lists anyone by itself); ``unlisted_by`` the
    organizer who last took them off the public page (a reply "list me" then asks again
    instead of listing); ``reply_ap_id`` is the last reply that registered them (a
    redelivery does nothing).
    """

    __tablename__ = "volunteers"
    __table_args__ = (UniqueConstraint("group_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    actor_ap_id: Mapped[str | None] = mapped_column(String(_URL), nullable=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_to_be_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    unlisted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(20))
    reply_ap_id: Mapped[str | None] = mapped_column(String(_URL), nullable=True)
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteers.id", ondelete="SET NULL"), nullable=True
    )
    mentored_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerHelp(Base):
    """One time a volunteer helped, as an organizer recorded it."""

    __tablename__ = "volunteer_help"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    volunteer_id: Mapped[int] = _volunteer_fk()
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerRole(Base):
    """A role the group's volunteers can grow into, with the criteria the group wrote:
    granted by an organizer once the volunteer helped ``helped_needed`` times."""

    __tablename__ = "volunteer_roles"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    name: Mapped[str] = mapped_column(String(60))
    criteria: Mapped[str] = mapped_column(Text)
    helped_needed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerBadge(Base):
    """A role granted to a volunteer, and by whom (the organizer's approval)."""

    __tablename__ = "volunteer_badges"
    __table_args__ = (UniqueConstraint("volunteer_id", "role_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = _group_fk()
    volunteer_id: Mapped[int] = _volunteer_fk()
    role_id: Mapped[int] = mapped_column(ForeignKey("volunteer_roles.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
