"""Group avatars uploaded by organizers: recognised by their bytes, kept in the database.

The image is served at `icon_url` (``/groups/{uid}/icon``), which becomes the group's
``icon_url`` and so the ``icon`` of its actor document. Its type is read from the file's
first bytes, never taken from what the browser claimed, and only PNG, JPEG, WebP and GIF
are kept: types every fediverse server shows, none of which can carry a script.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from actors.groups import GroupError
from actors.models import Group
from actors.urls import Urls
from store.db import Base, UTCDateTime, utcnow

MAX_ICON_BYTES = 2 * 1024 * 1024
"""The largest icon accepted (2 MB)."""

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class GroupIcon(Base):
    """The uploaded avatar of a group: one per group, replaced by each upload."""

    __tablename__ = "group_icons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    media_type: Mapped[str] = mapped_column(String(50))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def image_type(data: bytes) -> str:
    """The media type of a PNG, JPEG, WebP or GIF image, read from its first bytes.

    GroupError when the bytes are none of these, whatever the file's name or claimed type.
    """
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise GroupError("this file is not an image in a format we accept: use PNG, JPEG, WebP or GIF")


def icon_url(urls: Urls, group: Group, icon: GroupIcon) -> str:
    """Where the icon is served; the digest in the query changes with each new image."""
    return f"{urls.group(group.uid)}/icon?v={icon.sha256[:16]}"


async def store_icon(session: AsyncSession, urls: Urls, group: Group, data: bytes) -> str:
    """Keep ``data`` as the group's icon (replacing any); the URL it is served at.

    GroupError when it is empty, larger than `MAX_ICON_BYTES`, or not an accepted image.
    The caller sets the group's ``icon_url`` to the URL (``update_group_profile``).
    """
    if not data:
        raise GroupError("the file is empty: choose an image")
    if len(data) > MAX_ICON_BYTES:
        raise GroupError(
            "the image is too large: at most %(megabytes)s MB, make it smaller and try again",
            megabytes=MAX_ICON_BYTES // (1024 * 1024),
        )
    media_type = image_type(data)
    icon = await session.scalar(select(GroupIcon).where(GroupIcon.group_id == group.id))
    if icon is None:
        icon = GroupIcon(group_id=group.id)
        session.add(icon)
    icon.media_type, icon.data = media_type, data
    icon.sha256 = hashlib.sha256(data).hexdigest()
    icon.updated_at = utcnow()
    await session.flush()
    return icon_url(urls, group, icon)


async def remove_icon(session: AsyncSession, group: Group) -> bool:
    """Forget the group's uploaded icon; False when it had none."""
    result = await session.execute(delete(GroupIcon).where(GroupIcon.group_id == group.id))
    return bool(getattr(result, "rowcount", 0))


async def find_icon(session: AsyncSession, group_uid: str) -> GroupIcon | None:
    """The uploaded icon of the group whose URLs use ``group_uid``, or None."""
    found = await session.execute(
        select(GroupIcon).join(Group, Group.id == GroupIcon.group_id).where(Group.uid == group_uid)
    )
    return found.scalar_one_or_none()
