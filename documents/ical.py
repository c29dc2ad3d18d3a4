"""iCalendar (RFC 5545) feeds of events, for calendar apps.

Times are written in the event's own timezone (``DTSTART;TZID=Europe/Berlin:…``) with
a generated ``VTIMEZONE`` for each zone used, or in UTC (``…Z``) for ``UTC`` events,
so a repeating 19:00 meeting stays at 19:00 after a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Calendar, Event

from documents.when import zone

PRODID = "-//Mutuals//Mutuals events//EN"


@dataclass(frozen=True)
class CalendarEntry:
    """One event as a calendar shows it. ``description`` is plain text, not HTML.

    ``uid`` is the event's ActivityPub id (stable forever, unique across servers);
    ``sequence`` grows with every update, so calendar apps replace their copy;
    ``language`` is the title's and description's, when known (pages show it).
    """

    uid: str
    title: str
    start: dt.datetime
    timezone: str
    end: dt.datetime | None = None
    description: str = ""
    location: str | None = None
    url: str | None = None
    rrule: str | None = None
    cancelled: bool = False
    sequence: int = 0
    created: dt.datetime | None = None
    last_modified: dt.datetime | None = None
    language: str | None = None


def _vevent(entry: CalendarEntry, stamp: dt.datetime) -> Event:
    tz = zone(entry.timezone)
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("summary", entry.title)
    event.add("dtstart", entry.start.astimezone(tz))
    if entry.end is not None:
        event.add("dtend", entry.end.astimezone(tz))
    if entry.rrule:
        event.add("rrule", _rrule_value(entry.rrule))
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("sequence", entry.sequence)
    if entry.created is not None:
        event.add("created", entry.created.astimezone(dt.UTC))
    if entry.last_modified is not None:
        event.add("last-modified", entry.last_modified.astimezone(dt.UTC))
    return event


def _rrule_value(rule: str) -> dict[str, list[str]]:
    """``FREQ=MONTHLY;BYDAY=1TU`` as the mapping icalendar's ``vRecur`` takes."""
    value: dict[str, list[str]] = {}
    for part in rule.split(";"):
        key, _, raw = part.partition("=")
        value[key.upper()] = raw.split(",")
    return value


def build_calendar(entries: Iterable[CalendarEntry], *, name: str, now: dt.datetime) -> bytes:
    """A ``VCALENDAR`` (``METHOD:PUBLISH``) named ``name`` with one ``VEVENT`` per entry."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(_vevent(entry, now))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
