"""A hostile network cannot make the directory fetch without end, list people, reach a
blocked domain, or lead it off its own origin; a network here publishes only its
approved members.

The hostile network is a fake server (``tests.peer``) that a group here joined: its
``members`` collection lists 10,000 ids, its pages loop and point elsewhere.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from actors.groups import create_group, find_group
from actors.models import NetworkRead
from networks.outreach import (
    MAX_FETCHES,
    MAX_ITEMS,
    MAX_PAGES,
    READ_EVERY,
    RETRY_SOON,
    refresh_once,
)
from store.db import utcnow
from store.pacing import Pacer
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import AS_CONTEXT, Peer, PeerActor, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


@pytest.fixture
async def far() -> AsyncIterator[Peer]:
    async with running_peer("localhost") as server:
        yield server


def _network(peer: Peer, name: str, members: Any) -> PeerActor:
    """A Group actor at ``/groups/NAME`` whose document links ``members``."""
    actor = dataclasses.replace(peer.actor(name, type="Group"), id=f"{peer.base_url}/groups/{name}")
    # Its inbox is the peer's shared one (the peer takes POSTs there and at /users/…).
    peer.serve({**actor.document(), "inbox": f"{peer.base_url}/inbox", "members": members})
    return actor


async def _join(cli: Cli, instance: Instance, peer: Peer, network: PeerActor) -> None:
    """``eastside`` (made at the first call) joins ``network``, which accepts."""
    instance.ctx.outreach = Pacer(math.inf)
    instance.ctx.outreach.ran()
    async with instance.ctx.sessions() as session:
        if await find_group(session, "eastside") is None:
            await create_group(session, "eastside", instance.ctx.urls)
            await session.commit()
    await cli.ok(instance, "network", "join", "eastside", network.id)
    await settle(instance)
    follow = peer.inbox_activities("Follow")[-1]
    accept = peer.activity(network, "Accept", follow)
    assert (await peer.post(follow["actor"] + "/inbox", accept, actor=network)).status_code == 202
    await settle(instance)


async def _handles(cli: Cli, instance: Instance) -> set[str]:
    listing = json.loads(await cli.ok(instance, "directory", "--json"))
    return {entry["handle"] for entry in listing["groups"]}


def _listing(peer: Peer, name: str, items: list[Any]) -> PeerActor:
    """A network ``name`` whose ``members`` collection's first page lists ``items`` and
    names itself as the next page."""
    members, first = f"{peer.base_url}/groups/{name}/members", f"{peer.base_url}/groups/{name}/p1"
    peer.serve({"@context": AS_CONTEXT, "id": members, "type": "OrderedCollection",
                "first": first, "totalItems": len(items)})  # fmt: skip
    peer.serve({"@context": AS_CONTEXT, "id": first, "partOf": members,
                "type": "OrderedCollectionPage", "orderedItems": items, "next": first})  # fmt: skip
    return _network(peer, name, members)


async def test_a_hostile_members_collection_is_read_within_limits(
    instance: Instance, cli: Cli, peer: Peer, far: Peer
) -> None:
    groups = [peer.actor(f"g{n}", type="Group") for n in range(3)]
    person, late = peer.actor("p0"), peer.actor("late", type="Group")
    blocked = far.actor("far", type="Group")
    # net: its groups, a person, a blocked group, junk, then the first group again and
    # again, so that a group listed after MAX_ITEMS ids is never looked at
    head = [g.id for g in groups] + [person.id, blocked.id, {"no": "id"}, 42]
    net = _listing(peer, "net", head + [groups[0].id] * MAX_ITEMS + [late.id])
    # many: 10,000 ids of actors that do not exist
    many = _listing(peer, "many", [f"{peer.base_url}/users/ghost{n}" for n in range(10_000)])
    await cli.ok(instance, "domain", "block", "localhost")
    await _join(cli, instance, peer, net)
    await _join(cli, instance, peer, many)
    peer.fetched.clear()

    await refresh_once(instance.ctx)

    # Then the groups among the first ids are listed, the person and the rest are not
    listed = await _handles(cli, instance)
    host = peer.base_url.removeprefix("http://")
    assert {f"@g{n}@{host}" for n in range(3)} <= listed
    assert f"@p0@{host}" not in listed and f"@late@{host}" not in listed
    assert not any("ghost" in handle for handle in listed)
    assert "/users/late" not in peer.fetched
    # And no more than MAX_FETCHES were fetched for one network; the blocked domain never
    assert 0 < sum("ghost" in path for path in peer.fetched) <= MAX_FETCHES
    assert far.fetched == []
    # And the read cut short comes back within minutes rather than an hour
    async with instance.ctx.sessions() as session:
        reads = {r.network: r for r in await session.scalars(select(NetworkRead))}
    assert reads[many.id].read_at <= utcnow() - READ_EVERY + RETRY_SOON
    assert reads[net.id].read_at > utcnow() - RETRY_SOON


async def test_looping_and_foreign_pages_are_not_followed(
    instance: Instance, cli: Cli, peer: Peer, far: Peer
) -> None:
    group = peer.actor("g0", type="Group")
    members = f"{peer.base_url}/groups/loop/members"
    page = f"{peer.base_url}/groups/loop/page"
    peer.serve({"@context": AS_CONTEXT, "id": members, "type": "OrderedCollection",
                "first": page})  # fmt: skip
    # Each page lists g0 and sends to itself: read MAX_PAGES times at most
    peer.serve({"@context": AS_CONTEXT, "id": page, "type": "OrderedCollectionPage",
                "orderedItems": [group.id], "next": page})  # fmt: skip
    foreign = f"{far.base_url}/members"
    far.serve({"@context": AS_CONTEXT, "id": foreign, "type": "OrderedCollection",
               "orderedItems": [far.actor("far", type="Group").id]})  # fmt: skip
    other = _network(peer, "other", foreign)
    network = _network(peer, "loop", members)
    await _join(cli, instance, peer, network)
    await _join(cli, instance, peer, other)
    peer.fetched.clear()

    await refresh_once(instance.ctx)

    assert 0 < peer.fetched.count("/groups/loop/page") <= MAX_PAGES
    assert far.fetched == []  # a members collection on another origin is not read
    assert f"@g0@{peer.base_url.removeprefix('http://')}" in await _handles(cli, instance)


async def test_a_network_publishes_only_its_approved_members(make_instance: Any, cli: Cli) -> None:
    one, two, three = await make_instance(), await make_instance(), await make_instance()
    await cli.ok(one, "group", "create", "region", "--network", "--manual-approval")
    await add_group(one, "plain")
    await add_group(two, "eastside")
    await add_group(three, "westside")
    region = f"region@{one.host}"
    await cli.ok(two, "network", "join", "eastside", region)
    await cli.ok(three, "network", "join", "westside", region)
    await settle(one, two, three)
    await cli.ok(one, "network", "approve", "region", f"eastside@{two.host}")
    await settle(one, two, three)
    region_id = one.ctx.urls.group("region")
    headers = {"Accept": "application/activity+json"}
    async with one.client(headers=headers) as client:
        actor = (await client.get(region_id)).json()
        collection = (await client.get(region_id + "/members")).json()
        page = (await client.get(region_id + "/members?page=1")).json()
        plain = await client.get(one.ctx.urls.group("plain") + "/members")
        plain_actor = (await client.get(one.ctx.urls.group("plain"))).json()
    assert actor["members"] == region_id + "/members"
    assert "members" not in plain_actor
    assert collection["totalItems"] == 1 and collection["first"] == region_id + "/members?page=1"
    # westside asked but was never approved: it is not a member anyone can read of
    assert page["orderedItems"] == [two.ctx.urls.group("eastside")]
    assert plain.status_code == 404 and "not a network" in plain.text
