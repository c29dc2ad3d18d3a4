"""Which member posts a network announces: all, sharing (offers, needs, events) or tagged;
and a group the network never approved gets nothing announced, whatever it sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.forum.support import PUBLIC
from tests.networks.support import region
from tests.peer import Peer, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def mastodon() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def test_sharing_then_tagged(make_instance: Any, mastodon: Peer, cli: Cli) -> None:
    # Given eastside, a member of a network (approved at once) announcing only sharing
    world = await region(make_instance, mastodon, cli)
    await cli.ok(world.two, "network", "join", "eastside", world.network)
    await world.settle()
    updated = await world.on_one("network", "update", "region", "--announce", "sharing")
    assert updated == "region announces its members' posts: sharing\n"
    # When eastside posts a status, an offer, a need and an event
    await world.publish(world.two, "post", "eastside", "Just chatting")
    await world.publish(world.two, "offer", "eastside", "Ladder lending")
    await world.publish(world.two, "need", "eastside", "Someone to fix a bike")
    await world.publish(world.two, "event", "eastside", "Picnic", "--start", "2099-05-01 12:00")
    # Then the offer, the need and the event go up; the status stays with the network
    assert world.announced_with("Just chatting") == 0
    for title in ("Ladder lending", "Someone to fix a bike", "Picnic"):
        assert world.announced_with(title) == 1, title
    kept = await world.on_one("messages", "region")
    assert "Just chatting" in kept

    # When the network announces only posts tagged #region
    await world.on_one("network", "update", "region", "--announce", "tagged")
    await world.publish(world.two, "post", "eastside", "Meeting on Monday #Region")
    await world.publish(world.two, "post", "eastside", "Meeting on Tuesday #elsewhere")
    await world.publish(world.two, "offer", "eastside", "Chairs to lend")
    # Then only the tagged post goes up
    assert world.announced_with("Meeting on Monday") == 1
    assert world.announced_with("Meeting on Tuesday") == 0
    assert world.announced_with("Chairs to lend") == 0
    assert len(world.announced()) == 4


async def test_only_approved_members_are_announced(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given a network approving by hand, which follows westside without it being a member
    world = await region(make_instance, mastodon, cli, "--manual-approval")
    await world.on_one("follow", "region", f"westside@{world.three.host}")
    await world.settle()
    # And a group on the fake server that asked to join, never approved
    intruder = mastodon.actor("intruder", type="Group")
    follow = mastodon.activity(intruder, "Follow", world.network_id)
    assert (await mastodon.post(world.network_id + "/inbox", follow)).status_code == 202
    await world.settle()
    assert f"intruder@{mastodon.base_url.split('//')[1]}\tpending" in await world.on_one(
        "network", "members", "region", "--pending"
    )
    # When both publish to the network's inbox
    await world.publish(world.three, "post", "westside", "Followed but no member")
    note = mastodon.note(intruder, "<p>Intruder claims membership</p>")
    create = mastodon.activity(
        intruder, "Create", note, to=[PUBLIC], cc=[intruder.id + "/followers"]
    )
    assert (await mastodon.post(world.network_id + "/inbox", create)).status_code == 202
    await world.settle()
    # Then nothing is announced
    assert world.announced() == []
    # Nor for a network's fan: a Person is never listed as a member
    assert "fan@" not in await world.on_one("network", "members", "region", "--pending")
    refused = await cli.fails(world.one, "network", "approve", "region", world.fan.id)
    assert "is not a member of region and has not asked to join" in refused
