"""Calendar entries of a group's events and of its network's, for the iCalendar feeds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from documents.ical import CalendarEntry
from federation.content import plain_text
from posts.models import Post
from sharing.models import Event, RemoteEvent
from sharing.publishing import from_followed


def _where(name: str | None, address: str | None, online: str | None) -> str | None:
    return ", ".join(p for p in (name, address) if p) or online


def local_entry(row: Event, post: Post) -> CalendarEntry:
    """One of our events: its first occurrence and rule, so calendars expand the series."""
    place = _where(row.place_name, row.place_address, row.online_url)
    return CalendarEntry(
        uid=post.document["id"],
        title=row.title,
        start=row.starts_at,
        timezone=row.timezone,
        end=row.ends_at,
        description=row.body,
        location=place,
        url=post.document["id"],
        rrule=row.rrule,
        cancelled=row.cancelled,
        sequence=row.sequence,
        created=row.created_at,
        last_modified=row.updated_at,
        language=row.language,
    )


def remote_entry(row: RemoteEvent) -> CalendarEntry:
    """An event a followed group published, as we received it."""
    place = _where(row.place_name, row.place_address, row.online_url)
    return CalendarEntry(
        uid=row.ap_id,
        title=row.title,
        start=row.starts_at,
        timezone=row.timezone or "UTC",
        end=row.ends_at,
        description=" ".join(plain_text(row.content_html).split()) or row.summary,
        location=place,
        url=row.url or row.ap_id,
        rrule=row.rrule,
        cancelled=row.cancelled,
        last_modified=row.updated,
    )


async def group_entries(session: AsyncSession, group: Group) -> list[CalendarEntry]:
    """The group's public events, soonest first."""
    found = await session.execute(
        select(Event, Post)
        .join(Post, Post.id == Event.post_id)
        .where(Event.group_id == group.id, Post.deleted_at.is_(None))
        .where(Post.visibility.in_(("public", "unlisted")))
        .order_by(Event.starts_at)
    )
    return [local_entry(row, post) for row, post in found.all()]


async def event_entry(session: AsyncSession, group: Group, post_uid: str) -> CalendarEntry | None:
    """One public event of the group, by its post uid."""
    found = await session.execute(
        select(Event, Post)
        .join(Post, Post.id == Event.post_id)
        .where(Event.group_id == group.id, Post.uid == post_uid, Post.deleted_at.is_(None))
        .where(Post.visibility.in_(("public", "unlisted")))
    )
    row = found.first()
    return None if row is None else local_entry(row[0], row[1])


async def network_entries(session: AsyncSession, group: Group) -> list[CalendarEntry]:
    """The public events of the actors the group follows, soonest first (everything that
    shows them is public: followers-only events are left out)."""
    found = await session.execute(
        select(RemoteEvent)
        .where(from_followed(RemoteEvent, group), RemoteEvent.public.is_(True))
        .order_by(RemoteEvent.starts_at)
    )
    return [remote_entry(row) for row in found.scalars()]
