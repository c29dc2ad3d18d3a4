from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from documents.errors import UnknownRepeatRule
from documents.recurrence import frequency, next_occurrence, occurrences_between, repeat_rule

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 3, 3, 19, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("weekly", "FREQ=WEEKLY"),
        ("Monthly", "FREQ=MONTHLY"),
        ("biweekly", "FREQ=WEEKLY;INTERVAL=2"),
        ("RRULE:FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=1TU"),
        ("freq=weekly;count=4", "FREQ=WEEKLY;COUNT=4"),
    ],
)
def test_words_and_rules(text: str, rule: str) -> None:
    assert repeat_rule(text, START) == rule


@pytest.mark.parametrize("text", ["fortnightly", "", "BYDAY=1TU", "FREQ=WEEKLY;BYDAY=XX"])
def test_unknown_rules(text: str) -> None:
    with pytest.raises(UnknownRepeatRule, match="use daily, weekly"):
        repeat_rule(text, START)


def test_a_rule_cannot_move_the_start() -> None:
    with pytest.raises(UnknownRepeatRule, match="cannot set its own start"):
        repeat_rule("FREQ=WEEKLY;DTSTART=20250101T000000", START)


def test_next_occurrence_keeps_the_wall_clock_time_across_dst() -> None:
    after = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    found = next_occurrence(START, "FREQ=MONTHLY;BYDAY=1TU", BERLIN, after)
    assert found == dt.datetime(2026, 4, 7, 19, 0, tzinfo=BERLIN)
    assert found is not None and found.utcoffset() == dt.timedelta(hours=2)


def test_next_occurrence_includes_now_and_ends_with_the_series() -> None:
    assert next_occurrence(START, "FREQ=WEEKLY", BERLIN, START) == START
    assert (
        next_occurrence(START, "FREQ=WEEKLY;COUNT=2", BERLIN, START + dt.timedelta(days=8)) is None
    )


def test_frequency() -> None:
    assert frequency("INTERVAL=2;FREQ=WEEKLY") == "WEEKLY"


def _days(start: dt.datetime, rule: str, first: dt.date, stop: dt.date) -> list[str]:
    return [
        f"{when:%Y-%m-%d %H:%M %Z}"
        for when in occurrences_between(start, rule, BERLIN, first, stop)
    ]


def test_occurrences_of_a_month_keep_their_wall_clock_time() -> None:
    # START is Tuesday 3 March 2026, 19:00 in Berlin; the clocks change on 29 March
    march = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert _days(START, "FREQ=WEEKLY", *march) == [
        "2026-03-03 19:00 CET",
        "2026-03-10 19:00 CET",
        "2026-03-17 19:00 CET",
        "2026-03-24 19:00 CET",
        "2026-03-31 19:00 CEST",
    ]
    spring = (dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    assert _days(START, "FREQ=MONTHLY;BYDAY=1TU", *spring) == [
        "2026-03-03 19:00 CET",
        "2026-04-07 19:00 CEST",
        "2026-05-05 19:00 CEST",
    ]
    assert _days(START, "FREQ=DAILY;COUNT=3", *march)[-1] == "2026-03-05 19:00 CET"
    # UNTIL in UTC, as RFC 5545 asks when the start has a time zone
    assert len(_days(START, "FREQ=DAILY;UNTIL=20260310T180000Z", *march)) == 8


def test_occurrences_far_from_the_start_are_found_quickly() -> None:
    # A series begun long ago is moved by whole periods, not walked day by day
    old = dt.datetime(1, 1, 1, 12, 0, tzinfo=dt.UTC)
    in_2999 = (dt.date(2999, 2, 1), dt.date(2999, 3, 1))
    found = occurrences_between(old, "FREQ=DAILY;INTERVAL=3", dt.UTC, *in_2999)
    every_third = (old + dt.timedelta(days=3 * n) for n in range(365_500))
    assert found == [when for when in every_third if f"{when:%Y-%m}" == "2999-02"]
    leap = dt.datetime(2024, 2, 29, 9, 0, tzinfo=dt.UTC)
    far = occurrences_between(leap, "FREQ=YEARLY", dt.UTC, dt.date(2828, 1, 1), dt.date(2829, 1, 1))
    assert far == [dt.datetime(2828, 2, 29, 9, 0, tzinfo=dt.UTC)]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",  # too many to show
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never: would be looked for until 9999
        "FREQ=MONTHLY;BYDAY=6MO",
        "FREQ=MONTHLY;BYDAY=2MO;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=DAILY;COUNT=100000",
        "FREQ=DAILY;UNTIL=tomorrow",
    ],
)
def test_rules_a_calendar_page_does_not_expand(rule: str) -> None:
    with pytest.raises(UnknownRepeatRule):
        occurrences_between(START, rule, BERLIN, dt.date(2026, 3, 1), dt.date(2026, 4, 1))
