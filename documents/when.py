"""Dates, times and timezones as organizers type them, checked with clear errors."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from documents.errors import BadDates, UnknownTimezone

_EXAMPLE = "2025-11-29 18:30"


def zone(name: str) -> ZoneInfo:
    """The IANA timezone ``name`` (``Europe/Berlin``, ``UTC``), or :class:`UnknownTimezone`."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(
            "unknown timezone %(name)r; use an IANA name such as Europe/Berlin or UTC", name=name
        ) from None


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadDates("%(text)r is not a date; write it as 2025-11-30", text=text) from None


def parse_local_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` read as wall-clock time in ``tz`` (an explicit offset wins).

    A time skipped by a daylight-saving change (02:30 on a spring-forward night)
    is an error rather than silently moved.
    """
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadDates(
            "%(text)r is not a date and time; write it as %(example)s", text=text, example=_EXAMPLE
        ) from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(tz)
    local = parsed.replace(tzinfo=tz)
    if local.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != parsed:
        raise BadDates(
            "%(text)s does not exist in %(zone)s (the clocks change then)", text=text, zone=tz.key
        )
    return local


def end_of_day(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The last second of ``day`` in ``tz``: when an offer valid "until" that day expires."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def require_aware(when: dt.datetime, what: str) -> dt.datetime:
    """``when`` if it carries a timezone (a programming error otherwise)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return when


def require_order(start: dt.datetime, end: dt.datetime, what: str = "event") -> None:
    """An error unless ``end`` is after ``start``."""
    if end <= start:
        raise BadDates(
            "the %(what)s ends (%(end)s) before it starts (%(start)s)",
            what=what,
            end=end.isoformat(" ", "minutes"),
            start=start.isoformat(" ", "minutes"),
        )


def require_future(when: dt.datetime, now: dt.datetime, what: str) -> None:
    """An error unless ``when`` is after ``now`` (a poll closing, an offer's end)."""
    if when <= now:
        raise BadDates(
            "%(what)s (%(when)s) is in the past", what=what, when=when.isoformat(" ", "minutes")
        )
