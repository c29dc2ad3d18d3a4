"""The tables of what local groups published: one row per post (a Note for status updates),
and one per hashtag of a post, for the tag pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


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


class PostTag(Base):
    """One hashtag of a post, by its key (`posts.tags.tag_key`): kept in step with the
    post's document ``tag`` list whenever it is published or edited."""

    __tablename__ = "post_tags"
    __table_args__ = (Index("ix_post_tags_tag", "tag", "post_id"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(200), primary_key=True)
