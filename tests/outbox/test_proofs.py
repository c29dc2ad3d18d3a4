"""What a group queues is signed with the key its actor document publishes (FEP-8b32)."""

from __future__ import annotations

import datetime as dt

from actors.documents import group_actor
from actors.keys import generate_ed25519_pem, generate_key_pair
from actors.models import Group
from actors.urls import Urls
from documents import activities
from documents.multilingual import Multilingual
from federation import proofs
from outbox.send import signed
from store.db import utcnow

URLS = Urls("https://mutuals.example")
NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
_PRIVATE, _PUBLIC = generate_key_pair()


def group(ed25519_pem: str | None) -> Group:
    return Group(
        uid="eastside", name="eastside", display_name="Eastside", summary_html="", fields=[],
        private_key_pem=_PRIVATE, public_key_pem=_PUBLIC, ed25519_private_pem=ed25519_pem,
        created_at=NOW, updated_at=NOW, discoverable=True, manual_approval=False,
        is_network=False, topics=[], languages=[], also_known_as=[], moved_to=None,
    )  # fmt: skip


def create_of_a_note() -> dict[str, object]:
    actor = URLS.group("eastside")
    note = activities.note(
        note_id=URLS.post("eastside", "p1"), actor=actor, followers=actor + "/followers",
        content=Multilingual.single("en", "<p>Soup at 6 ✊</p>"), published=NOW,
        visibility="public", tags=[],
    )  # fmt: skip
    return activities.create(URLS.post("eastside", "p1") + "/activity", actor, note)


def test_the_create_and_its_note_verify_with_the_published_key() -> None:
    eastside = group(generate_ed25519_pem())
    actor = group_actor(eastside, URLS, "mutuals.example")
    create = signed(eastside, create_of_a_note())
    for doc in (create, create["object"]):
        proof = proofs.read_proof(doc, utcnow())
        assert proof.key_id == actor["id"] + "#ed25519-key"
        proofs.check(doc, proof, proofs.assertion_key(actor, proof.key_id))
    # The note keeps the activity's terms, so it can be relayed (and checked) on its own.
    assert create["object"]["@context"] == create["@context"]


def test_a_group_without_a_key_sends_and_publishes_none() -> None:
    keyless = group(None)
    assert signed(keyless, create_of_a_note()) == create_of_a_note()
    assert "assertionMethod" not in group_actor(keyless, URLS, "mutuals.example")
