"""A member's post reaches the group's other followers: another Mutuals instance and bovine.

Real instances on loopback ports, real signatures both ways: ``garden`` on one instance
is followed by ``river`` on a second instance, by a bovine-based peer, and by ana on a
fake Mastodon server, who posts through the group.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from actors.groups import get_group
from documents.common import Meta
from documents.multilingual import Multilingual
from documents.offer import OfferSpec, offer_document
from follows import actions
from inbox.models import RemoteObject
from sharing.board import open_entries
from store.db import utcnow
from tests.bovine_peer import BovinePeer, start_bovine_peer
from tests.forum.support import MASTODON_CONTEXT, PUBLIC, forum_group, join, mastodon_post
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer
from tests.sharing.network import Cli


@dataclass
class Network:
    """garden's instance, river's instance, bovine, and ana on her Mastodon server."""

    garden: Instance
    river: Instance
    bovine: BovinePeer
    mastodon: Peer
    ana: PeerActor
    group_id: str

    async def settle(self) -> None:
        await settle(self.garden, self.river)

    async def post(self, text: str) -> dict[str, Any]:
        create = mastodon_post(self.mastodon, self.ana, self.group_id, "garden", text)
        await self.send(create)
        return create

    async def send(self, activity: dict[str, Any]) -> None:
        response = await self.mastodon.post(self.group_id + "/inbox", activity)
        assert response.status_code == 202, response.text
        await self.settle()

    async def river_copy(self, object_id: str) -> RemoteObject | None:
        async with self.river.ctx.sessions() as session:
            found: RemoteObject | None = await session.scalar(
                select(RemoteObject).where(RemoteObject.ap_id == object_id)
            )
            return found

    def bovine_announces(self) -> list[dict[str, Any]]:
        received = [r for r in self.bovine.inbox if r.activity["type"] == "Announce"]
        assert all(r.signer == self.group_id for r in received)  # verified by bovine
        return [r.activity for r in received]


@pytest.fixture
async def bovine() -> AsyncIterator[BovinePeer]:
    peer = await start_bovine_peer()
    yield peer
    await peer.stop()


@pytest.fixture
async def mastodon() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def _network(make_instance: Any, bovine: BovinePeer, mastodon: Peer, posting: str) -> Network:
    garden, river = await make_instance(), await make_instance()
    group_id = await forum_group(garden, posting=posting)
    await add_group(river, "river")
    async with river.ctx.sessions() as session:
        group = await get_group(session, "river")
        await actions.follow(session, river.ctx, group, f"garden@{garden.host}")
        await session.commit()
    follow = {"id": bovine.new_id(), "type": "Follow", "actor": bovine.actor_id, "object": group_id}
    assert (await bovine.post(group_id + "/inbox", follow)).status == 202
    ana = mastodon.actor("ana")
    await join(garden, mastodon, ana, group_id)
    network = Network(garden, river, bovine, mastodon, ana, group_id)
    await network.settle()
    bovine.inbox.clear()
    return network


@pytest.mark.parametrize("posting", ["open", "approval", "organizers"])
async def test_a_members_post_reaches_the_groups_followers_under_each_policy(
    make_instance: Any, bovine: BovinePeer, mastodon: Peer, cli: Cli, posting: str
) -> None:
    net = await _network(make_instance, bovine, mastodon, posting)
    create = await net.post("Who can lend a ladder?")
    note_id = create["object"]["id"]
    if posting == "approval":
        assert net.bovine_announces() == []
        assert await net.river_copy(note_id) is None
        await cli.ok(net.garden, "submissions", "approve", "garden", note_id)
        await net.settle()
    if posting == "organizers":
        assert net.bovine_announces() == []
        assert await net.river_copy(note_id) is None
        return

    # Then bovine receives both forms, signed by the group…
    forms = {type(a["object"]).__name__: a for a in net.bovine_announces()}
    assert forms["dict"]["object"] == {k: v for k, v in create.items() if k != "@context"}
    assert (forms["str"]["object"], forms["str"]["to"]) == (note_id, [PUBLIC])
    # …and river keeps ana's post, recorded with the group it came through
    copy = await net.river_copy(note_id)
    assert copy is not None
    assert (copy.attributed_to, copy.via) == (net.ana.id, net.group_id)
    assert "Who can lend a ladder?" in copy.content_html


async def test_edit_delete_and_remove_reach_the_followers(
    make_instance: Any, bovine: BovinePeer, mastodon: Peer, cli: Cli
) -> None:
    net = await _network(make_instance, bovine, mastodon, "open")
    kept, removed = await net.post("Ladder at no. 4"), await net.post("Cheap pills")
    note = kept["object"]

    # When ana edits her post, river's copy changes and bovine hears the Update
    edited = {**note, "content": "<p>Ladder at no. 6</p>", "updated": "2026-12-03T12:00:00Z"}
    net.mastodon.serve({"@context": MASTODON_CONTEXT, **edited})
    await net.send(net.mastodon.activity(net.ana, "Update", edited, to=[PUBLIC]))
    copy = await net.river_copy(note["id"])
    assert copy is not None and "no. 6" in copy.content_html
    assert net.bovine_announces()[-1]["object"]["type"] == "Update"

    # When an organizer removes the other post, river stops keeping it, bovine gets the Undo
    await cli.ok(net.garden, "submissions", "remove", "garden", removed["object"]["id"])
    await net.settle()
    assert await net.river_copy(removed["object"]["id"]) is None
    undone = [r.activity for r in net.bovine.inbox if r.activity["type"] == "Undo"]
    assert [u["object"]["object"] for u in undone] == [removed["object"]["id"]]

    # When ana deletes her post, river's copy becomes a tombstone
    net.mastodon.serve(410, note["id"].removeprefix(net.mastodon.base_url))
    tomb = {"id": note["id"], "type": "Tombstone"}
    await net.send(net.mastodon.activity(net.ana, "Delete", tomb, to=[PUBLIC]))
    copy = await net.river_copy(note["id"])
    assert copy is not None and copy.deleted
    assert net.bovine_announces()[-1]["object"]["type"] == "Delete"


async def test_a_need_relayed_by_a_followed_group_is_on_the_board(
    make_instance: Any, bovine: BovinePeer, mastodon: Peer
) -> None:
    net = await _network(make_instance, bovine, mastodon, "open")

    # Given ana asks the group for help with a need (FEP-0837), as a Mutuals member would
    spec = OfferSpec(kind="need", title=Multilingual.single("en", "Ladder"), skills=("ladders",))
    note_id = mastodon.new_id(net.ana, "statuses")
    meta = Meta(note_id, net.ana.id, utcnow(), to=[PUBLIC], cc=[net.group_id])
    need = offer_document(spec, meta, lambda name: f"{mastodon.base_url}/tags/{name}")
    need["audience"] = net.group_id
    need["tag"].append({"type": "Mention", "href": net.group_id, "name": "@garden"})
    mastodon.serve({"@context": MASTODON_CONTEXT, **need})
    await net.send(mastodon.activity(net.ana, "Create", need, to=[PUBLIC], cc=[net.group_id]))

    # Then river, which follows garden and not ana, shows it on its board
    async with net.river.ctx.sessions() as session:
        river = await get_group(session, "river")
        entries = await open_entries(session, river)
    assert [(e.kind, e.title, e.url) for e in entries] == [("need", "Ladder", note_id)]
