from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from documents.common import jsonld_context
from documents.errors import (
    BadLanguage,
    BadSkill,
    DocumentError,
    EmptyText,
    TextTooLong,
    UnknownTimezone,
)
from documents.multilingual import Multilingual
from documents.offer import CONTEXT_TERMS, OfferSpec, headline, offer_document
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
UNTIL = dt.datetime(2025, 11, 30, 23, 59, 59, tzinfo=BERLIN)
TAG_ATTRS = 'class="mention hashtag" rel="tag nofollow noopener noreferrer"'


def _link(name: str) -> str:
    href = f"https://mutuals.example/tags/{name.lower()}"
    return f'<a href="{href}" {TAG_ATTRS}>#<span>{name}</span></a>'


def bike_offer(**changes: object) -> OfferSpec:
    values: dict[str, object] = {
        "kind": "offer",
        "title": Multilingual.single("en", "Bike repair"),
        "body": Multilingual.single("en", "Saturdays at the *garage*."),
        "skills": ("bike_repair", "#Mechanics"),
        "area": "Eastside",
        "valid_until": UNTIL,
        "timezone": "Europe/Berlin",
    }
    values.update(changes)
    return OfferSpec(**values)  # type: ignore[arg-type]


def test_offer_note_is_pinned() -> None:
    content = (
        "<p>🤝 <strong>Offer: Bike repair</strong> — Eastside, until Sun 30 Nov 2025"
        " — reply to take it up</p><p>Saturdays at the <em>garage</em>.</p>"
        f"<p>{_link('bike_repair')} {_link('Mechanics')}</p>"
    )
    assert offer_document(bike_offer(), meta(), tag_url) == {
        "id": POST,
        "type": "Note",
        "url": POST,
        "attributedTo": GROUP,
        "published": "2025-11-20T09:30:00Z",
        "to": [PUBLIC],
        "cc": [FOLLOWERS],
        "audience": GROUP,
        "replies": f"{POST}/replies",
        "sensitive": False,
        "name": "Bike repair",
        "nameMap": {"en": "Bike repair"},
        "content": content,
        "contentMap": {"en": content},
        "tag": [
            {
                "type": "Hashtag",
                "href": "https://mutuals.example/tags/bike_repair",
                "name": "#bike_repair",
            },
            {
                "type": "Hashtag",
                "href": "https://mutuals.example/tags/mechanics",
                "name": "#Mechanics",
            },
        ],
        "purpose": "offer",
        "unitBased": False,
        "publishes": {
            "id": f"{POST}#primary",
            "type": "Intent",
            "action": "deliverService",
            "resourceConformsTo": "https://mutuals.example/tags/bike_repair",
            "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "1"},
            "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "1"},
        },
        "location": {"type": "Place", "name": "Eastside"},
        "endTime": "2025-11-30T22:59:59Z",
    }


def test_mastodon_shows_the_whole_offer_without_a_content_warning() -> None:
    doc = offer_document(bike_offer(), meta(), tag_url)
    text = mastodon_text(doc)
    assert text.startswith("<p>🤝 <strong>Offer: Bike repair</strong>")
    assert "reply to take it up" in text and "Saturdays" in text
    assert mastodon_spoiler(doc) == ""  # no summary: it would hide the offer behind a CW
    assert "summary" not in doc


def test_need_is_a_request() -> None:
    spec = bike_offer(
        kind="need",
        title=Multilingual.single("en", "Van for Saturday"),
        body=None,
        skills=(),
        area=None,
        valid_until=None,
    )
    doc = offer_document(spec, meta(), tag_url)
    assert doc["purpose"] == "request"
    assert doc["content"] == (
        "<p>🙋 <strong>Need: Van for Saturday</strong> — reply if you can help</p>"
    )
    assert doc["tag"] == []
    assert "resourceConformsTo" not in doc["publishes"]
    assert "location" not in doc and "endTime" not in doc
    assert headline(spec, "en") == "🙋 Need: Van for Saturday — reply if you can help"


@pytest.mark.parametrize(
    ("state", "line"),
    [
        ("fulfilled", "✅ fulfilled, thank you!"),
        ("withdrawn", "🔒 withdrawn"),
        ("expired", "🔒 expired"),
    ],
)
def test_closed_offer_says_why_and_has_nothing_available(state: str, line: str) -> None:
    closed = dt.datetime(2025, 11, 25, 8, 0, tzinfo=dt.UTC)
    doc = offer_document(bike_offer(state=state, closed_at=closed), meta(), tag_url)
    assert doc["content"].startswith(f"<p>🤝 <strong>Offer: Bike repair</strong> — {line}</p>")
    assert "reply to take it up" not in doc["content"]
    assert doc["publishes"]["availableQuantity"] == {"hasUnit": "one", "hasNumericalValue": "0"}
    assert doc["endTime"] == "2025-11-25T08:00:00Z"


def test_multilingual_offer_has_primary_first_and_translated_lines() -> None:
    spec = bike_offer(
        title=Multilingual({"es": "Reparación de bicis", "en": "Bike repair"}, "es"),
        body=Multilingual({"es": "Los sábados.", "en": "Saturdays."}, "es"),
    )
    doc = offer_document(spec, meta(), tag_url)
    assert list(doc["contentMap"]) == ["es", "en"]
    assert doc["name"] == "Reparación de bicis"
    assert doc["nameMap"] == {"es": "Reparación de bicis", "en": "Bike repair"}
    assert doc["content"] == doc["contentMap"]["es"]
    assert doc["content"].startswith(
        "<p>🤝 <strong>Ofrecemos: Reparación de bicis</strong> — Eastside, hasta el dom 30 nov"
        " 2025 — responde para aceptarlo</p><p>Los sábados.</p>"
    )
    assert doc["contentMap"]["en"].startswith("<p>🤝 <strong>Offer: Bike repair</strong>")


def test_hashtags_in_the_body_join_the_skills_once() -> None:
    spec = bike_offer(body=Multilingual.single("en", "Ask about #mechanics or #Tools"))
    names = [t["name"] for t in offer_document(spec, meta(), tag_url)["tag"]]
    assert names == ["#bike_repair", "#Mechanics", "#Tools"]


def test_html_in_titles_is_escaped() -> None:
    spec = bike_offer(title=Multilingual.single("en", "<script>x</script> & fix"), body=None)
    content = offer_document(spec, meta(), tag_url)["content"]
    assert "<script>" not in content
    assert "&lt;script&gt;x&lt;/script&gt; &amp; fix" in content


def test_context_declares_the_fep_0837_terms() -> None:
    context = jsonld_context(CONTEXT_TERMS)
    assert context[0] == "https://www.w3.org/ns/activitystreams"
    terms = context[1]
    for term in ("purpose", "publishes", "Intent", "resourceQuantity", "hasUnit", "Hashtag"):
        assert term in terms
    assert terms["vf"] == "https://w3id.org/valueflows/ont/vf#"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"title": Multilingual.single("en", "   ")}, EmptyText, "the title (en) is empty"),
        ({"title": Multilingual.single("en", "x" * 201)}, TextTooLong, "201 characters"),
        ({"skills": ("bike repair",)}, BadSkill, "e.g. bike_repair"),
        ({"skills": ("123",)}, BadSkill, "one word of letters"),
        ({"body": Multilingual({"en": "x", "de": "y"}, "en")}, BadLanguage, "in de but"),
        ({"body": Multilingual.single("de", "y")}, BadLanguage, "in 'de' first"),
        ({"kind": "gift"}, DocumentError, "unknown kind 'gift'"),
        ({"state": "done"}, DocumentError, "unknown state 'done'"),
        ({"timezone": "Mars/Olympus"}, UnknownTimezone, "unknown timezone 'Mars/Olympus'"),
        ({"area": "x" * 201}, DocumentError, "the area is 201 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    changes: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        bike_offer(**changes)


def test_skills_are_deduplicated_by_hashtag_key() -> None:
    assert bike_offer(skills=("Cooking", "#cooking", "ＣＯＯＫＩＮＧ", "café")).skills == (
        "Cooking",
        "café",
    )
