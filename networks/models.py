"""The table of a network's member groups, as the network sees them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from actors.models import RemoteActor
from store.db import Base, UTCDateTime, utcnow


class NetworkMember(Base):
    """A group that asked to join a local network (``groups.is_network``).

    The member is a `RemoteActor` wherever it lives: a group on this instance is
    reached over HTTP like any other. ``state`` is ``pending`` until the network
    accepts its Follow (automatically, or ``mutuals network approve``), then
    ``approved``: only then does the network follow it back and announce its posts.
    ``announce`` is False when the member asked not to be announced.
    """

    __tablename__ = "network_members"
    __table_args__ = (UniqueConstraint("network_id", "actor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("remote_actors.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default="pending")
    announce: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    actor: Mapped[RemoteActor] = relationship(RemoteActor, lazy="joined")
