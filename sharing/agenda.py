"""The calendar page's events: a month of occurrences, and what comes next.

The same events as the group's iCalendar feeds (`sharing.calendars`: its public
events, and those of the actors it follows), expanded here rather than by a calendar
app: each occurrence on its day in the event's own time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from documents.errors import UnknownRepeatRule, UnknownTimezone
from documents.event import when_line
from documents.ical import CalendarEntry
from documents.phrases import format_time, zone_label
from documents.recurrence import occurrences_between
from documents.when import zone
from sharing.calendars import group_entries, network_entries

AHEAD = dt.timedelta(days=5 * 366)
"""How far ahead the next occurrence of a repeating event is looked for."""
LONGEST = dt.timedelta(days=366)
"""An event said to last longer is shown with its start alone."""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event, its times in the event's time zone.

    ``network`` when a followed actor published it rather than the group.
    """

    entry: CalendarEntry
    start: dt.datetime
    end: dt.datetime | None
    network: bool

    @property
    def zone_name(self) -> str:
        """The event's time zone (``Europe/London``)."""
        return str(self.start.tzinfo)

    def when(self, language: str) -> str:
        """``Sat 13 Apr 2030, 10:00–13:00 BST``, in the words of ``language``."""
        return when_line(self.start, self.end, language)

    def time(self) -> str:
        """``10:00 BST``: when it starts on its day."""
        return f"{format_time(self.start)} {zone_label(self.start)}"


def _zone(entry: CalendarEntry) -> ZoneInfo:
    try:
        return zone(entry.timezone)
    except UnknownTimezone:  # received events are checked, but not against this machine's zones
        return ZoneInfo("UTC")


def _starts(entry: CalendarEntry, tz: ZoneInfo, first: dt.date, stop: dt.date) -> list[dt.datetime]:
    """When ``entry`` starts on the days from ``first`` to before ``stop``, in ``tz``.

    A rule a page does not expand (`occurrences_between`) leaves the first occurrence.
    """
    if not 1 < entry.start.year < dt.MAXYEAR - 1:  # received dates any zone and end can move
        return []
    if entry.rrule:
        try:
            return occurrences_between(entry.start, entry.rrule, tz, first, stop)
        except UnknownRepeatRule:
            pass
    start = entry.start.astimezone(tz)
    return [start] if first <= start.date() < stop else []


def _lasts(entry: CalendarEntry) -> dt.timedelta | None:
    """How long each occurrence lasts; None without an end, or with one no page shows (a
    received event may end before it starts, or in a thousand years)."""
    lasts = None if entry.end is None else entry.end - entry.start
    return lasts if lasts is not None and dt.timedelta(0) <= lasts <= LONGEST else None


def _occurrence(entry: CalendarEntry, start: dt.datetime, network: bool) -> Occurrence:
    lasts = _lasts(entry)
    end = None if lasts is None else (start + lasts).astimezone(start.tzinfo)
    return Occurrence(entry, start, end, network)


def _between(
    entries: Iterable[CalendarEntry], first: dt.date, stop: dt.date, network: bool
) -> list[Occurrence]:
    return [
        _occurrence(entry, start, network)
        for entry in entries
        for start in _starts(entry, _zone(entry), first, stop)
    ]


async def month(session: AsyncSession, group: Group, first: dt.date) -> list[Occurrence]:
    """The occurrences of the group's events and its network's in the month that begins on
    ``first``, soonest first."""
    stop = (first + dt.timedelta(days=32)).replace(day=1)
    own = _between(await group_entries(session, group), first, stop, network=False)
    theirs = _between(await network_entries(session, group), first, stop, network=True)
    return sorted(own + theirs, key=lambda found: found.start)


def _next(entry: CalendarEntry, now: dt.datetime, network: bool) -> Occurrence | None:
    tz = _zone(entry)
    lasts = _lasts(entry) or dt.timedelta(0)
    if entry.rrule:
        first = (now - lasts).astimezone(tz).date()
        starts = _starts(entry, tz, first, first + AHEAD)
    else:  # one-off events, however far ahead
        starts = _starts(entry, tz, dt.date.min, dt.date.max)
    return next((_occurrence(entry, s, network) for s in starts if s + lasts > now), None)


async def upcoming(session: AsyncSession, group: Group, now: dt.datetime) -> list[Occurrence]:
    """Each event of the group and its network not over at ``now``, at its next occurrence
    (the one under way, if any), soonest first."""
    found = [
        _next(entry, now, network)
        for network, entries in (
            (False, await group_entries(session, group)),
            (True, await network_entries(session, group)),
        )
        for entry in entries
    ]
    return sorted((o for o in found if o is not None), key=lambda o: o.start)
