"""What a group's public pages show of what it shares: its next events, its open offers
and needs, and the details behind one post (the event, offer or poll it carries).

Only what anyone may read: rows whose post is public or unlisted and not deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from documents.common import TagUrl
from documents.event import when_line
from documents.phrases import phrases
from documents.recurrence import frequency
from documents.text import render
from posts.models import Post
from sharing.events import event_spec
from sharing.models import Event, Offer, Poll
from sharing.offers import offer_spec
from sharing.polls import Results, results
from sharing.rsvps import rsvp_counts
from store.db import utcnow

READABLE = ("public", "unlisted")
NEXT_EVENTS = 5


@dataclass(frozen=True)
class Occurrence:
    """An event at its occurrence to come (the first one, for a single event), in the
    event's own time zone."""

    event: Event
    post: Post
    start: dt.datetime
    end: dt.datetime | None

    def when(self, language: str) -> str:
        """``Sat 13 Apr 2030, 10:00–13:00 BST``, in the words of ``language``."""
        return when_line(self.start, self.end, language)

    def repeats(self, language: str) -> str | None:
        """``every week``, in the words of ``language``; None for a single event."""
        rule = self.event.rrule
        return phrases(language).every.get(frequency(rule), rule) if rule else None

    @property
    def place(self) -> str | None:
        """``Riverside allotments, 12 Mill Lane``; None for an online event."""
        parts = (self.event.place_name, self.event.place_address)
        return ", ".join(p for p in parts if p) or None


def occurrence(event: Event, post: Post, now: dt.datetime | None = None) -> Occurrence:
    """The occurrence of ``event`` its page shows: the next one not over, else the first."""
    start, end = event_spec(event).occurrence(now or utcnow())
    return Occurrence(event, post, start, end)


async def upcoming_events(
    session: AsyncSession, group: Group, now: dt.datetime | None = None, limit: int = NEXT_EVENTS
) -> list[Occurrence]:
    """The group's next events not cancelled nor over, soonest first."""
    now = now or utcnow()
    found = await session.execute(
        select(Event, Post)
        .join(Post, Post.id == Event.post_id)
        .where(Event.group_id == group.id, Event.cancelled.is_(False))
        .where(Post.deleted_at.is_(None), Post.visibility.in_(READABLE))
        .where(or_(Event.rrule.is_not(None), func.coalesce(Event.ends_at, Event.starts_at) >= now))
    )
    shown = [occurrence(event, post, now) for event, post in found.all()]
    # A repeating event whose rule has run out shows its first occurrence: over.
    coming = [o for o in shown if (o.end or o.start) >= now]
    return sorted(coming, key=lambda o: o.start)[:limit]


async def open_offers(
    session: AsyncSession, group: Group, now: dt.datetime | None = None
) -> list[tuple[Offer, Post]]:
    """The group's offers and needs still open and not past their end date, oldest first."""
    now = now or utcnow()
    found = await session.execute(
        select(Offer, Post)
        .join(Post, Post.id == Offer.post_id)
        .where(Offer.group_id == group.id, Offer.state == "open")
        .where(Post.deleted_at.is_(None), Post.visibility.in_(READABLE))
        .where(or_(Offer.valid_until.is_(None), Offer.valid_until > now))
        .order_by(Offer.id)
    )
    return [(offer, post) for offer, post in found.all()]


async def _shared_row(session: AsyncSession, post: Post) -> Offer | Event | Poll | None:
    """The offer, need, event or poll ``post`` carries; None for a status update."""
    if post.type == "Event":
        return await session.scalar(select(Event).where(Event.post_id == post.id))
    if post.type == "Question":
        return await session.scalar(select(Poll).where(Poll.post_id == post.id))
    return await session.scalar(select(Offer).where(Offer.post_id == post.id))


def _description_html(row: Offer | Event, tag_url: TagUrl) -> str:
    """The sanitized HTML of an offer's or event's text, in its first language, without the
    line of date, place or state its document's ``content`` starts with (a page shows
    those as fields of their own)."""
    body = offer_spec(row).body if isinstance(row, Offer) else event_spec(row).body
    if body is None:
        return ""
    html, _tags = render(body, tag_url)
    return html[body.language]


@dataclass(frozen=True)
class Details:
    """What a post's page shows besides its document: the offer, event or poll it carries
    with the answers counted, and the text of an offer or event."""

    offer: Offer | None = None
    event: Occurrence | None = None
    rsvps: dict[str, int] | None = None
    poll: Results | None = None
    description_html: str = ""


async def post_details(
    session: AsyncSession, post: Post, tag_url: TagUrl, now: dt.datetime | None = None
) -> Details:
    """The details of ``post``; empty for a status update."""
    now = now or utcnow()
    row = await _shared_row(session, post)
    if isinstance(row, Event):
        return Details(
            event=occurrence(row, post, now),
            rsvps=await rsvp_counts(session, row),
            description_html=_description_html(row, tag_url),
        )
    if isinstance(row, Offer):
        return Details(offer=row, description_html=_description_html(row, tag_url))
    if isinstance(row, Poll):
        return Details(poll=await results(session, row, now))
    return Details()
