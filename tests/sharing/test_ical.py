from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

from documents.ical import CalendarEntry, build_calendar

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2025, 11, 20, 12, 0, tzinfo=dt.UTC)

MEETING = CalendarEntry(
    uid="https://mutuals.example/groups/g1/posts/abc",
    title="Monthly assembly",
    start=dt.datetime(2026, 3, 3, 19, 0, tzinfo=BERLIN),
    end=dt.datetime(2026, 3, 3, 21, 0, tzinfo=BERLIN),
    timezone="Europe/Berlin",
    description="Agenda: food; rota, \\ and a new\nline",
    location="Community hall, 12 Main St",
    url="https://mutuals.example/groups/g1/posts/abc",
    rrule="FREQ=MONTHLY;BYDAY=1TU",
    sequence=3,
    created=dt.datetime(2025, 11, 1, 8, 0, tzinfo=dt.UTC),
    last_modified=dt.datetime(2025, 11, 19, 8, 0, tzinfo=dt.UTC),
)
CALL = CalendarEntry(
    uid="https://mutuals.example/groups/g1/posts/call",
    title="Network call",
    start=dt.datetime(2025, 12, 1, 18, 0, tzinfo=dt.UTC),
    timezone="UTC",
    cancelled=True,
)


def _parse() -> Calendar:
    return Calendar.from_ical(build_calendar([MEETING, CALL], name="Eastside", now=NOW))


def test_calendar_headers() -> None:
    calendar = _parse()
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == "-//Mutuals//Mutuals events//EN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "Eastside"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_event_times_are_in_the_event_timezone() -> None:
    raw = build_calendar([MEETING], name="Eastside", now=NOW).decode()
    assert "DTSTART;TZID=Europe/Berlin:20260303T190000" in raw
    assert "DTEND;TZID=Europe/Berlin:20260303T210000" in raw
    meeting = _parse().walk("VEVENT")[0]
    start = meeting.decoded("dtstart")
    assert start == dt.datetime(2026, 3, 3, 18, 0, tzinfo=dt.UTC)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert meeting.decoded("dtend") - start == dt.timedelta(hours=2)


def test_all_fields_round_trip() -> None:
    meeting, call = _parse().walk("VEVENT")
    assert str(meeting["uid"]) == MEETING.uid
    assert str(meeting["summary"]) == "Monthly assembly"
    assert str(meeting["description"]) == MEETING.description
    assert str(meeting["location"]) == "Community hall, 12 Main St"
    assert str(meeting["url"]) == MEETING.url
    assert str(meeting["status"]) == "CONFIRMED"
    assert meeting.decoded("sequence") == 3
    assert meeting.decoded("dtstamp") == NOW
    assert meeting.decoded("created") == MEETING.created
    assert meeting.decoded("last-modified") == MEETING.last_modified
    assert meeting["rrule"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU"
    assert str(call["status"]) == "CANCELLED"
    assert call.decoded("dtstart") == CALL.start
    assert "dtend" not in call


def test_utc_events_are_written_with_z() -> None:
    raw = build_calendar([CALL], name="x", now=NOW).decode()
    assert "DTSTART:20251201T180000Z" in raw
    assert "BEGIN:VTIMEZONE" not in raw


def test_recurrences_expand_at_the_same_local_time_after_dst() -> None:
    meeting = _parse().walk("VEVENT")[0]
    start = meeting.decoded("dtstart")
    raw_rule = meeting["rrule"].to_ical()
    rule = raw_rule.decode() if isinstance(raw_rule, bytes) else str(raw_rule)
    occurrences = list(
        rrulestr(rule, dtstart=start.replace(tzinfo=None)).xafter(
            start.replace(tzinfo=None), count=2, inc=True
        )
    )
    local = [o.replace(tzinfo=BERLIN) for o in occurrences]
    assert [o.isoformat() for o in local] == [
        "2026-03-03T19:00:00+01:00",
        "2026-04-07T19:00:00+02:00",
    ]


def test_lines_are_folded_and_crlf_terminated() -> None:
    raw = build_calendar([MEETING], name="x" * 200, now=NOW)
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert raw.endswith(b"END:VCALENDAR\r\n")
