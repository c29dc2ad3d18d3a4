from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from documents.errors import BadDates, BadPlace, EmptyText, UnknownRepeatRule, UnknownTimezone
from documents.event import EventSpec, Place, event_document, when_line
from documents.multilingual import Multilingual
from documents.when import parse_local_datetime
from tests.sharing.support import (
    FOLLOWERS,
    GROUP,
    POST,
    PUBLIC,
    mastodon_spoiler,
    mastodon_text,
    meta,
    tag_url,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2025, 11, 20, 12, 0, tzinfo=dt.UTC)
RSVP = "Reply “going”, “maybe” or “not going”"


def repair_cafe(**changes: object) -> EventSpec:
    values: dict[str, object] = {
        "title": Multilingual.single("en", "Repair café"),
        "start": dt.datetime(2025, 11, 29, 10, 0, tzinfo=BERLIN),
        "end": dt.datetime(2025, 11, 29, 13, 0, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "body": Multilingual.single("en", "Bring your broken things."),
        "place": Place.parse("Community hall, 12 Main St, Berlin"),
    }
    values.update(changes)
    return EventSpec(**values)  # type: ignore[arg-type]


def test_event_is_pinned() -> None:
    summary = (
        "📅 Sat 29 Nov 2025, 10:00–13:00 CET · 📍 Community hall, 12 Main St, Berlin · " + RSVP
    )
    content = f"<p>{summary}</p><p>Bring your broken things.</p>"
    assert event_document(repair_cafe(), meta(), tag_url, NOW) == {
        "id": POST,
        "type": "Event",
        "url": POST,
        "attributedTo": GROUP,
        "published": "2025-11-20T09:30:00Z",
        "to": [PUBLIC],
        "cc": [FOLLOWERS],
        "audience": GROUP,
        "replies": f"{POST}/replies",
        "name": "Repair café",
        "nameMap": {"en": "Repair café"},
        "summary": summary,
        "summaryMap": {"en": summary},
        "content": content,
        "contentMap": {"en": content},
        "mediaType": "text/html",
        "startTime": "2025-11-29T10:00:00+01:00",
        "endTime": "2025-11-29T13:00:00+01:00",
        "timezone": "Europe/Berlin",
        "inLanguage": "en",
        "joinMode": "free",
        "status": "CONFIRMED",
        "ical:status": "CONFIRMED",
        "isOnline": False,
        "location": {
            "type": "Place",
            "name": "Community hall",
            "address": {"type": "PostalAddress", "streetAddress": "12 Main St, Berlin"},
        },
        "tag": [],
    }


def test_mastodon_shows_title_date_place_and_how_to_answer() -> None:
    doc = event_document(repair_cafe(), meta(), tag_url, NOW)
    assert mastodon_text(doc) == (
        "Repair café\n\n📅 Sat 29 Nov 2025, 10:00–13:00 CET · 📍 Community hall, 12 Main St,"
        f" Berlin · {RSVP}\n\n{POST}"
    )
    assert mastodon_spoiler(doc) == ""
    assert "<" not in doc["summary"]  # Mastodon escapes it: plain text only


def test_online_event_uses_mobilizons_website_link() -> None:
    spec = repair_cafe(place=None, online_url="https://meet.example/eastside")
    doc = event_document(spec, meta(), tag_url, NOW)
    assert doc["isOnline"] is True
    assert "location" not in doc
    assert doc["attachment"] == [
        {
            "type": "Link",
            "name": "Website",
            "mediaType": "text/html",
            "href": "https://meet.example/eastside",
        }
    ]
    assert "💻 online: https://meet.example/eastside" in doc["summary"]


def test_cancelled_event_says_so_and_stops_asking_for_answers() -> None:
    doc = event_document(repair_cafe(cancelled=True), meta(), tag_url, NOW)
    assert (doc["status"], doc["ical:status"]) == ("CANCELLED", "CANCELLED")
    assert doc["summary"].startswith("❌ Cancelled — 📅 Sat 29 Nov 2025")
    assert "going" not in doc["summary"]


def test_repeating_event_carries_its_rule_and_next_occurrence() -> None:
    spec = repair_cafe(
        start=dt.datetime(2026, 3, 3, 19, 0, tzinfo=BERLIN),
        end=dt.datetime(2026, 3, 3, 21, 0, tzinfo=BERLIN),
        repeat="FREQ=MONTHLY;BYDAY=1TU",
    )
    # After the clocks change (29 March), the meeting is still at 19:00 local time.
    doc = event_document(spec, meta(), tag_url, dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    assert doc["ical:rrule"] == "FREQ=MONTHLY;BYDAY=1TU"
    assert doc["startTime"] == "2026-04-07T19:00:00+02:00"
    assert doc["endTime"] == "2026-04-07T21:00:00+02:00"
    assert doc["summary"].startswith("📅 Tue 7 Apr 2026, 19:00–21:00 CEST · 🔁 every month · ")


def test_an_occurrence_under_way_is_still_the_one_shown() -> None:
    spec = repair_cafe(repeat="weekly")
    during = dt.datetime(2025, 12, 6, 11, 0, tzinfo=BERLIN)
    assert event_document(spec, meta(), tag_url, during)["startTime"] == (
        "2025-12-06T10:00:00+01:00"
    )


def test_translated_event() -> None:
    spec = repair_cafe(
        title=Multilingual({"en": "Repair café", "de": "Reparaturcafé"}, "de"),
        body=None,
    )
    doc = event_document(spec, meta(), tag_url, NOW)
    assert doc["name"] == "Reparaturcafé"
    assert list(doc["summaryMap"]) == ["de", "en"]
    assert doc["summary"].startswith("📅 Sa 29 Nov. 2025, 10:00–13:00 CET")
    assert doc["summary"].endswith("Antworte „komme“, „vielleicht“ oder „komme nicht“")
    assert doc["inLanguage"] == "de"


def test_when_line_for_open_ended_and_multi_day_events() -> None:
    start = dt.datetime(2025, 11, 29, 10, 0, tzinfo=BERLIN)
    assert when_line(start, None, "en") == "Sat 29 Nov 2025, 10:00 CET"
    end = dt.datetime(2025, 11, 30, 18, 0, tzinfo=BERLIN)
    assert when_line(start, end, "en") == "Sat 29 Nov 2025, 10:00 – Sun 30 Nov 2025, 18:00 CET"
    utc = dt.datetime(2025, 11, 29, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert when_line(utc, None, "fr") == "sam. 29 nov. 2025, 10:00 UTC"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"end": dt.datetime(2025, 11, 29, 9, 0, tzinfo=BERLIN)}, BadDates, "ends (2025-11-29"),
        ({"end": dt.datetime(2025, 11, 29, 10, 0, tzinfo=BERLIN)}, BadDates, "before it starts"),
        ({"timezone": "Europe/Atlantis"}, UnknownTimezone, "unknown timezone 'Europe/Atlantis'"),
        ({"timezone": "../etc/passwd"}, UnknownTimezone, "unknown timezone"),
        ({"repeat": "fortnightly"}, UnknownRepeatRule, "unknown repeat rule 'fortnightly'"),
        ({"repeat": "FREQ=SOMETIMES"}, UnknownRepeatRule, "unknown repeat rule"),
        ({"online_url": "ftp://x.example/"}, BadPlace, "is not a web address"),
        ({"title": Multilingual.single("en", "")}, EmptyText, "the title (en) is empty"),
    ],
)
def test_bad_event_input_is_refused(
    changes: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        repair_cafe(**changes)


def test_place_needs_a_name() -> None:
    with pytest.raises(BadPlace, match="has no name"):
        Place.parse(", 12 Main St")
    assert Place.parse("Park") == Place("Park", None)


def test_local_times_are_read_in_the_event_timezone() -> None:
    assert parse_local_datetime("2025-11-29 10:00", BERLIN) == dt.datetime(
        2025, 11, 29, 9, 0, tzinfo=dt.UTC
    )
    with pytest.raises(BadDates, match="is not a date and time; write it as 2025-11-29 18:30"):
        parse_local_datetime("next saturday", BERLIN)
    with pytest.raises(BadDates, match="does not exist in Europe/Berlin"):
        parse_local_datetime("2026-03-29 02:30", BERLIN)
