from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from documents.errors import UnknownRepeatRule
from documents.recurrence import frequency, next_occurrence, repeat_rule

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
