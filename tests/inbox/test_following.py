"""Accept and Reject of a Follow one of our groups sent."""

from __future__ import annotations

from typing import Any

from actors.models import Following
from tests.helpers import add_group
from tests.inbox.support import follow, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor


def our_follow(instance: Instance, following: Following, target: PeerActor) -> dict[str, Any]:
    """Our Follow as Mastodon embeds it in its answer."""
    return {
        "id": following.follow_ap_id,
        "type": "Follow",
        "actor": f"{instance.base_url}/groups/demo",
        "object": target.id,
    }


async def answer(peer: Peer, instance: Instance, actor: PeerActor, kind: str, obj: Any) -> None:
    assert (
        await peer.post(inbox_url(instance), peer.activity(actor, kind, obj))
    ).status_code == 202
    await settle(instance)


async def test_accept_with_embedded_follow(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    following = await follow(instance, "demo", alice, accepted=False)

    await answer(peer, instance, alice, "Accept", our_follow(instance, following, alice))

    [row] = await rows(instance, Following)
    assert row.accepted is True


async def test_accept_by_follow_id(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    following = await follow(instance, "demo", alice, accepted=False)

    await answer(peer, instance, alice, "Accept", following.follow_ap_id)

    assert [row.accepted for row in await rows(instance, Following)] == [True]


async def test_accept_naming_our_follow_without_its_id(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    following = await follow(instance, "demo", alice, accepted=False)
    embedded = our_follow(instance, following, alice)
    embedded["id"] = f"{instance.base_url}/groups/demo/activities/unknown"

    await answer(peer, instance, alice, "Accept", embedded)

    assert [row.accepted for row in await rows(instance, Following)] == [True]


async def test_accept_by_another_actor_is_ignored(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice, mallory = peer.actor("alice"), peer.actor("mallory")
    following = await follow(instance, "demo", alice, accepted=False)

    await answer(peer, instance, mallory, "Accept", our_follow(instance, following, alice))
    await answer(peer, instance, mallory, "Accept", following.follow_ap_id)

    assert [row.accepted for row in await rows(instance, Following)] == [False]


async def test_reject_removes_the_following(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    following = await follow(instance, "demo", alice, accepted=True)

    await answer(peer, instance, alice, "Reject", our_follow(instance, following, alice))

    assert await rows(instance, Following) == []


async def test_reject_by_another_actor_is_ignored(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice, mallory = peer.actor("alice"), peer.actor("mallory")
    following = await follow(instance, "demo", alice, accepted=True)

    await answer(peer, instance, mallory, "Reject", following.follow_ap_id)

    assert len(await rows(instance, Following)) == 1
