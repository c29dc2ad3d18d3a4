"""Repeating events: the RFC 5545 rule they carry and their next occurrence.

Occurrences are computed in the event's wall-clock time, so a monthly 19:00 meeting
stays at 19:00 across daylight-saving changes, then converted to an aware time.
"""

from __future__ import annotations

import datetime as dt
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
_HINT = "use daily, weekly, biweekly, monthly, yearly or an RRULE such as FREQ=MONTHLY;BYDAY=1TU"


def _parse(rule: str, start: dt.datetime) -> rrule:
    try:
        parsed = rrulestr(rule, dtstart=start.replace(tzinfo=None))
    except (ValueError, TypeError, KeyError, IndexError):
        raise UnknownRepeatRule(f"unknown repeat rule {rule!r}; {_HINT}") from None
    if not isinstance(parsed, rrule):  # an RRULE set (several rules, EXDATE...) is not offered
        raise UnknownRepeatRule(f"repeat rule {rule!r} has more than one rule; {_HINT}")
    return parsed


def repeat_rule(text: str, start: dt.datetime) -> str:
    """The RRULE value (no ``RRULE:`` prefix) for a word or rule, checked against ``start``."""
    cleaned = text.strip()
    rule = REPEAT_WORDS.get(cleaned.lower())
    if rule is None:
        rule = cleaned.removeprefix("RRULE:").removeprefix("rrule:").upper()
        if not rule.startswith("FREQ=") and ";FREQ=" not in f";{rule}":
            raise UnknownRepeatRule(f"unknown repeat rule {text!r}; {_HINT}")
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
    raise UnknownRepeatRule(f"repeat rule {rule!r} has no FREQ")


def next_occurrence(
    start: dt.datetime, rule: str, tz: ZoneInfo, after: dt.datetime
) -> dt.datetime | None:
    """The first occurrence starting at or after ``after``, or None when the series ended."""
    local_start = start.astimezone(tz)
    local_after = after.astimezone(tz).replace(tzinfo=None)
    found = _parse(rule, local_start).after(local_after, inc=True)
    if found is None:
        return None
    # Normalise through UTC: a wall time skipped by a DST change moves forward.
    return found.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz)
