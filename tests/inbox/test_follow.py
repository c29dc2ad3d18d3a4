"""Follow, repeated Follow, manual approval and Undo{Follow}, from signed POST to effect."""

from __future__ import annotations

from typing import Any

from actors.keys import load_public_key
from actors.models import Follower
from federation.httpsig import verify_request
from outbox.models import Activity, Delivery
from tests.helpers import add_group
from tests.inbox.support import inbox_url, only_item, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor


async def send_follow(peer: Peer, instance: Instance, actor: PeerActor) -> dict[str, Any]:
    activity = peer.activity(actor, "Follow", f"{instance.base_url}/groups/demo")
    assert (await peer.post(inbox_url(instance), activity)).status_code == 202
    await settle(instance)
    return activity


async def accepts(instance: Instance) -> list[Activity]:
    found = await rows(instance, Activity, Activity.type == "Accept")
    return sorted(found, key=lambda row: row.id)


async def test_follow_is_stored_and_accepted(instance: Instance, peer: Peer) -> None:
    # Given a group without manual approval
    await add_group(instance, "demo")
    alice = peer.actor("alice")

    # When alice follows it
    follow = await send_follow(peer, instance, alice)

    # Then she is an accepted follower, with her inboxes stored
    [follower] = await rows(instance, Follower)
    assert follower.accepted is True
    assert follower.follow_ap_id == follow["id"]
    assert (follower.actor.ap_id, follower.actor.inbox) == (alice.id, alice.inbox)
    assert follower.actor.shared_inbox == alice.shared_inbox
    # And an Accept embedding her exact Follow is queued to her own inbox
    [accept] = await accepts(instance)
    assert accept.document["actor"] == f"{instance.base_url}/groups/demo"
    embedded = accept.document["object"]
    assert (embedded["id"], embedded["type"]) == (follow["id"], "Follow")
    assert (embedded["actor"], embedded["object"]) == (alice.id, follow["object"])
    [delivery] = await rows(instance, Delivery, Delivery.activity_id == accept.id)
    assert delivery.inbox == alice.inbox
    assert (await only_item(instance)).status == "done"


async def test_replayed_follow_has_one_effect(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    follow = await send_follow(peer, instance, peer.actor("alice"))

    again = await peer.post(inbox_url(instance, None), follow)
    await settle(instance)

    assert again.status_code == 202
    assert len(await rows(instance, Follower)) == 1
    assert len(await accepts(instance)) == 1


async def test_repeated_follow_keeps_one_row_and_accepts_again(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    first = await send_follow(peer, instance, alice)

    # Mastodon re-sends a Follow with a new id when it thinks the first got lost.
    second = await send_follow(peer, instance, alice)

    [follower] = await rows(instance, Follower)
    assert (follower.accepted, follower.follow_ap_id) == (True, second["id"])
    answered = [a.document["object"]["id"] for a in await accepts(instance)]
    assert answered == [first["id"], second["id"]]


async def test_manual_approval_keeps_the_follow_pending(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo", manual_approval=True)
    alice = peer.actor("alice")

    await send_follow(peer, instance, alice)
    await send_follow(peer, instance, alice)  # asking again does not let her in

    [follower] = await rows(instance, Follower)
    assert follower.accepted is False
    assert await accepts(instance) == []


async def test_follow_of_an_unknown_group_is_acknowledged(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    activity = peer.activity(alice, "Follow", f"{instance.base_url}/groups/ghost")

    assert (await peer.post(inbox_url(instance, None), activity)).status_code == 202
    await settle(instance)

    assert await rows(instance, Follower) == []
    assert (await only_item(instance)).status == "done"


async def test_undo_follow_removes_the_follower(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    follow = await send_follow(peer, instance, alice)

    undo = peer.activity(alice, "Undo", {k: v for k, v in follow.items() if k != "@context"})
    assert (await peer.post(inbox_url(instance), undo)).status_code == 202
    await settle(instance)

    assert await rows(instance, Follower) == []


async def test_undo_by_follow_id_removes_the_follower(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    follow = await send_follow(peer, instance, alice)

    assert (
        await peer.post(inbox_url(instance), peer.activity(alice, "Undo", follow["id"]))
    ).status_code == 202
    await settle(instance)

    assert await rows(instance, Follower) == []


async def test_undo_of_an_older_follow_still_removes_the_follower(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    first = await send_follow(peer, instance, alice)
    await send_follow(peer, instance, alice)

    stale = {k: v for k, v in first.items() if k != "@context"}
    await peer.post(inbox_url(instance), peer.activity(alice, "Undo", stale))
    await settle(instance)

    assert await rows(instance, Follower) == []


async def test_undo_of_someone_elses_follow_is_ignored(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    follow = await send_follow(peer, instance, peer.actor("alice"))
    mallory = peer.actor("mallory")

    # mallory signs her own Undo, embedding alice's Follow, and then naming it by id
    await peer.post(inbox_url(instance), peer.activity(mallory, "Undo", follow))
    await peer.post(inbox_url(instance), peer.activity(mallory, "Undo", follow["id"]))
    await settle(instance)

    [follower] = await rows(instance, Follower)
    assert follower.actor.ap_id == peer.actor("alice").id


async def test_undo_of_something_else_is_acknowledged(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await send_follow(peer, instance, alice)
    like = peer.activity(alice, "Like", f"{instance.base_url}/groups/demo")

    await peer.post(inbox_url(instance), peer.activity(alice, "Undo", like))
    await settle(instance)

    assert len(await rows(instance, Follower)) == 1


async def test_the_accept_reaches_the_follower_signed_by_the_group(
    instance: Instance, peer: Peer
) -> None:
    group = await add_group(instance, "demo")
    alice = peer.actor("alice")

    follow = await send_follow(peer, instance, alice)  # settle also runs the delivery worker

    [received] = [r for r in peer.received if r.activity.get("type") == "Accept"]
    assert received.path == "/users/alice/inbox"
    assert received.activity["object"]["id"] == follow["id"]
    verified = verify_request(
        "POST",
        peer.base_url + received.path,
        received.headers,
        received.body,
        load_public_key(group.public_key_pem),  # type: ignore[arg-type]
    )
    assert verified.key_id == f"{instance.base_url}/groups/demo#main-key"
