"""Bad input to a group forum: refused or held with a reason, nothing announced, nothing lost."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.forum.support import PUBLIC, announces, forum_group, join, mastodon_post, messages
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def _open_group(instance: Instance, peer: Peer) -> str:
    group_id = await forum_group(instance, posting="open")
    for name in ("ana", "bob"):
        await join(instance, peer, peer.actor(name), group_id)
    peer.received.clear()
    return group_id


async def _post(peer: Peer, group_id: str, activity: dict[str, Any], **options: Any) -> int:
    response = await peer.post(group_id + "/inbox", activity, **options)
    return response.status_code


async def test_a_post_signed_by_someone_else_is_refused(instance: Instance, peer: Peer) -> None:
    group_id = await _open_group(instance, peer)
    forged = mastodon_post(peer, peer.actor("ana"), group_id, "garden", "Send money here")
    # Given bob signs a post that claims to be ana's
    assert await _post(peer, group_id, forged, actor=peer.actor("bob")) == 401
    await settle(instance)
    assert announces(peer) == []
    assert await messages(instance) == []


async def test_a_flood_from_one_account_waits_for_a_moderator(
    make_instance: Any, peer: Peer
) -> None:
    instance = await make_instance(posts_per_hour=2)
    group_id = await _open_group(instance, peer)
    ana = peer.actor("ana")
    for n in range(4):
        post = mastodon_post(peer, ana, group_id, "garden", f"post {n}")
        assert await _post(peer, group_id, post) == 202
        await settle(instance)
    held = [(m.status, m.reason) for m in await messages(instance)]
    assert (
        held
        == [("announced", None)] * 2
        + [("pending", "the author had 2 posts announced this hour")] * 2
    )
    assert len(announces(peer)) == 4  # two posts, each in both forms


@pytest.mark.parametrize("mentioned", [60, 500])
async def test_a_post_mentioning_hundreds_of_accounts_is_held_or_refused(
    instance: Instance, peer: Peer, mentioned: int
) -> None:
    group_id = await _open_group(instance, peer)
    others = [f"{peer.base_url}/users/u{n}" for n in range(mentioned)]
    post = mastodon_post(peer, peer.actor("ana"), group_id, "garden", "look!", mentions=others)
    response = await peer.post(group_id + "/inbox", post)
    await settle(instance)
    assert announces(peer) == []
    if mentioned > 100:
        # More tags than any object may carry: refused at the door, with the reason.
        assert response.status_code == 400
        assert "at most 100 are accepted" in response.text
        assert await messages(instance) == []
        return
    assert response.status_code == 202
    [message] = await messages(instance)
    assert (message.status, message.reason) == ("pending", "it mentions 61 accounts (more than 10)")


async def test_a_stranger_cannot_undo_the_groups_announce(instance: Instance, peer: Peer) -> None:
    group_id = await _open_group(instance, peer)
    post = mastodon_post(peer, peer.actor("ana"), group_id, "garden", "Real news")
    assert await _post(peer, group_id, post) == 202
    await settle(instance)
    boost = next(a for a in announces(peer) if isinstance(a["object"], str))
    peer.received.clear()

    # Given bob sends an Undo of the group's boost, as if it were his
    embedded = {k: v for k, v in boost.items() if k != "@context"}
    undo = peer.activity(peer.actor("bob"), "Undo", embedded)
    assert await _post(peer, group_id, undo) == 202
    await settle(instance)

    # Then nothing changes and nothing is sent
    assert [m.status for m in await messages(instance)] == ["announced"]
    assert peer.received == []


async def test_an_update_from_another_origin_changes_nothing(
    instance: Instance, peer: Peer
) -> None:
    group_id = await _open_group(instance, peer)
    post = mastodon_post(peer, peer.actor("ana"), group_id, "garden", "Meet at noon")
    assert await _post(peer, group_id, post) == 202
    await settle(instance)
    peer.received.clear()
    async with running_peer("localhost") as evil:
        mallory = evil.actor("mallory")
        forged = {**post["object"], "content": "<p>Meet at midnight</p>"}
        update = evil.activity(mallory, "Update", forged, to=[PUBLIC])
        response = await evil.post(group_id + "/inbox", update)
        assert response.status_code in (202, 400), response.text
        await settle(instance)
    [message] = await messages(instance)
    assert "noon" in message.content_html
    assert "midnight" not in json.dumps(message.document)
    assert peer.received == []
