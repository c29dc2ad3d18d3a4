"""Tables for local groups, their keys, remote actors, follow relationships, and the
remote groups the directory learned from networks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from actors.keys import generate_ed25519_pem
from store.db import Base, UTCDateTime, utcnow


class Group(Base):
    """A local group, published as an ActivityPub ``Group`` actor.

    ``uid`` is fixed at creation and names every URL of the group, so renaming
    (changing ``name``, the WebFinger username) never changes the actor id.
    """

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    icon_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    manual_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=True)
    hide_collections: Mapped[bool] = mapped_column(Boolean, default=False)
    fields: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Where it is and what it is about (documents.whereabouts): a place name, coordinates
    # stored already rounded to about 1 km, hashtag keys, BCP 47 language tags.
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Who may post through the group (``forum.policy``): open, approval or organizers.
    posting: Mapped[str] = mapped_column(String(20), default="approval")
    # Which replies in its threads the group announces: top-level (none) or all.
    announce_replies: Mapped[str] = mapped_column(String(20), default="top-level")
    # A network is a group whose members are groups (``networks``); ``network_announce``
    # says which of its members' posts it announces: all, sharing or tagged.
    is_network: Mapped[bool] = mapped_column(Boolean, default=False)
    network_announce: Mapped[str] = mapped_column(String(20), default="all")
    # Moving (``follows.moves``): the actor ids this group also is (``alsoKnownAs``), and
    # the one it moved to (``movedTo``), after which it only redirects there.
    also_known_as: Mapped[list[str]] = mapped_column(JSON, default=list)
    moved_to: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    public_key_pem: Mapped[str] = mapped_column(Text)
    # Signs the integrity proofs (FEP-8b32) of what the group sends; made with the group
    # (NULL only for a group an older version created during an upgrade: it sends none).
    ed25519_private_pem: Mapped[str | None] = mapped_column(
        Text, nullable=True, default=generate_ed25519_pem
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InstanceKey(Base):
    """The key pair of the instance actor, which signs outgoing GETs. One row, id 1
    (``actors.instance.instance_key_pair``); the database refuses any other."""

    __tablename__ = "instance_keys"
    __table_args__ = (CheckConstraint("id = 1", name="instance_keys_one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemoteActor(Base):
    """An actor on another server, as last fetched from its origin."""

    __tablename__ = "remote_actors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ap_id: Mapped[str] = mapped_column(String(2000), unique=True)
    type: Mapped[str] = mapped_column(String(50), default="Person")
    domain: Mapped[str] = mapped_column(String(255), index=True)
    preferred_username: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    inbox: Mapped[str] = mapped_column(String(2000))
    shared_inbox: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(2000), unique=True, nullable=True)
    public_key_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def handle(self) -> str:
        """``user@domain`` when the actor has a username, else its id."""
        return f"{self.preferred_username}@{self.domain}" if self.preferred_username else self.ap_id

    @property
    def delivery_inbox(self) -> str:
        """The inbox to deliver to: the shared one when the server has it."""
        return self.shared_inbox or self.inbox


class _Follow:
    """The columns of a follow between a local group and a remote actor, in either direction.

    Each table adds its own ``follow_ap_id``; ``sort_order`` puts it after ``actor_id``,
    where the migrations created it.
    """

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("group_id", "actor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True, sort_order=-1
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("remote_actors.id", ondelete="CASCADE"), sort_order=-1
    )
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def actor(cls) -> Mapped[RemoteActor]:
        return relationship(RemoteActor, lazy="joined")


class Follower(_Follow, Base):
    """A remote actor following a local group (pending until accepted)."""

    __tablename__ = "followers"

    follow_ap_id: Mapped[str] = mapped_column(String(2000))


class Following(_Follow, Base):
    """A local group following a remote actor (pending until the remote side accepts)."""

    __tablename__ = "following"

    follow_ap_id: Mapped[str] = mapped_column(String(2000), unique=True)
    # Set when the group joined the actor as a network: which of the network's posts it
    # relays to its own followers (``all``, ``sharing`` or ``none``; ``networks.relay``).
    relay: Mapped[str | None] = mapped_column(String(20), nullable=True, default=None)


class NetworkRead(Base):
    """When this instance last read a network's members for its directory.

    ``network`` is the actor id of a network a local group joined, or of a member of a
    local network (whose own members, if it is a network, are read too). ``error`` says
    why the last read failed; the rows it learned before are kept until a read works.
    """

    __tablename__ = "network_reads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network: Mapped[str] = mapped_column(String(2000), unique=True)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class KnownGroup(Base):
    """A remote group the directory lists because a network it read names it a member.

    ``via`` is the `NetworkRead` that found it (``networks.outreach``): a group the
    network stops listing leaves the directory at the next complete read.
    """

    __tablename__ = "known_groups"
    __table_args__ = (UniqueConstraint("via_id", "actor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    via_id: Mapped[int] = mapped_column(ForeignKey("network_reads.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("remote_actors.id", ondelete="CASCADE"), index=True
    )
