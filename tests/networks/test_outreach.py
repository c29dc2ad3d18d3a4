"""The directory learns the groups of networks: members of the networks a group here
joined, and of the networks among those members, read from each network's ``members``
collection over real HTTP with real signatures.

``region`` (a network) on one instance has ``eastside`` (two) and ``westside`` (three)
as members; ``region`` is itself a member of ``coalition`` (three); ``northside`` on a
fourth instance joins ``coalition`` only, and so learns all of them.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import select

from actors.instance import OUTREACH_EVERY
from actors.models import KnownGroup, NetworkRead
from networks.outreach import READ_EVERY, read_network, refresh_once
from store.db import utcnow
from store.pacing import Pacer
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sharing.network import Cli


def _reads_only_when_told(*instances: Instance) -> None:
    """The workers' paced reads off, so the test says when networks are read."""
    for instance in instances:
        instance.ctx.outreach = Pacer(math.inf)
        instance.ctx.outreach.ran()


async def _handles(cli: Cli, instance: Instance) -> list[str]:
    listing = json.loads(await cli.ok(instance, "directory", "--json"))
    return [entry["handle"] for entry in listing["groups"]]


async def test_a_group_learns_the_groups_of_its_network_and_of_its_member_networks(
    make_instance: Any, cli: Cli
) -> None:
    one, two, three, four = [await make_instance() for _ in range(4)]
    everyone = (one, two, three, four)
    _reads_only_when_told(*everyone)
    await cli.ok(one, "group", "create", "region", "--network")
    await cli.ok(three, "group", "create", "coalition", "--network")
    await add_group(two, "eastside")
    await add_group(three, "westside")
    await add_group(four, "northside")
    region, coalition = f"region@{one.host}", f"coalition@{three.host}"
    await cli.ok(two, "network", "join", "eastside", region)
    await cli.ok(three, "network", "join", "westside", region)
    await cli.ok(one, "network", "join", "region", coalition)
    await cli.ok(four, "network", "join", "northside", coalition)
    await settle(*everyone)
    east, west = f"@eastside@{two.host}", f"@westside@{three.host}"
    # Before any read, northside knows only the network it joined
    assert await _handles(cli, four) == [f"@northside@{four.host}", f"@{coalition}"]

    # When its worker reads the networks due (as it does within seconds of the join)
    assert await refresh_once(four.ctx) == 3
    # Then the directory lists coalition's member region, and region's members
    assert sorted(await _handles(cli, four)) == sorted(
        [f"@northside@{four.host}", f"@{coalition}", f"@{region}", east, west]
    )
    # And a read is not due again before an hour has passed
    assert await refresh_once(four.ctx) == 0
    async with four.ctx.sessions() as session:
        read = await session.scalar(select(NetworkRead))
    assert read is not None and read.network == three.ctx.urls.group("coalition")
    assert read.error is None

    # When eastside leaves region, the next read drops it from northside's directory
    await cli.ok(two, "network", "leave", "eastside", region)
    await settle(*everyone)
    assert await read_network(four.ctx, three.ctx.urls.group("coalition"), 2) == 2
    assert east not in await _handles(cli, four)
    assert west in await _handles(cli, four)


async def test_a_network_that_cannot_be_read_keeps_what_it_listed(
    make_instance: Any, cli: Cli
) -> None:
    one, two, three = await make_instance(), await make_instance(), await make_instance()
    _reads_only_when_told(one, two, three)
    await cli.ok(one, "group", "create", "region", "--network")
    await add_group(two, "eastside")
    await add_group(three, "northside")
    region = f"region@{one.host}"
    await cli.ok(two, "network", "join", "eastside", region)
    await cli.ok(three, "network", "join", "northside", region)
    await settle(one, two, three)
    assert await refresh_once(three.ctx) == 1
    assert f"@eastside@{two.host}" in await _handles(cli, three)

    # When the network's server goes away and the read is due again
    region_id = one.ctx.urls.group("region")
    await one.stop()
    assert await read_network(three.ctx, region_id, 2) == 0
    # Then the reason is recorded, and eastside is still listed
    async with three.ctx.sessions() as session:
        read = await session.scalar(select(NetworkRead))
        known = (await session.scalars(select(KnownGroup))).all()
    assert read is not None and read.error is not None and "region" in read.error
    assert len(known) == 1
    assert f"@eastside@{two.host}" in await _handles(cli, three)
    # And it waits the usual hour before asking the server again
    assert await refresh_once(three.ctx) == 0
    assert read.read_at > utcnow() - READ_EVERY


async def test_the_worker_reads_a_network_joined_at_its_next_paced_look(
    make_instance: Any, cli: Cli
) -> None:
    one, two, three = await make_instance(), await make_instance(), await make_instance()
    now = [0.0]
    for instance in (one, two, three):
        instance.ctx.outreach = Pacer(OUTREACH_EVERY, clock=lambda: now[0])
    await cli.ok(one, "group", "create", "region", "--network")
    await add_group(two, "eastside")
    await add_group(three, "northside")
    await settle(one, two, three)  # each worker has looked once: nothing to read yet
    await cli.ok(two, "network", "join", "eastside", f"region@{one.host}")
    await cli.ok(three, "network", "join", "northside", f"region@{one.host}")
    await settle(one, two, three)
    assert f"@eastside@{two.host}" not in await _handles(cli, three)
    # When the pace has passed, the worker's next step reads the network
    now[0] += OUTREACH_EVERY
    await settle(one, two, three)
    assert f"@eastside@{two.host}" in await _handles(cli, three)
