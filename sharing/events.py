"""Events: create, change, cancel, and move a repeating event on to its next occurrence.

The ``events`` row keeps the first occurrence and the rule; the ``Event`` document
shows the occurrence to come (see :mod:`documents.event`). Every change an
organizer makes bumps ``sequence`` (calendar apps replace their copy) and sends an
``Update``; so does a repeating event whose occurrence is over.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from documents.event import EventSpec, Place, event_document
from posts.models import Post
from posts.notes import new_post, republish_post
from sharing import publishing
from sharing.models import Event, Rsvp
from store.db import utcnow

RSVP_STATES = ("going", "maybe", "declined")


def event_spec(row: Event) -> EventSpec:
    """The builder's input, read back from a stored event."""
    place = Place(row.place_name, row.place_address) if row.place_name else None
    return EventSpec(
        title=publishing.texts(row.language, row.title, row.translations, "title"),
        start=row.starts_at,
        timezone=row.timezone,
        end=row.ends_at,
        body=publishing.optional_texts(row.language, row.body, row.translations, "body"),
        place=place,
        online_url=row.online_url,
        repeat=row.rrule,
        cancelled=row.cancelled,
    )


def _fill(row: Event, spec: EventSpec) -> None:
    row.title = spec.title.text
    row.body = spec.body.text if spec.body else ""
    row.language = spec.title.language
    row.translations = publishing.stored_translations(
        {"title": spec.title, "body": spec.body}, row.language
    )
    row.starts_at = spec.start
    row.ends_at = spec.end
    row.timezone = spec.timezone
    row.place_name = spec.place.name if spec.place else None
    row.place_address = spec.place.address if spec.place else None
    row.online_url = spec.online_url
    row.rrule = spec.repeat
    row.cancelled = spec.cancelled


async def going_count(session: AsyncSession, row: Event) -> int:
    """How many accounts said they are going."""
    count = await session.scalar(
        select(func.count()).select_from(Rsvp).where(Rsvp.event_id == row.id, Rsvp.state == "going")
    )
    return int(count or 0)


async def _document(
    session: AsyncSession, ctx: Context, group: Group, post: Post, row: Event, now: dt.datetime
) -> dict[str, Any]:
    going = await going_count(session, row) if row.id is not None else 0
    spec = event_spec(row)
    return event_document(
        spec, publishing.meta(ctx, group, post), ctx.urls.tag, now, participants=going
    )


async def create_event(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    spec: EventSpec,
    now: dt.datetime | None = None,
) -> Event:
    """Publish an event (``spec`` is already checked: nothing bad reaches the database)."""
    now = now or utcnow()
    if spec.place is not None and spec.online_url is not None:
        raise UserError("an event is either in a place or online; give one of them")
    post = new_post(ctx, group, "Event", now, spec.title.text)
    row = Event(group_id=group.id, sequence=0, created_at=now, updated_at=now)
    _fill(row, spec)
    post.document = await _document(session, ctx, group, post, row, now)
    return await publishing.publish_shared(session, ctx, group, post, row)


async def change_event(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    post_uid: str,
    now: dt.datetime | None = None,
    **changes: Any,
) -> Event:
    """Change some of an event's fields (``EventSpec`` names) and send the ``Update``.

    ``cancelled=True`` cancels it. The new spec is checked before anything changes.
    """
    now = now or utcnow()
    row, post = await publishing.find_shared(session, group, Event, post_uid, "an event")
    if row.cancelled:
        raise UserError("event %(post)s is cancelled; create a new one instead", post=post.uid)
    old = event_spec(row)
    values = {name: getattr(old, name) for name in EventSpec.__dataclass_fields__}
    values.update(changes)
    spec = EventSpec(**values)
    if spec.place is not None and spec.online_url is not None:
        raise UserError("an event is either in a place or online; give one of them")
    _fill(row, spec)
    row.sequence += 1
    row.updated_at = post.updated_at = now
    await republish_post(
        session, ctx, group, post, await _document(session, ctx, group, post, row, now)
    )
    return row


async def advance_repeating(session: AsyncSession, ctx: Context, now: dt.datetime) -> int:
    """Re-send repeating events whose shown occurrence is over; how many moved on."""
    found = await session.execute(
        publishing.live_rows(Event).where(Event.rrule.is_not(None), Event.cancelled.is_(False))
    )
    moved = 0
    for row, post, group in found.all():
        shown = dt.datetime.fromisoformat(post.document["startTime"])
        start, _ = event_spec(row).occurrence(now)
        if start > shown:
            post.updated_at = now
            doc = await _document(session, ctx, group, post, row, now)
            await republish_post(session, ctx, group, post, doc)
            moved += 1
    return moved


async def list_attendees(session: AsyncSession, group: Group, post_uid: str) -> list[Rsvp]:
    """The answers to one of ``group``'s events, by state then account."""
    row, _post = await publishing.find_shared(session, group, Event, post_uid, "an event")
    found = await session.execute(
        select(Rsvp).where(Rsvp.event_id == row.id).order_by(Rsvp.state, Rsvp.actor_ap_id)
    )
    return list(found.scalars())
