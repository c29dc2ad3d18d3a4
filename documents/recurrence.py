"""Repeating events: the RFC 5545 rule they carry and their next occurrence.

Occurrences are computed in the event's wall-clock time, so a monthly 19:00 meeting
stays at 19:00 across daylight-saving changes, then converted to an aware time.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from documents.errors import UnknownRepeatRule

REPEAT_WORDS: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "yearly": "FREQ=YEARLY",
}


def _unknown(rule: str) -> UnknownRepeatRule:
    """The error for ``rule``, which is neither a repeat word nor an RRULE."""
    return UnknownRepeatRule(
        "unknown repeat rule %(rule)r; use daily, weekly, biweekly, monthly, yearly "
        "or an RRULE such as FREQ=MONTHLY;BYDAY=1TU",
        rule=rule,
    )


def _parse(rule: str, start: dt.datetime) -> rrule:
    try:
        parsed = rrulestr(rule, dtstart=start.replace(tzinfo=None))
    except (ValueError, TypeError, KeyError, IndexError):
        raise _unknown(rule) from None
    if not isinstance(parsed, rrule):  # an RRULE set (several rules, EXDATE...) is not offered
        raise UnknownRepeatRule(
            "repeat rule %(rule)r has more than one rule; use daily, weekly, biweekly, monthly, "
            "yearly or an RRULE such as FREQ=MONTHLY;BYDAY=1TU",
            rule=rule,
        )
    return parsed


def repeat_rule(text: str, start: dt.datetime) -> str:
    """The RRULE value (no ``RRULE:`` prefix) for a word or rule, checked against ``start``."""
    cleaned = text.strip()
    rule = REPEAT_WORDS.get(cleaned.lower())
    if rule is None:
        rule = cleaned.removeprefix("RRULE:").removeprefix("rrule:").upper()
        if not rule.startswith("FREQ=") and ";FREQ=" not in f";{rule}":
            raise _unknown(text)
        if "DTSTART" in rule:
            raise UnknownRepeatRule("the repeat rule cannot set its own start; use --start")
    _parse(rule, start)
    return rule


def frequency(rule: str) -> str:
    """``MONTHLY`` for ``FREQ=MONTHLY;BYDAY=1TU``."""
    for part in rule.split(";"):
        key, _, value = part.partition("=")
        if key == "FREQ":
            return value
    raise UnknownRepeatRule("repeat rule %(rule)r has no FREQ", rule=rule)


def next_occurrence(
    start: dt.datetime, rule: str, tz: ZoneInfo, after: dt.datetime
) -> dt.datetime | None:
    """The first occurrence starting at or after ``after``, or None when the series ended."""
    local_start = start.astimezone(tz)
    local_after = after.astimezone(tz).replace(tzinfo=None)
    found = _parse(rule, local_start).after(local_after, inc=True)
    return None if found is None else _aware(found, tz)


def _aware(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    # Normalise through UTC: a wall time skipped by a DST change moves forward.
    return wall.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz)


# The rules a calendar page expands: each occurs again within a few years, so dateutil
# never walks to the year 9999 looking for an occurrence that cannot be (a daily rule
# "on 30 February", a "6th Monday"), which takes it seconds.
_COMMON = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
SHOWN_PARTS = {
    "DAILY": _COMMON | {"BYDAY"},
    "WEEKLY": _COMMON | {"BYDAY"},
    "MONTHLY": _COMMON | {"BYDAY", "BYMONTHDAY"},
    "YEARLY": _COMMON,
}
_WEEKDAY = re.compile(r"(MO|TU|WE|TH|FR|SA|SU)")
_NTH_WEEKDAY = re.compile(r"[+-]?[1-5]?(MO|TU|WE|TH|FR|SA|SU)")  # 1TU, -1FR: every month
_MONTH_DAY = re.compile(r"-?([1-9]|[12][0-9]|3[01])")
_PERIODS = {"DAILY": dt.timedelta(days=1), "WEEKLY": dt.timedelta(weeks=1)}
MAX_COUNT = 1000
"""A longer ``COUNT`` is not expanded (the series would be walked from its start)."""
MAX_SHOWN = 62
"""At most this many occurrences of one series in one span (two a day for a month)."""


def _all(pattern: re.Pattern[str], values: str | None) -> bool:
    return values is None or all(pattern.fullmatch(v) for v in values.split(","))


def _shown_parts(rule: str, tz: ZoneInfo) -> dict[str, str]:
    """The parts of a rule a calendar page expands, its ``UNTIL`` as wall time in ``tz``."""
    parts = dict(part.partition("=")[::2] for part in rule.upper().split(";"))
    freq = parts.get("FREQ", "")
    numbers = (parts.get("INTERVAL", "1"), parts.get("COUNT", "1"))
    if (
        not set(parts) <= SHOWN_PARTS.get(freq, set())
        or not _all(_NTH_WEEKDAY if freq == "MONTHLY" else _WEEKDAY, parts.get("BYDAY"))
        or not _all(_MONTH_DAY, parts.get("BYMONTHDAY"))
        or {"BYDAY", "BYMONTHDAY"} <= set(parts)  # "the 31st, if a second Monday": never
        or not all(n.isdigit() and 1 <= int(n) <= MAX_COUNT for n in numbers)
    ):
        raise UnknownRepeatRule("repeat rule %(rule)r is not one a calendar page shows", rule=rule)
    until = parts.get("UNTIL", "")
    if until.endswith("Z"):  # in UTC, as RFC 5545 wants with a time zone; dateutil refuses it
        try:
            utc = dt.datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            raise UnknownRepeatRule("repeat rule %(rule)r has a bad UNTIL", rule=rule) from None
        parts["UNTIL"] = utc.astimezone(tz).strftime("%Y%m%dT%H%M%S")
    return parts


def _moved_closer(start: dt.datetime, begin: dt.datetime, freq: str, interval: int) -> dt.datetime:
    """The series' start moved by whole periods to shortly before ``begin``: the same
    occurrences from there on, without walking through every one since it began.

    Days and weeks move by their length; months and years by whole 400-year cycles of
    the Gregorian calendar, after which every date falls on the same weekday again.
    """
    period = _PERIODS.get(freq)
    if period is not None:
        step = period * interval
        return start + (begin - start) // step * step
    cycle = 400 * interval
    return start.replace(year=start.year + max(0, begin.year - start.year - 1) // cycle * cycle)


def occurrences_between(
    start: dt.datetime, rule: str, tz: ZoneInfo, first: dt.date, stop: dt.date
) -> list[dt.datetime]:
    """The starts (in ``tz``) of the occurrences on the days from ``first`` to before ``stop``
    in ``tz``, at most `MAX_SHOWN`.

    An `UnknownRepeatRule` when the rule cannot be read or uses parts a calendar page does
    not expand (`SHOWN_PARTS`).
    """
    parts = _shown_parts(rule, tz)
    wall_start = start.astimezone(tz).replace(tzinfo=None)
    begin, end = (dt.datetime.combine(day, dt.time()) for day in (first, stop))
    if "COUNT" not in parts and wall_start < begin:
        interval = int(parts.get("INTERVAL", "1"))
        wall_start = _moved_closer(wall_start, begin, parts["FREQ"], interval)
    found = []
    series = _parse(";".join(f"{k}={v}" for k, v in parts.items()), wall_start)
    for wall in series.xafter(begin, count=MAX_SHOWN, inc=True):
        if wall >= end:
            break
        found.append(_aware(wall, tz))
    return found
