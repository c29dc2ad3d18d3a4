"""Fixtures of the move and key-rotation tests: three instances and a Mastodon-shaped peer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actors.groups import get_group
from follows import actions
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.moves.support import World, followers
from tests.peer import Peer, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    """A Mastodon-shaped server on a loopback port."""
    async with running_peer() as server:
        yield server


@pytest.fixture
async def world(make_instance: InstanceFactory, peer: Peer, cli: Cli) -> World:
    """The three instances and the peer, every follow accepted."""
    one, two, three = [await make_instance() for _ in range(3)]
    ann = peer.actor("ann")
    built = World(one, two, three, peer, ann, cli)
    await add_group(one, "old")
    await add_group(two, "fans")
    await add_group(three, "new")
    async with two.ctx.sessions() as session:
        fans = await get_group(session, "fans")
        await actions.follow(session, two.ctx, fans, f"old@{one.host}")
        await session.commit()
    follow = peer.activity(ann, "Follow", built.old_id)
    assert (await peer.post(built.old_id + "/inbox", follow)).status_code == 202
    await built.settle()
    assert await followers(one, "old") == {(f"{two.base_url}/groups/fans", True), (ann.id, True)}
    return built
