"""A need's lifecycle in its Note: readable for Mastodon users, machine-readable for peers,
read back by the receiving side; and the words of replies that offer help."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from documents.context import object_context
from documents.errors import DocumentError
from documents.multilingual import Multilingual
from documents.need_replies import help_reply
from documents.offer import OfferSpec, headline, offer_document
from documents.received import parse_offer
from tests.sharing.support import meta, tag_url

CLOSED = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


def need(**changes: Any) -> OfferSpec:
    """A tracked need for 20 food boxes, urgent, with ``changes``."""
    fields: dict[str, Any] = {
        "kind": "need",
        "title": Multilingual({"en": "Food boxes", "es": "Cajas de comida"}, "en"),
        "urgency": "urgent",
        "quantity": 20,
        "given": 12,
        "helping": True,
    }
    return OfferSpec(**(fields | changes))


def test_an_open_need_says_its_progress_in_words_and_terms() -> None:
    doc = offer_document(need(), meta(), tag_url)
    assert headline(need(), "en") == (
        "🙋 Need: Food boxes — 🔥 urgent — 12 of 20 given — someone is helping — "
        "reply “mention me” to be thanked publicly — reply if you can help"
    )
    assert "🔥 urgente — 12 de 20 entregados — alguien está ayudando" in doc["contentMap"]["es"]
    assert (doc["needState"], doc["urgency"], doc["givenQuantity"]) == ("helping", "urgent", 12)
    assert doc["publishes"]["resourceQuantity"]["hasNumericalValue"] == "20"
    assert doc["publishes"]["availableQuantity"]["hasNumericalValue"] == "8"
    terms = object_context(doc)[1]
    assert terms["needState"] == "mutuals:needState"
    assert terms["mutuals"] == "https://joinmutuals.org/ns#"
    received = parse_offer(doc)
    assert received is not None and received.state == "open"
    assert received.progress is not None
    assert (received.progress.stage, received.progress.quantity) == ("helping", 20)


def test_a_fully_given_need_stays_open_until_closed() -> None:
    doc = offer_document(need(given=20), meta(), tag_url)
    assert doc["publishes"]["availableQuantity"]["hasNumericalValue"] == "0"
    received = parse_offer(doc)
    assert received is not None and received.state == "open"


@pytest.mark.parametrize(
    ("state", "line"),
    [
        ("fulfilled", "✅ fulfilled, thank you! — 12 of 20 given"),
        ("partly", "☑️ partly fulfilled, thank you! — 12 of 20 given"),
        ("unmet", "🔒 closed unmet — 12 of 20 given"),
    ],
)
def test_a_closed_need_says_how_it_closed(state: str, line: str) -> None:
    spec = need(state=state, closed_at=CLOSED)
    doc = offer_document(spec, meta(), tag_url)
    assert headline(spec, "en").endswith(line)
    assert doc["needState"] == state and "urgent" not in doc["content"]
    assert doc["publishes"]["availableQuantity"]["hasNumericalValue"] == "0"
    received = parse_offer(doc)
    assert received is not None and received.state == "closed"
    assert received.progress is not None and received.progress.given == 12


def test_an_offer_and_an_untracked_need_carry_none_of_it() -> None:
    offer = OfferSpec("offer", Multilingual.single("en", "Bikes"))
    doc = offer_document(offer, meta(), tag_url)
    assert "needState" not in doc and "needState" not in str(object_context(doc))
    parsed = parse_offer(doc)
    assert parsed is not None and parsed.progress is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"urgency": "soon"}, "unknown urgency 'soon'; use one of urgent, week, whenever"),
        ({"quantity": 0, "given": 0}, "the quantity is 0; it must be 1 or more"),
        ({"state": "done"}, "unknown state 'done'"),
    ],
)
def test_bad_lifecycles_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        need(**changes)


def test_hostile_figures_from_a_peer_are_dropped() -> None:
    doc = offer_document(need(), meta(), tag_url)
    doc |= {"needState": "helping", "urgency": "<b>", "givenQuantity": "-3"}
    received = parse_offer(doc)
    assert received is not None and received.progress is not None
    assert (received.progress.urgency, received.progress.given) == (None, None)
    doc["needState"] = "exploded"
    assert parse_offer(doc).progress is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "helps", "agreed"),
    [
        ("@beta I can help! I have a van", True, False),
        ("I can’t help, sorry", False, False),
        ("I'll help — you can mention me", True, True),
        ("¡Puedo ayudar! Menciónanos", True, True),
        ("Je peux aider", True, False),
        ("Ich kann helfen, erwähnt mich", True, True),
        ("Great idea", False, False),
    ],
)
def test_the_words_of_a_reply(text: str, helps: bool, agreed: bool) -> None:
    said = help_reply(text)
    assert (said.helps, said.agreed) == (helps, agreed)
