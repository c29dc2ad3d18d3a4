"""A network on one instance, member groups on others, and a follower of the network on a
fake Mastodon server that records what the network announces to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor
from tests.sharing.network import Cli


@dataclass
class Region:
    """``region`` (a network) on ``one``; ``eastside`` on ``two``; ``westside`` on ``three``;
    ``fan`` follows the network from ``mastodon``."""

    one: Instance
    two: Instance
    three: Instance
    mastodon: Peer
    fan: PeerActor
    cli: Cli

    @property
    def network(self) -> str:
        return f"region@{self.one.host}"

    @property
    def network_id(self) -> str:
        return self.one.ctx.urls.group("region")

    async def settle(self) -> None:
        await settle(self.one, self.two, self.three)

    async def on_one(self, *argv: str) -> str:
        return await self.cli.ok(self.one, *argv)

    async def publish(self, instance: Instance, *argv: str) -> None:
        """Run ``mutuals post …`` (or ``offer``, ``event``…) there, and let it travel."""
        await self.cli.ok(instance, *argv)
        await self.settle()

    def announced(self) -> list[str]:
        """What the fan received announced by the network, in the FEP-1b12 form (the
        member's Create, as JSON text), each checked to come with its boost."""
        announces = self.mastodon.inbox_activities("Announce")
        assert all(a["actor"] == self.network_id for a in announces)
        relayed = [a["object"] for a in announces if isinstance(a["object"], dict)]
        boosted = {a["object"] for a in announces if isinstance(a["object"], str)}
        assert {create["object"]["id"] for create in relayed} == boosted
        return [json.dumps(create) for create in relayed]

    def announced_with(self, text: str) -> int:
        return sum(text in create for create in self.announced())


async def region(make_instance: Any, mastodon: Peer, cli: Cli, *network_options: str) -> Region:
    """The network (created with ``network_options``), two groups, and its follower."""
    one, two, three = await make_instance(), await make_instance(), await make_instance()
    fan = mastodon.actor("fan")
    world = Region(one, two, three, mastodon, fan, cli)
    await world.on_one("group", "create", "region", "--network", *network_options)
    await add_group(two, "eastside")
    await add_group(three, "westside")
    follow = mastodon.activity(fan, "Follow", world.network_id)
    assert (await mastodon.post(world.network_id + "/inbox", follow)).status_code == 202
    await world.settle()
    if "--manual-approval" in network_options:
        await world.on_one("approve", "region", fan.id)
        await world.settle()
    return world
