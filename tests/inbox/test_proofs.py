"""Relayed objects with integrity proofs (FEP-8b32): a copy its author's key vouches for is
stored without fetching it; a bad proof is refused with its reason; a proof we cannot
check, or none, leaves today's rule: the object is fetched from its origin.

A real instance; the relaying group (``alice``) and the author (``bob``, who publishes an
Ed25519 Multikey as Mitra and Fedify do) live on a fake server that logs every GET.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from federation import proofs
from inbox.models import RemoteObject
from tests.helpers import add_group
from tests.inbox.support import assert_all_done, follow, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor

NOW = dt.datetime.now(dt.UTC)


@dataclass
class SigningActor(PeerActor):
    """A peer actor that also publishes an Ed25519 ``assertionMethod`` key (FEP-521a)."""

    ed25519: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)

    @property
    def proof_key_id(self) -> str:
        return self.id + "#ed25519-key"

    def document(self) -> dict[str, Any]:
        doc = super().document()
        doc["@context"] = [*doc["@context"], proofs.DATA_INTEGRITY_CONTEXT, proofs.MULTIKEY_CONTEXT]
        key = proofs.multikey_document(self.proof_key_id, self.id, self.ed25519.public_key())
        return {**doc, "assertionMethod": [key]}


def signing_actor(peer: Peer, name: str) -> SigningActor:
    plain = peer.actor(name)
    actor = SigningActor(**{k: getattr(plain, k) for k in plain.__dataclass_fields__})
    peer.actors[name] = actor
    return actor


@dataclass
class World:
    instance: Instance
    peer: Peer
    alice: PeerActor  # a group the instance follows, relaying its members' posts
    bob: SigningActor  # a member of alice's group, on the same server

    def signed_note(self, content: str, *, key: ed25519.Ed25519PrivateKey | None = None) -> Any:
        """Bob's note, signed by him (or by ``key``); its origin answers 410 Gone, so a
        stored copy can only be the embedded one."""
        note = self.peer.note(self.bob, content)
        self.peer.serve(410, note["id"].removeprefix(self.peer.base_url))
        return proofs.sign(note, key or self.bob.ed25519, self.bob.proof_key_id, NOW)

    async def announce(self, obj: Any) -> None:
        activity = self.peer.activity(self.alice, "Announce", obj)
        response = await self.peer.post(inbox_url(self.instance, None), activity)
        assert response.status_code == 202
        await settle(self.instance)

    def fetched(self, doc: dict[str, Any]) -> bool:
        """Whether the instance asked the origin for ``doc``."""
        return doc["id"].removeprefix(self.peer.base_url) in self.peer.fetched

    async def stored(self) -> dict[str, str]:
        return {row.ap_id: row.content_html for row in await rows(self.instance, RemoteObject)}


@pytest.fixture
async def world(instance: Instance, peer: Peer) -> World:
    await add_group(instance, "demo")
    alice = peer.actor("alice", type="Group")
    await follow(instance, "demo", alice)
    return World(instance, peer, alice, signing_actor(peer, "bob"))


async def test_a_proven_copy_is_stored_without_fetching_it(world: World) -> None:
    # Given bob's note with his proof, relayed by alice as a plain boost
    note = world.signed_note("<p>From the assembly</p>")
    # When alice announces it
    await world.announce(note)
    # Then the instance keeps the copy it was given, and never asked for the note
    assert await world.stored() == {note["id"]: "<p>From the assembly</p>"}
    assert not world.fetched(note)
    await assert_all_done(world.instance)


async def test_a_proven_copy_inside_a_relayed_create_is_stored(world: World) -> None:
    note = world.signed_note("<p>Relayed with its Create</p>")
    create = world.peer.activity(world.bob, "Create", note)  # FEP-1b12: the member's activity
    await world.announce({k: v for k, v in create.items() if k != "@context"})
    assert await world.stored() == {note["id"]: "<p>Relayed with its Create</p>"}
    assert not world.fetched(note)


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        ("tampered", "the proof's signature does not match the document"),
        ("wrong key", "the proof's signature does not match the document"),
        ("relayer's key", "is not a key of the object's owner"),
        ("unknown key", "is not among the assertionMethod keys"),
        ("future", "the proof was created in the future"),
    ],
)
async def test_an_invalid_proof_is_refused_with_its_reason(
    world: World, caplog: pytest.LogCaptureFixture, forge: str, reason: str
) -> None:
    note = world.signed_note("<p>Original</p>")
    if forge == "tampered":
        note = {**note, "content": "<p>Send your savings to mallory</p>"}
    elif forge == "wrong key":
        note = proofs.sign(note, ed25519.Ed25519PrivateKey.generate(), world.bob.proof_key_id, NOW)
    elif forge == "relayer's key":
        note = copy.deepcopy(note)
        note["proof"]["verificationMethod"] = world.alice.id + "#ed25519-key"
    elif forge == "unknown key":
        note = proofs.sign(note, world.bob.ed25519, world.bob.id + "#other-key", NOW)
    else:
        note = proofs.sign(note, world.bob.ed25519, world.bob.proof_key_id, NOW + dt.timedelta(1))

    with caplog.at_level(logging.INFO, logger="mutuals.inbox"):
        await world.announce(note)

    assert await world.stored() == {}
    assert not world.fetched(note)
    assert f"refusing {note['id']}: its integrity proof is invalid: " in caplog.text
    assert reason in caplog.text
    await assert_all_done(world.instance)


async def test_without_a_proof_the_origin_copy_is_fetched(world: World) -> None:
    # Given bob's note as its origin serves it, and a doctored copy without a proof
    note = world.peer.note(world.bob, "<p>Real</p>")
    forged = {**note, "content": "<p>Forged</p>"}
    await world.announce(forged)
    # Then today's rule holds: the note is fetched and stored as the origin has it
    assert world.fetched(note)
    assert await world.stored() == {note["id"]: "<p>Real</p>"}


async def test_a_proof_we_cannot_check_is_ignored(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    note = world.peer.note(world.bob, "<p>Real</p>")
    rdfc = proofs.sign(note, world.bob.ed25519, world.bob.proof_key_id, NOW)
    rdfc["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    with caplog.at_level(logging.INFO, logger="mutuals.inbox"):
        await world.announce({**rdfc, "content": "<p>Forged</p>"})
    assert "not using the integrity proof of" in caplog.text
    assert world.fetched(note)
    assert await world.stored() == {note["id"]: "<p>Real</p>"}


async def test_an_author_known_before_it_published_its_key_is_fetched_again(
    world: World,
) -> None:
    # Given carol, known here from before she published an Ed25519 key
    carol = world.peer.actor("carol")
    await follow(world.instance, "demo", carol)
    carol = signing_actor(world.peer, "carol")
    # When alice relays a note carol signed since
    note = world.peer.note(carol, "<p>New key</p>")
    world.peer.serve(410, note["id"].removeprefix(world.peer.base_url))
    since = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)  # proofs count whole seconds
    signed = proofs.sign(note, carol.ed25519, carol.proof_key_id, since)
    await world.announce(signed)
    # Then her actor is read again, the key found, and the copy kept without a fetch
    assert world.peer.fetched.count("/users/carol") == 2
    assert await world.stored() == {note["id"]: "<p>New key</p>"}
    assert not world.fetched(note)
