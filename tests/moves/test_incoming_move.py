"""A ``Move`` from an account our group follows, exactly as Mastodon sends it: followed at
its new address when the new actor confirms it (``alsoKnownAs``), and only then."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import Any

import pytest

from tests.helpers import add_group
from tests.inbox.support import assert_all_done, follow, inbox_url
from tests.instances import Instance, settle
from tests.moves.support import AS, following
from tests.peer import Peer, PeerActor


@dataclass
class MovingActor(PeerActor):
    """A peer actor whose document lists ``alsoKnownAs`` (and ``movedTo``, once moved)."""

    also_known_as: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        doc = super().document()
        if self.also_known_as:
            doc["alsoKnownAs"] = self.also_known_as
        return doc


def known_as(peer: Peer, name: str, *aliases: str) -> MovingActor:
    """The peer's actor ``name``, now listing ``aliases`` in ``alsoKnownAs``."""
    plain = peer.actor(name)
    values = {f.name: getattr(plain, f.name) for f in fields(PeerActor)}
    peer.actors[name] = MovingActor(**values, also_known_as=list(aliases))
    return peer.actors[name]  # type: ignore[return-value]


def mastodon_move(old: PeerActor, target: str, number: int = 1) -> dict[str, Any]:
    """A Move as Mastodon's ``ActivityPub::MoveSerializer`` writes it."""
    return {
        "@context": AS,
        "id": f"{old.id}#moves/{number}",
        "type": "Move",
        "target": target,
        "actor": old.id,
        "object": old.id,
    }


@pytest.fixture
async def fans(instance: Instance, peer: Peer) -> Instance:
    """``fans`` on the instance follows the peer's ``alice``."""
    await add_group(instance, "fans")
    await follow(instance, "fans", peer.actor("alice"))
    return instance


async def send(peer: Peer, instance: Instance, activity: dict[str, Any]) -> None:
    assert (await peer.post(inbox_url(instance, None), activity)).status_code == 202
    await settle(instance)
    await assert_all_done(instance)


async def test_a_confirmed_move_is_followed(fans: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    bob = known_as(peer, "bob", alice.id)
    group = fans.ctx.urls.group("fans")

    await send(peer, fans, mastodon_move(alice, bob.id))

    assert await following(fans, "fans") == {(bob.id, False)}  # asked; bob has not accepted
    [asked] = [r.activity for r in peer.received if r.path == "/users/bob/inbox"]
    assert (asked["type"], asked["actor"], asked["object"]) == ("Follow", group, bob.id)
    [undo] = [r.activity for r in peer.received if r.path == "/users/alice/inbox"]
    assert (undo["type"], undo["actor"], undo["object"]["object"]) == ("Undo", group, alice.id)

    # The same Move again changes nothing and sends nothing.
    sent = len(peer.received)
    await send(peer, fans, mastodon_move(alice, bob.id))
    assert await following(fans, "fans") == {(bob.id, False)}
    assert len(peer.received) == sent


async def test_a_group_already_following_the_target_only_leaves_the_old_one(
    fans: Instance, peer: Peer
) -> None:
    alice = peer.actor("alice")
    bob = known_as(peer, "bob", alice.id)
    await follow(fans, "fans", bob)

    await send(peer, fans, mastodon_move(alice, bob.id))

    assert await following(fans, "fans") == {(bob.id, True)}
    assert [r.activity["type"] for r in peer.received] == ["Undo"]


async def test_a_move_the_target_does_not_confirm_is_refused(
    fans: Instance, peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    alice = peer.actor("alice")
    carol = peer.actor("carol")  # does not list alice in alsoKnownAs
    caplog.set_level(logging.INFO, "mutuals.inbox")

    await send(peer, fans, mastodon_move(alice, carol.id))

    assert await following(fans, "fans") == {(alice.id, True)}
    assert peer.received == []
    assert f"does not list {alice.id} in alsoKnownAs" in caplog.text
    assert "/users/carol" in peer.fetched  # asked the target itself, not the old actor


async def test_a_move_of_someone_else_is_refused(
    fans: Instance, peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    alice, mallory = peer.actor("alice"), peer.actor("mallory")
    bob = known_as(peer, "bob", alice.id)
    caplog.set_level(logging.INFO, "mutuals.inbox")
    # mallory (signing) claims alice moved: the object is not the actor itself.
    forged = {**mastodon_move(alice, bob.id), "actor": mallory.id, "id": f"{mallory.id}#moves/1"}

    await send(peer, fans, forged)

    assert await following(fans, "fans") == {(alice.id, True)}
    assert peer.received == []
    assert "can only move itself" in caplog.text
    assert "/users/bob" not in peer.fetched


async def test_a_move_nobody_here_follows_fetches_nothing(fans: Instance, peer: Peer) -> None:
    dave = peer.actor("dave")
    bob = known_as(peer, "bob", dave.id)

    await send(peer, fans, mastodon_move(dave, bob.id))

    assert "/users/bob" not in peer.fetched
    assert await following(fans, "fans") == {(peer.actor("alice").id, True)}
