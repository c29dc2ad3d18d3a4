from __future__ import annotations

import datetime as dt
import re

import pytest

from documents.errors import BadPollOptions, EmptyText, TextTooLong
from documents.multilingual import Multilingual
from documents.poll import CONTEXT_TERMS, PollSpec, poll_document
from federation.content import MAX_POLL_OPTIONS
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

CLOSES = dt.datetime(2025, 11, 27, 18, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2025, 11, 21, tzinfo=dt.UTC)


def evening_poll(**changes: object) -> PollSpec:
    values: dict[str, object] = {
        "question": Multilingual.single("en", "Which evening suits the #assembly?"),
        "options": ("Tuesday", "Thursday"),
        "closes_at": CLOSES,
    }
    values.update(changes)
    return PollSpec(**values)  # type: ignore[arg-type]


def test_question_is_pinned_in_mastodons_shape() -> None:
    content = (
        '<p>Which evening suits the <a href="https://mutuals.example/tags/assembly" '
        'class="mention hashtag" rel="tag nofollow noopener noreferrer">#<span>assembly</span>'
        "</a>?</p>"
    )
    doc = poll_document(evening_poll(), meta(), tag_url, BEFORE, tallies={"Tuesday": 2}, voters=2)
    assert doc == {
        "id": POST,
        "type": "Question",
        "url": POST,
        "attributedTo": GROUP,
        "published": "2025-11-20T09:30:00Z",
        "to": [PUBLIC],
        "cc": [FOLLOWERS],
        "audience": GROUP,
        "replies": f"{POST}/replies",
        "sensitive": False,
        "content": content,
        "contentMap": {"en": content},
        "tag": [
            {
                "type": "Hashtag",
                "href": "https://mutuals.example/tags/assembly",
                "name": "#assembly",
            }
        ],
        "oneOf": [
            {"type": "Note", "name": "Tuesday", "replies": {"type": "Collection", "totalItems": 2}},
            {
                "type": "Note",
                "name": "Thursday",
                "replies": {"type": "Collection", "totalItems": 0},
            },
        ],
        "endTime": "2025-11-27T18:00:00Z",
        "votersCount": 2,
    }
    assert "closed" not in doc  # Mastodon treats any closed value but false as closed
    assert mastodon_text(doc) == content and mastodon_spoiler(doc) == ""


def test_multiple_choice_uses_any_of_and_a_closed_poll_says_when() -> None:
    doc = poll_document(evening_poll(multiple=True), meta(), tag_url, CLOSES)
    assert "oneOf" not in doc
    assert [o["name"] for o in doc["anyOf"]] == ["Tuesday", "Thursday"]
    assert doc["closed"] == doc["endTime"] == "2025-11-27T18:00:00Z"


def test_open_ended_poll_has_no_end_time() -> None:
    doc = poll_document(evening_poll(closes_at=None), meta(), tag_url, BEFORE)
    assert "endTime" not in doc and "closed" not in doc
    assert doc["votersCount"] == 0


def test_tallies_for_unknown_options_are_a_bug() -> None:
    with pytest.raises(ValueError, match="Friday"):
        poll_document(evening_poll(), meta(), tag_url, BEFORE, tallies={"Friday": 1})


def test_context_declares_voters_count() -> None:
    assert CONTEXT_TERMS["votersCount"] == "toot:votersCount"


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (("Only one",), BadPollOptions, "a poll needs 2 to 20 options; 1 given"),
        (tuple(f"o{i}" for i in range(MAX_POLL_OPTIONS + 1)), BadPollOptions, "21 given"),
        (tuple(f"o{i}" for i in range(100)), BadPollOptions, "100 given"),
        (("Tuesday", " tuesday "), BadPollOptions, "the option 'tuesday' is given twice"),
        (("Tuesday", "  "), EmptyText, "the option 2 is empty"),
        (("Tuesday", "x" * 101), TextTooLong, "101 characters; the limit is 100"),
    ],
)
def test_bad_options_are_refused(
    options: tuple[str, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        evening_poll(options=options)


def test_options_are_stripped_and_twenty_are_fine() -> None:
    assert evening_poll(options=(" a ", "b")).options == ("a", "b")
    assert len(evening_poll(options=tuple(str(i) for i in range(20))).options) == 20


def test_empty_question_is_refused() -> None:
    with pytest.raises(EmptyText, match=re.escape("the question (en) is empty")):
        evening_poll(question=Multilingual.single("en", " "))
