"""Groups on real instances followed by a group on another instance and by a Mastodon-shaped
peer: the world the move and key-rotation tests start from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from actors.models import Follower, Following, Group, RemoteActor
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor
from tests.sharing.network import Cli

AS = "https://www.w3.org/ns/activitystreams"


@dataclass
class World:
    """``old`` on ``one``, followed by ``fans`` on ``two`` and by ``ann`` on ``mastodon``;
    ``new`` on ``three``, where ``old`` may move."""

    one: Instance
    two: Instance
    three: Instance
    mastodon: Peer
    ann: PeerActor
    cli: Cli

    @property
    def old_id(self) -> str:
        return self.one.ctx.urls.group("old")

    @property
    def new_id(self) -> str:
        return self.three.ctx.urls.group("new")

    async def settle(self) -> None:
        await settle(self.one, self.two, self.three)


async def followers(instance: Instance, group: str) -> set[tuple[str, bool]]:
    """(actor id, accepted) of the group's followers."""
    return await _follows(instance, group, Follower)


async def following(instance: Instance, group: str) -> set[tuple[str, bool]]:
    """(actor id, accepted) of whom the group follows."""
    return await _follows(instance, group, Following)


async def _follows(
    instance: Instance, group: str, table: type[Follower] | type[Following]
) -> set[tuple[str, bool]]:
    async with instance.ctx.sessions() as session:
        found = await session.execute(
            select(RemoteActor.ap_id, table.accepted)
            .join(table, table.actor_id == RemoteActor.id)
            .join(Group, Group.id == table.group_id)
            .where(Group.name == group)
        )
        return {(ap_id, accepted) for ap_id, accepted in found.all()}
