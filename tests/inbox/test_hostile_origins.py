"""Done-when list 3 through the real inbox, the cases test_objects.py does not cover:
an activity id on another host, ids claiming to be ours, an embedded object attributed
to another origin, and an Update that swaps the actor's key."""

from __future__ import annotations

from typing import Any

from actors.keys import generate_key_pair
from actors.models import RemoteActor
from inbox.models import RemoteObject
from tests.helpers import add_group
from tests.inbox.support import assert_all_done, count_items, follow, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer


def embedded(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "@context"}


async def followed_alice(instance: Instance, peer: Peer) -> PeerActor:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await follow(instance, "demo", alice)
    return alice


async def test_activity_id_on_another_host_is_400(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    note = peer.note(alice)
    elsewhere = peer.base_url.replace("127.0.0.1", "localhost")
    activity = peer.activity(alice, "Create", embedded(note)) | {"id": f"{elsewhere}/a/1"}

    res = await peer.post(inbox_url(instance, None), activity)

    assert (res.status_code, res.text) == (400, "the activity id is not on its actor's origin\n")
    assert await count_items(instance) == 0


async def test_activity_claiming_one_of_our_ids_is_400(instance: Instance, peer: Peer) -> None:
    alice = await followed_alice(instance, peer)
    # Our origin spelled differently (case, trailing dot) is still ours.
    ours = instance.base_url.replace("127.0.0.1", "127.0.0.1.").upper().replace("HTTP", "http")
    activity = peer.activity(alice, "Delete", f"{instance.base_url}/groups/demo/posts/x")
    activity["id"] = f"{ours}/groups/demo/activities/x"

    res = await peer.post(inbox_url(instance, None), activity)

    assert (res.status_code, res.text) == (400, "the activity claims an id of this instance\n")
    assert await count_items(instance) == 0


async def test_embedded_object_with_one_of_our_ids_is_ignored(
    instance: Instance, peer: Peer
) -> None:
    alice = await followed_alice(instance, peer)
    fake = {**embedded(peer.note(alice)), "id": f"{instance.base_url}/groups/demo/posts/fake"}

    assert (
        await peer.post(inbox_url(instance, None), peer.activity(alice, "Create", fake))
    ).is_success
    await settle(instance)

    assert await rows(instance, RemoteObject) == []
    await assert_all_done(instance)


async def test_embedded_copy_attributed_to_another_origin_is_refetched(
    instance: Instance, peer: Peer
) -> None:
    # Given a note on alice's server whose embedded copy names an author elsewhere
    alice = await followed_alice(instance, peer)
    real = peer.note(alice, "<p>What alice's server says</p>")
    async with running_peer("localhost") as other:
        stranger = other.actor("stranger")
        forged = {**embedded(real), "attributedTo": stranger.id, "content": "<p>Forged</p>"}

        # When alice's Create carries that copy
        assert (
            await peer.post(inbox_url(instance, None), peer.activity(alice, "Create", forged))
        ).is_success
        await settle(instance)

    # Then the copy is ignored and the note fetched from its own origin, as it is there
    assert real["id"].removeprefix(peer.base_url) in peer.fetched
    (row,) = await rows(instance, RemoteObject)
    assert (row.content_html, row.attributed_to) == ("<p>What alice's server says</p>", alice.id)


async def test_update_swapping_the_key_is_believed_only_from_the_origin(
    instance: Instance, peer: Peer
) -> None:
    # Given alice, known with her key
    alice = await followed_alice(instance, peer)
    (before,) = await rows(instance, RemoteActor, RemoteActor.ap_id == alice.id)
    fetches = len(peer.fetched)

    # When her Update embeds her actor with an attacker's key
    _, attacker_public = generate_key_pair()
    swapped = alice.document()
    swapped["publicKey"] = {**swapped["publicKey"], "publicKeyPem": attacker_public}
    assert (
        await peer.post(inbox_url(instance, None), peer.activity(alice, "Update", swapped))
    ).is_success
    await settle(instance)

    # Then her actor was re-fetched from its origin, and the key it serves is kept
    assert peer.fetched[fetches:] == ["/users/alice"]
    (after,) = await rows(instance, RemoteActor, RemoteActor.ap_id == alice.id)
    assert after.public_key_pem == before.public_key_pem == alice.public_pem
    assert after.public_key_pem != attacker_public
