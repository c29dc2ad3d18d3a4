"""Groups on other instances join a network, are approved, leave and are removed; what
they post reaches the network's followers as announces.

Real instances on loopback ports with real signatures: the network ``region`` on one,
``eastside`` and ``westside`` on two others, and ``fan`` following the network from a
fake Mastodon server that records what it receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.admin.support import add_account
from tests.networks.support import region
from tests.peer import Peer, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def mastodon() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def test_groups_join_are_approved_and_their_posts_go_up(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given a network approving by hand, and eastside with a liaison
    world = await region(make_instance, mastodon, cli, "--manual-approval")
    await add_account(world.two, "li")
    await cli.ok(
        world.two, "account", "grant", "li", "eastside", "liaison", "--handle", "@li@x.example"
    )
    # When both groups ask to join, westside not to be announced
    joined = await cli.ok(world.two, "network", "join", "eastside", world.network)
    assert "pending until the network accepts" in joined
    await cli.ok(world.three, "network", "join", "westside", world.network, "--no-announce")
    await world.settle()
    # Then they wait, listed with their liaison contacts
    east, west = f"eastside@{world.two.host}", f"westside@{world.three.host}"
    pending = (await world.on_one("network", "members", "region", "--pending")).splitlines()
    assert pending == [
        f"{east}\tpending\tannounced\tliaison: @li@x.example",
        f"{west}\tpending\tnot announced\tliaison: none",
    ]
    assert await world.on_one("network", "members", "region") == "region: no member groups yet\n"
    await world.publish(world.two, "post", "eastside", "Before approval")
    assert world.announced() == []

    # When the network approves them
    assert "is now a member of region" in await world.on_one("network", "approve", "region", east)
    await world.on_one("network", "approve", "region", west)
    await world.settle()
    # Then both follows are accepted, both ways
    members = await world.on_one("network", "members", "region")
    assert members.splitlines()[0] == f"{east}\tapproved\tannounced\tliaison: @li@x.example"
    following = await world.on_one("following", "region")
    assert f"{east}\t" in following and f"{west}\t" in following
    assert "pending" not in following
    assert "accepted" in await cli.ok(world.two, "following", "eastside")
    already = await cli.fails(world.one, "network", "approve", "region", east)
    assert already == f"error: {east} is already a member of region"

    # When both post: eastside is announced (both forms), westside asked not to be
    await world.publish(world.two, "post", "eastside", "Tool library opens Saturday")
    await world.publish(world.three, "post", "westside", "Westside quiet post")
    assert world.announced_with("Tool library opens Saturday") == 1
    assert world.announced_with("Westside quiet post") == 0
    assert world.announced_with("Before approval") == 0
    # When westside changes its mind by joining again, its next post goes up
    await cli.ok(world.three, "network", "join", "westside", world.network, "--announce")
    await world.settle()
    assert f"{west}\tapproved\tannounced" in await world.on_one("network", "members", "region")
    await world.publish(world.three, "post", "westside", "Westside speaks up")
    assert world.announced_with("Westside speaks up") == 1

    # When eastside leaves, the network forgets it and stops following it
    assert "eastside left region@" in await cli.ok(
        world.two, "network", "leave", "eastside", world.network
    )
    await world.settle()
    members = await world.on_one("network", "members", "region")
    assert east not in members and west in members
    assert east not in await world.on_one("following", "region")
    await world.publish(world.two, "post", "eastside", "After leaving")
    assert world.announced_with("After leaving") == 0

    # When the network removes westside, both follows end on both sides
    removed = await world.on_one("network", "remove", "region", west)
    assert removed == f"{west} is no longer a member of region\n"
    await world.settle()
    assert await world.on_one("network", "members", "region") == "region: no member groups yet\n"
    assert "follows nobody" in await world.on_one("following", "region")
    assert "follows nobody" in await cli.ok(world.three, "following", "westside")
    await world.publish(world.three, "post", "westside", "After removal")
    assert world.announced_with("After removal") == 0
    assert len(world.announced()) == 2


async def test_a_network_following_back_is_accepted_at_once_and_is_no_member(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given district, a network approving by hand, joining region
    world = await region(make_instance, mastodon, cli)
    await cli.ok(world.two, "group", "create", "district", "--network", "--manual-approval")
    await cli.ok(world.two, "network", "join", "district", world.network)
    await world.settle()
    # Then region's follow-back was accepted without waiting for district's organizers,
    # and region follows district without becoming one of its members
    assert f"district@{world.two.host}\tapproved" in await world.on_one(
        "network", "members", "region"
    )
    assert "region@" not in await cli.ok(world.two, "followers", "district", "--pending")
    assert "region@" in await cli.ok(world.two, "followers", "district")
    for state in ((), ("--pending",)):
        assert "region@" not in await cli.ok(world.two, "network", "members", "district", *state)
    # And district's posts go up to region's followers
    await world.publish(world.two, "post", "district", "News from the district")
    assert world.announced_with("News from the district") == 1
