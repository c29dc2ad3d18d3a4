"""Create, Update, Delete and Announce from the actors our groups follow."""

from __future__ import annotations

from typing import Any

from actors.models import RemoteActor
from inbox.models import RemoteObject
from tests.helpers import add_group
from tests.inbox.support import assert_all_done, follow, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer


async def send(peer: Peer, instance: Instance, activity: dict[str, Any]) -> None:
    assert (await peer.post(inbox_url(instance, None), activity)).status_code == 202
    await settle(instance)


def embedded(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "@context"}


async def stored(instance: Instance) -> dict[str, RemoteObject]:
    return {row.ap_id: row for row in await rows(instance, RemoteObject)}


async def followed_alice(instance: Instance, peer: Peer) -> PeerActor:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await follow(instance, "demo", alice)
    return alice


async def test_create_from_a_followed_actor_is_stored_sanitized(
    instance: Instance, peer: Peer
) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(
        alice, '<p>Soup at 6 <a href="javascript:x()">here</a></p><script>x()</script>'
    )

    await send(peer, instance, peer.activity(alice, "Create", embedded(note)))

    row = (await stored(instance))[note["id"]]
    assert (row.type, row.attributed_to, row.deleted) == ("Note", alice.id, False)
    assert "Soup at 6" in row.content_html
    assert "script" not in row.content_html
    assert "javascript" not in row.content_html
    assert row.document["content"] == note["content"]
    assert row.published is not None


async def test_create_of_other_object_types_is_stored(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    event = peer.note(alice, "", type="Event", name="Repair café")
    question = peer.note(alice, "Which day?", type="Question", oneOf=[])
    offer = peer.note(alice, "Spare bikes", type="Offer")

    for obj in (event, question, offer):
        await send(peer, instance, peer.activity(alice, "Create", embedded(obj)))

    assert {row.type for row in (await stored(instance)).values()} == {"Event", "Question"}


async def test_create_by_reference_is_fetched(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(alice, "<p>By reference</p>")

    await send(peer, instance, peer.activity(alice, "Create", note["id"]))

    assert (await stored(instance))[note["id"]].content_html == "<p>By reference</p>"


async def test_create_from_actors_we_do_not_follow_is_ignored(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    alice, bob = peer.actor("alice"), peer.actor("bob")
    await follow(instance, "demo", bob, accepted=False)  # asked, not accepted yet

    for actor in (alice, bob):
        await send(peer, instance, peer.activity(actor, "Create", embedded(peer.note(actor))))

    assert await stored(instance) == {}
    await assert_all_done(instance)


async def test_create_of_an_object_owned_by_someone_else_is_ignored(
    instance: Instance, peer: Peer
) -> None:
    alice = await followed_alice(instance, peer)
    bobs = peer.note(peer.actor("bob"))

    await send(peer, instance, peer.activity(alice, "Create", embedded(bobs)))

    assert await stored(instance) == {}
    await assert_all_done(instance)


async def test_embedded_object_from_another_origin_is_not_trusted(
    instance: Instance, peer: Peer
) -> None:
    alice = await followed_alice(instance, peer)
    async with running_peer() as elsewhere:
        # Given a note that really lives on another server, claiming alice wrote it
        victim = elsewhere.actor("victim")
        real = elsewhere.note(victim, "<p>The real text</p>", attributedTo=alice.id)
        forged = {**embedded(real), "content": "<p>Forged</p>"}

        # When alice's Create embeds a forged copy of it
        await send(peer, instance, peer.activity(alice, "Create", forged))

    # Then neither copy is stored: the origin's copy does not belong to alice's server
    assert await stored(instance) == {}
    await assert_all_done(instance)


async def test_update_by_the_owner_edits(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(alice, "<p>Soup at 6</p>")
    await send(peer, instance, peer.activity(alice, "Create", embedded(note)))

    edited = {**embedded(note), "content": "<p>Soup at 7</p>", "updated": "2026-01-03T00:00:00Z"}
    await send(peer, instance, peer.activity(alice, "Update", edited))

    row = (await stored(instance))[note["id"]]
    assert row.content_html == "<p>Soup at 7</p>"
    assert row.updated is not None and row.updated.year == 2026


async def test_update_by_someone_else_is_ignored(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    mallory = peer.actor("mallory")
    await follow(instance, "demo", mallory)
    note = peer.note(alice, "<p>Soup at 6</p>")
    await send(peer, instance, peer.activity(alice, "Create", embedded(note)))

    forged = {**embedded(note), "content": "<p>Cancelled</p>"}
    await send(peer, instance, peer.activity(mallory, "Update", forged))

    assert (await stored(instance))[note["id"]].content_html == "<p>Soup at 6</p>"
    await assert_all_done(instance)


async def test_update_of_an_unknown_object_is_ignored(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(alice)
    await send(peer, instance, peer.activity(alice, "Update", embedded(note)))
    assert await stored(instance) == {}
    await assert_all_done(instance)


async def test_delete_by_the_owner_leaves_a_tombstone(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(alice, "<p>Soup at 6</p>")
    await send(peer, instance, peer.activity(alice, "Create", embedded(note)))

    tomb = {"id": note["id"], "type": "Tombstone"}
    await send(peer, instance, peer.activity(alice, "Delete", tomb))

    row = (await stored(instance))[note["id"]]
    assert (row.deleted, row.content_html, row.document) == (True, "", {})


async def test_delete_by_someone_else_is_ignored(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    mallory = peer.actor("mallory")
    await follow(instance, "demo", mallory)
    note = peer.note(alice, "<p>Soup at 6</p>")
    await send(peer, instance, peer.activity(alice, "Create", embedded(note)))

    await send(peer, instance, peer.activity(mallory, "Delete", note["id"]))

    row = (await stored(instance))[note["id"]]
    assert (row.deleted, row.content_html) == (False, "<p>Soup at 6</p>")
    await assert_all_done(instance)


async def test_delete_before_create_wins(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(alice, "<p>Soup at 6</p>")

    await send(peer, instance, peer.activity(alice, "Delete", note["id"]))
    await send(peer, instance, peer.activity(alice, "Create", embedded(note)))
    await send(peer, instance, peer.activity(alice, "Announce", note["id"]))

    row = (await stored(instance))[note["id"]]
    assert (row.deleted, row.content_html, row.attributed_to) == (True, "", alice.id)


async def test_delete_cannot_pre_empt_another_servers_object(
    instance: Instance, peer: Peer
) -> None:
    alice = await followed_alice(instance, peer)
    async with running_peer() as elsewhere:
        theirs = f"{elsewhere.base_url}/users/bob/statuses/1"
        await send(peer, instance, peer.activity(alice, "Delete", theirs))
    assert await stored(instance) == {}
    await assert_all_done(instance)


async def test_announce_stores_the_origin_copy(instance: Instance, peer: Peer) -> None:
    # Given alice, followed, boosting bob's note (bob is not followed)
    alice = await followed_alice(instance, peer)
    bobs = peer.note(peer.actor("bob"), "<p>Real</p>")
    forged = {**embedded(bobs), "content": "<p>Forged</p>"}

    # When her Announce embeds a doctored copy
    await send(peer, instance, peer.activity(alice, "Announce", forged))

    # Then the note is stored as its origin serves it, under bob's name
    row = (await stored(instance))[bobs["id"]]
    assert (row.content_html, row.attributed_to) == ("<p>Real</p>", peer.actor("bob").id)


async def test_announce_of_a_group_relayed_create(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    bobs = peer.note(peer.actor("bob"), "<p>Relayed</p>")
    create = peer.activity(peer.actor("bob"), "Create", embedded(bobs))  # FEP-1b12

    await send(peer, instance, peer.activity(alice, "Announce", embedded(create)))

    assert (await stored(instance))[bobs["id"]].content_html == "<p>Relayed</p>"


async def test_announce_by_an_actor_we_do_not_follow_is_ignored(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    note = peer.note(peer.actor("bob"))
    await send(peer, instance, peer.activity(alice, "Announce", note["id"]))
    assert await stored(instance) == {}
    await assert_all_done(instance)


async def test_announce_of_a_gone_object_is_acknowledged(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(peer.actor("bob"))
    peer.serve(410, note["id"].removeprefix(peer.base_url))

    await send(peer, instance, peer.activity(alice, "Announce", note["id"]))

    assert await stored(instance) == {}


async def test_update_of_an_actor_refetches_it(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    peer.actors["alice"].name = "alice2"  # the origin now serves a new profile
    forged = {**alice.document(), "name": "Forged", "inbox": "http://127.0.0.1:9/evil"}

    await send(peer, instance, peer.activity(alice, "Update", forged))

    [actor] = await rows(instance, RemoteActor, RemoteActor.ap_id == alice.id)
    assert (actor.name, actor.inbox) == ("Alice2", alice.inbox)


async def test_update_of_another_actor_is_ignored(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    bob = peer.actor("bob")
    await follow(instance, "demo", bob)
    bob.name = "bobby"

    await send(peer, instance, peer.activity(alice, "Update", bob.document()))

    [actor] = await rows(instance, RemoteActor, RemoteActor.ap_id == bob.id)
    assert actor.name == "Bob"
    await assert_all_done(instance)
