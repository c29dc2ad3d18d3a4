"""Events: an ActivityStreams ``Event`` that Mastodon, Mobilizon and Gancio all display.

Shape, and why:

- Mastodon converts ``Event`` (``CONVERTED_TYPES`` in ``app/lib/activitypub/activity.rb``)
  into a status whose text is only ``name``, ``summary`` and the ``url``
  (``ActivityPub::Activity::Create#converted_text``); ``content``, ``startTime``,
  ``endTime`` and ``location`` are dropped, and ``summary`` is *not* a content warning
  there (``spoiler_text: converted_object_type? ? '' : …``). So ``summary`` is a plain
  text line with the date, time, zone, place and how to RSVP, as Mobilizon
  (``Converter.Event.event_summary``: "date - zone - address") and Gancio do.
- The rest follows Mobilizon's ``Converter.Event.model_to_as``: ``startTime``/``endTime``
  in the event's own offset, ``timezone`` (IANA name), ``location`` as a ``Place`` with a
  ``PostalAddress``, ``joinMode: "free"``, ``inLanguage``, ``isOnline`` and
  ``status``/``ical:status`` ``CONFIRMED`` or ``CANCELLED``.
- An online event's link is an ``attachment`` ``Link`` named ``Website``, which is
  where Mobilizon looks for it (``get_online_address``); no ``VirtualLocation`` is
  sent, because Mobilizon turns any ``location`` into a physical address.
- A repeating event carries its RFC 5545 rule as ``ical:rrule``, and ``startTime``/
  ``endTime`` are its *next* occurrence, so software that ignores the rule still
  shows the right date.
- ``content`` repeats the summary line above the description, for readers that show
  only ``content``.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from documents.common import MAX_TITLE, Meta, TagUrl, hashtag, local_timestamp
from documents.errors import BadPlace
from documents.multilingual import Multilingual
from documents.phrases import format_date, format_time, phrases, zone_label
from documents.recurrence import frequency, next_occurrence, repeat_rule
from documents.text import MAX_TEXT, check_texts, render
from documents.when import require_aware, require_order, zone

ONLINE_LINK_NAME = "Website"  # Mobilizon's name for an event's online address

# Mobilizon's terms (``ActivityPub.Utils.make_json_ld_header``), IRIs kept as it writes them.
CONTEXT_TERMS: dict[str, Any] = {
    "sc": "http://schema.org#",
    "mz": "https://joinmobilizon.org/ns#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
    "participantCount": {"@id": "mz:participantCount", "@type": "sc:Integer"},
    "inLanguage": "sc:inLanguage",
    "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "streetAddress": "sc:streetAddress",
    "status": {"@id": "ical:status", "@type": "ical:status"},
}


@dataclass(frozen=True)
class Place:
    """Where an event happens: a name and an optional street address."""

    name: str
    address: str | None = None

    @classmethod
    def parse(cls, text: str) -> Place:
        """``"Community hall, 12 Main St, Berlin"`` → name before the first comma, then address."""
        name, _, address = text.partition(",")
        if not name.strip():
            raise BadPlace(
                "the place %(place)r has no name; write it as 'name, address'", place=text
            )
        return cls(name.strip()[:MAX_TITLE], address.strip() or None)

    def label(self) -> str:
        """``Community hall, 12 Main St``."""
        return ", ".join(p for p in (self.name, self.address) if p)

    def document(self) -> dict[str, Any]:
        """A ``Place``, with a ``PostalAddress`` when there is an address (as Mobilizon)."""
        doc: dict[str, Any] = {"type": "Place", "name": self.name}
        if self.address:
            doc["address"] = {"type": "PostalAddress", "streetAddress": self.address}
        return doc


@dataclass(frozen=True)
class EventSpec:
    """An event as an organizer describes it; checked (and ``repeat`` normalised) on creation.

    ``start`` is the first occurrence; ``repeat`` a word (``monthly``) or an RRULE.
    """

    title: Multilingual
    start: dt.datetime
    timezone: str
    end: dt.datetime | None = None
    body: Multilingual | None = None
    place: Place | None = None
    online_url: str | None = None
    repeat: str | None = None
    cancelled: bool = False

    def __post_init__(self) -> None:
        title = check_texts(self.title, "title", MAX_TITLE)
        body = self.body and check_texts(self.body, "text", MAX_TEXT, like=title)
        tz = zone(self.timezone)
        require_aware(self.start, "start")
        if self.end is not None:
            require_order(require_aware(self.start, "start"), require_aware(self.end, "end"))
        online = (self.online_url or "").strip() or None
        if online is not None:
            parts = urlsplit(online)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise BadPlace("the online link %(link)r is not a web address", link=online)
        rule = self.repeat and repeat_rule(self.repeat, self.start.astimezone(tz))
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "timezone", tz.key)
        object.__setattr__(self, "repeat", rule or None)
        object.__setattr__(self, "online_url", online)

    @property
    def duration(self) -> dt.timedelta | None:
        """How long each occurrence lasts, when it has an end."""
        return None if self.end is None else self.end - self.start

    def occurrence(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
        """Start and end of the occurrence to show: the next not yet over, else the first."""
        tz = zone(self.timezone)
        start = self.start.astimezone(tz)
        if self.repeat:
            after = now - (self.duration or dt.timedelta(0))
            start = next_occurrence(self.start, self.repeat, tz, after) or start
        duration = self.duration
        return start, None if duration is None else (start + duration).astimezone(tz)


def when_line(start: dt.datetime, end: dt.datetime | None, lang: str) -> str:
    """``Sat 29 Nov 2025, 10:00–13:00 CET`` (a range over days names both days)."""
    text = f"{format_date(start.date(), lang)}, {format_time(start)}"
    if end is not None and end.date() == start.date():
        text += f"–{format_time(end)}"
    elif end is not None:
        text += f" – {format_date(end.date(), lang)}, {format_time(end)}"
    return f"{text} {zone_label(start)}"


def summary_line(spec: EventSpec, lang: str, now: dt.datetime) -> str:
    """The plain-text line Mastodon shows under the title: when, how often, where, how to RSVP."""
    words = phrases(lang)
    start, end = spec.occurrence(now)
    parts = [f"📅 {when_line(start, end, lang)}"]
    if spec.repeat:
        parts.append(f"🔁 {words.every.get(frequency(spec.repeat), spec.repeat)}")
    if spec.place:
        parts.append(f"📍 {spec.place.label()}")
    if spec.online_url:
        parts.append(f"💻 {words.online}: {spec.online_url}")
    if spec.cancelled:
        return f"❌ {words.cancelled} — " + " · ".join(parts)
    return " · ".join([*parts, words.rsvp])


def event_document(
    spec: EventSpec,
    meta: Meta,
    tag_url: TagUrl,
    now: dt.datetime,
    *,
    participants: int | None = None,
) -> dict[str, Any]:
    """The ``Event`` (without ``@context``) as of ``now``, ready to wrap in a Create or Update."""
    tz = zone(spec.timezone)
    start, end = spec.occurrence(now)
    summary = spec.title.map(lambda lang, _: summary_line(spec, lang, now))
    bodies, body_tags = render(spec.body, tag_url) if spec.body else ({}, [])
    content = summary.map(lambda lang, line: f"<p>{html.escape(line)}</p>{bodies.get(lang, '')}")
    status = "CANCELLED" if spec.cancelled else "CONFIRMED"
    doc: dict[str, Any] = {
        **meta.fields("Event"),
        **spec.title.fields("name"),
        **summary.fields("summary"),
        **content.fields("content"),
        "mediaType": "text/html",
        "startTime": local_timestamp(start, tz),
    }
    if end is not None:
        doc["endTime"] = local_timestamp(end, tz)
    doc.update(timezone=spec.timezone, inLanguage=spec.title.language, joinMode="free")
    # Mobilizon reads "status" and falls back to "ical:status" (older versions: only that).
    doc.update({"status": status, "ical:status": status, "isOnline": spec.online_url is not None})
    if spec.repeat:
        doc["ical:rrule"] = spec.repeat
    if spec.place:
        doc["location"] = spec.place.document()
    if spec.online_url:
        link = {"type": "Link", "name": ONLINE_LINK_NAME, "mediaType": "text/html"}
        doc["attachment"] = [{**link, "href": spec.online_url}]
    if participants is not None:
        doc["participantCount"] = participants
    doc["tag"] = [hashtag(name, tag_url) for name in body_tags]
    return doc
