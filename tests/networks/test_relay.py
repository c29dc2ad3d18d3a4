"""Information down: member groups relay what their networks post and announce to their
own followers, by the policy each chose; a diamond of networks delivers each post once,
networks members of each other do not loop, and leaving stops both directions.

Real instances on loopback ports; the followers of the member groups are accounts on a
fake Mastodon server that records every Announce it receives, by whom.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.networks.support import region
from tests.peer import Peer, PeerActor, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def mastodon() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


def boosts(mastodon: Peer, group: str, object_id: str) -> int:
    """How many boosts (``Announce`` of the object's id) of ``object_id`` ``group`` sent."""
    return sum(
        a["object"] == object_id
        for a in mastodon.inbox_activities("Announce")
        if a["actor"] == group
    )


def relayed(mastodon: Peer, group: str, object_id: str) -> int:
    """How many FEP-1b12 Announces of a Create of ``object_id`` ``group`` sent."""
    return sum(
        isinstance(a["object"], dict) and a["object"]["object"]["id"] == object_id
        for a in mastodon.inbox_activities("Announce")
        if a["actor"] == group
    )


async def follow(mastodon: Peer, fan: PeerActor, group: str) -> None:
    follow = mastodon.activity(fan, "Follow", group)
    assert (await mastodon.post(group + "/inbox", follow)).status_code == 202


async def post(cli: Cli, instance: Instance, *argv: str) -> str:
    """Run ``mutuals post|offer …`` there; the id of what it published."""
    out = await cli.ok(instance, *argv)
    return out.strip().split(": ", 1)[1]


async def test_members_relay_their_network_down_and_stop_when_leaving(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given eastside (relaying sharing, the default) and westside (relaying all) in region,
    # each followed by an account on Mastodon
    world = await region(make_instance, mastodon, cli)
    joined = await cli.ok(world.two, "network", "join", "eastside", world.network)
    assert joined.endswith("it relays the network's posts: sharing\n")
    await cli.ok(world.three, "network", "join", "westside", world.network, "--relay", "all")
    east, west = world.two.ctx.urls.group("eastside"), world.three.ctx.urls.group("westside")
    await follow(mastodon, mastodon.actor("ana"), east)
    await follow(mastodon, mastodon.actor("bo"), west)
    await world.settle()

    # When the network posts a status and an offer
    status = await post(cli, world.one, "post", "region", "Assembly on Friday")
    await world.settle()
    offer = await post(cli, world.one, "offer", "region", "Vans to lend")
    await world.settle()
    # Then westside's follower sees both boosted once, eastside's only the offer
    assert (boosts(mastodon, west, status), relayed(mastodon, west, status)) == (1, 1)
    assert (boosts(mastodon, west, offer), relayed(mastodon, west, offer)) == (1, 1)
    assert (boosts(mastodon, east, status), boosts(mastodon, east, offer)) == (0, 1)
    assert "Assembly on Friday" in await cli.ok(world.three, "messages", "westside")

    # When eastside posts: the network announces it up, and westside relays that down,
    # but eastside never relays its own post coming back
    own = await post(cli, world.two, "post", "eastside", "Eastside news")
    await world.settle()
    assert boosts(mastodon, world.network_id, own) == 1
    assert boosts(mastodon, west, own) == 1
    assert boosts(mastodon, east, own) == 0
    # And when eastside deletes it, westside takes its boost back
    await cli.ok(world.two, "delete", "eastside", own.rsplit("/", 1)[1])
    await world.settle()
    undone = [a for a in mastodon.inbox_activities("Undo") if a["actor"] == west]
    assert [a["object"]["object"] for a in undone] == [own]

    # When eastside relays all from now on, and westside nothing
    changed = await cli.ok(world.two, "network", "relay", "eastside", world.network, "all")
    assert changed == f"eastside relays {world.network}'s posts: all\n"
    await cli.ok(world.three, "network", "relay", "westside", world.network, "none")
    status = await post(cli, world.one, "post", "region", "Second assembly")
    await world.settle()
    assert (boosts(mastodon, east, status), boosts(mastodon, west, status)) == (1, 0)
    other = f"westside@{world.three.host}"
    missing = await cli.fails(world.two, "network", "relay", "eastside", other, "all")
    join = f"join with: mutuals network join eastside {other}"
    assert missing == f"error: eastside has not joined {other}; {join}"

    # When eastside leaves: nothing goes down to its followers, nothing up from it
    await cli.ok(world.two, "network", "leave", "eastside", world.network)
    await world.settle()
    status = await post(cli, world.one, "post", "region", "After eastside left")
    await world.settle()
    assert boosts(mastodon, east, status) == 0
    after = await post(cli, world.two, "post", "eastside", "Eastside after leaving")
    await world.settle()
    assert boosts(mastodon, world.network_id, after) == 0
    not_joined = await cli.fails(world.two, "network", "relay", "eastside", world.network, "all")
    assert not_joined.startswith("error: eastside has not joined ")


async def test_a_diamond_delivers_each_post_once(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given a top network on one, networks n1 and n2 on two and three, members of it and
    # relaying all of it, and the group local on one, member of both and relaying all
    one, two, three = await make_instance(), await make_instance(), await make_instance()
    await cli.ok(one, "group", "create", "top", "--network")
    await cli.ok(two, "group", "create", "n1", "--network")
    await cli.ok(three, "group", "create", "n2", "--network")
    await add_group(one, "local")
    top = f"top@{one.host}"
    for instance, name in ((two, "n1"), (three, "n2")):
        await cli.ok(instance, "network", "join", name, top, "--relay", "all")
        await cli.ok(one, "network", "join", "local", f"{name}@{instance.host}", "--relay", "all")
    local = one.ctx.urls.group("local")
    await follow(mastodon, mastodon.actor("fan"), local)
    await settle(one, two, three)
    # (top follows n1 and n2 back as their network, never as a member of theirs)
    assert "top@" not in await cli.ok(two, "network", "members", "n1")
    assert "top@" not in await cli.ok(three, "network", "members", "n2", "--pending")

    # When the top network posts
    call_out = await post(cli, one, "post", "top", "Call-out from the top")
    await settle(one, two, three)
    # Then it came down both sides, and the local group's follower got it once
    assert "Call-out from the top" in await cli.ok(two, "messages", "n1")
    assert "Call-out from the top" in await cli.ok(three, "messages", "n2")
    assert boosts(mastodon, local, call_out) == 1
    assert relayed(mastodon, local, call_out) <= 1
    assert {a["actor"] for a in mastodon.inbox_activities("Announce")} == {local}


async def test_networks_members_of_each_other_do_not_loop(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given n1 and n2, each a member of the other, relaying all and announcing all, each
    # followed from Mastodon, and member on a third instance in n1
    one, two, three = await make_instance(), await make_instance(), await make_instance()
    await cli.ok(one, "group", "create", "n1", "--network")
    await cli.ok(two, "group", "create", "n2", "--network")
    await add_group(three, "member")
    await cli.ok(one, "network", "join", "n1", f"n2@{two.host}", "--relay", "all")
    await cli.ok(two, "network", "join", "n2", f"n1@{one.host}", "--relay", "all")
    await cli.ok(three, "network", "join", "member", f"n1@{one.host}", "--relay", "all")
    n1, n2 = one.ctx.urls.group("n1"), two.ctx.urls.group("n2")
    await follow(mastodon, mastodon.actor("fan1"), n1)
    await follow(mastodon, mastodon.actor("fan2"), n2)
    await settle(one, two, three)
    assert f"n2@{two.host}\tapproved" in await cli.ok(one, "network", "members", "n1")
    assert f"n1@{one.host}\tapproved" in await cli.ok(two, "network", "members", "n2")

    # When n1 posts, and the member of n1 posts
    own = await post(cli, one, "post", "n1", "From n1 itself")
    await settle(one, two, three)
    members = await post(cli, three, "post", "member", "From a member of n1")
    await settle(one, two, three)
    # Then the workers settled, and each network announced each post at most once:
    # n1 never its own post, n2 both; n1 its member's post, up
    assert (boosts(mastodon, n1, own), boosts(mastodon, n2, own)) == (0, 1)
    assert (boosts(mastodon, n1, members), boosts(mastodon, n2, members)) == (1, 1)
    assert (relayed(mastodon, n1, members), relayed(mastodon, n2, members)) == (1, 1)
    assert len(mastodon.inbox_activities("Announce")) == 6
