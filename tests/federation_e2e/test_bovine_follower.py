"""A third-party peer built on bovine follows a group, hears it, and unfollows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from actors.groups import get_group
from actors.models import Follower
from posts.notes import publish_note
from tests.bovine_peer import BovinePeer, start_bovine_peer
from tests.helpers import add_group
from tests.instances import Instance, settle


@pytest.fixture
async def peer() -> AsyncIterator[BovinePeer]:
    peer = await start_bovine_peer()
    yield peer
    await peer.stop()


async def _post(instance: Instance, text: str) -> None:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "demo")
        await publish_note(session, instance.ctx, group, text)
        await session.commit()


async def _followers(instance: Instance) -> list[Follower]:
    async with instance.ctx.sessions() as session:
        return list((await session.execute(select(Follower))).scalars())


async def test_bovine_follows_hears_and_undoes(instance: Instance, peer: BovinePeer) -> None:
    await add_group(instance, "demo")
    group_id = await peer.resolve(f"demo@{instance.host}", instance.base_url)
    assert group_id is not None
    group_inbox = f"{instance.base_url}/groups/demo/inbox"

    # Given: the bovine peer sends a signed Follow (cavage, lowercase sha-256 digest).
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.new_id(),
        "type": "Follow",
        "actor": peer.actor_id,
        "object": group_id,
    }
    response = await peer.post(group_inbox, follow)
    assert response.status == 202
    await settle(instance)

    # Then: it receives an Accept of its exact Follow, which bovine verifies as the group's.
    [accept] = peer.inbox
    assert accept.signer == group_id
    assert accept.activity["type"] == "Accept"
    assert accept.activity["actor"] == group_id
    assert accept.activity["object"]["id"] == follow["id"]
    assert accept.activity["object"]["actor"] == peer.actor_id
    [follower] = await _followers(instance)
    assert follower.accepted and follower.follow_ap_id == follow["id"]

    # When: the group posts a status update, the peer receives the signed Create.
    await _post(instance, "Food distribution moved to **Saturday**.")
    await settle(instance)
    create = peer.inbox[-1]
    assert create.signer == group_id
    assert create.activity["type"] == "Create"
    note = create.activity["object"]
    assert note["attributedTo"] == group_id
    assert "<strong>Saturday</strong>" in note["content"]

    # When: the peer undoes its Follow, it is removed and hears nothing more.
    undo = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.new_id(),
        "type": "Undo",
        "actor": peer.actor_id,
        "object": follow,
    }
    assert (await peer.post(group_inbox, undo)).status == 202
    await settle(instance)
    assert await _followers(instance) == []
    received = len(peer.inbox)
    await _post(instance, "Nobody from bovine should see this.")
    await settle(instance)
    assert len(peer.inbox) == received
