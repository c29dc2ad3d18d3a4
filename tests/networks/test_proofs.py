"""Integrity proofs between real instances: a network relays a member group's post, and
the instances that receive it keep the copy the proof vouches for, without asking the
member's instance for it.

``region`` (a network) on ``one``; ``eastside`` (the member that posts) on ``two``, whose
every request is logged; ``westside`` on ``three``, relaying all the network's posts.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from starlette.types import Receive, Scope, Send

from actors.instance import Context
from federation import proofs
from inbox.models import RemoteObject
from outbox.models import Activity
from store.db import utcnow
from tests.inbox.support import follow
from tests.instances import Instance
from tests.networks.support import Region, region
from tests.peer import Peer, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def mastodon() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


class RequestLog:
    """Every request an instance serves, as ``(method, path)``: its access log."""

    def __init__(self, instance: Instance) -> None:
        self.requests: list[tuple[str, str]] = []
        # uvicorn hands each new connection the loaded app: wrapped before any arrives.
        inner = instance.server.config.loaded_app

        async def logged(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                self.requests.append((scope["method"], scope["path"]))
            await inner(scope, receive, send)

        instance.server.config.loaded_app = logged

    def gets(self, url: str) -> int:
        path = url.split("/", 3)[3]
        return self.requests.count(("GET", "/" + path))


async def logged_region(make_instance: Any, mastodon: Peer, cli: Cli) -> tuple[Region, RequestLog]:
    logs: list[RequestLog] = []

    async def make() -> Instance:
        instance = await make_instance()
        logs.append(RequestLog(instance))
        return instance

    world = await region(make, mastodon, cli)
    await cli.ok(world.two, "network", "join", "eastside", world.network)
    await cli.ok(world.three, "network", "join", "westside", world.network, "--relay", "all")
    west = world.three.ctx.urls.group("westside")
    follow_west = mastodon.activity(mastodon.actor("bo"), "Follow", west)
    assert (await mastodon.post(west + "/inbox", follow_west)).status_code == 202
    await world.settle()
    return world, logs[1]


async def sent_create(ctx: Context, post_id: str) -> dict[str, Any]:
    """The ``Create`` of a post as eastside's instance sent it (its queued row)."""
    async with ctx.sessions() as session:
        create: dict[str, Any] | None = await session.scalar(
            select(Activity.document).where(
                Activity.object_ap_id == post_id, Activity.type == "Create"
            )
        )
    assert create is not None
    return create


def verify(doc: dict[str, Any], actor: dict[str, Any]) -> None:
    proof = proofs.read_proof(doc, utcnow())
    proofs.check(doc, proof, proofs.assertion_key(actor, proof.key_id))


async def kept(instance: Instance, ap_id: str) -> RemoteObject | None:
    async with instance.ctx.sessions() as session:
        found: RemoteObject | None = await session.scalar(
            select(RemoteObject).where(RemoteObject.ap_id == ap_id)
        )
        return found


async def test_a_relayed_post_is_believed_by_its_proof_not_fetched(
    make_instance: Any, mastodon: Peer, cli: Cli, caplog: pytest.LogCaptureFixture
) -> None:
    world, two = await logged_region(make_instance, mastodon, cli)

    # When eastside posts: the network announces it, and westside relays it down
    out = await cli.ok(world.two, "post", "eastside", "Proof travels")
    post_id = out.strip().split(": ", 1)[1]
    await world.settle()

    # Then the Create that left eastside and its Note each carry a proof, made with the
    # key its actor publishes
    create = await sent_create(world.two.ctx, post_id)
    note = create["object"]
    eastside = world.two.ctx.urls.group("eastside")
    assert note["proof"]["verificationMethod"] == eastside + "#ed25519-key"
    assert note["proof"]["cryptosuite"] == proofs.CRYPTOSUITE
    async with world.two.client() as client:
        actor = (await client.get(eastside, headers={"Accept": "application/activity+json"})).json()
    assert "https://w3id.org/security/multikey/v1" in actor["@context"]
    [method] = actor["assertionMethod"]
    assert (method["type"], method["controller"]) == ("Multikey", eastside)
    verify(create, actor)
    verify(note, actor)
    # And the instance of westside keeps the post, and so relays it to its follower…
    row = await kept(world.three, post_id)
    assert row is not None and "Proof travels" in row.content_html
    assert row.via == world.network_id
    assert any(
        a["object"] == post_id
        for a in mastodon.inbox_activities("Announce")
        if a["actor"] == world.three.ctx.urls.group("westside")
    )
    # … while nobody ever asked eastside's instance for the post
    assert two.gets(post_id) == 0
    assert two.gets(post_id + "/activity") == 0

    # When a relay followed on three passes on a doctored copy of the signed note
    relay = mastodon.actor("relay", type="Group")
    await follow(world.three, "westside", relay)
    doctored = copy.deepcopy(note)
    doctored["content"] = "<p>Send your savings to mallory</p>"
    announce = mastodon.activity(relay, "Announce", doctored)
    with caplog.at_level(logging.INFO, logger="mutuals.inbox"):
        response = await mastodon.post(world.three.base_url + "/inbox", announce)
        assert response.status_code == 202
        await world.settle()
    # Then it is refused, with the reason in the log, and still not fetched
    reason = "its integrity proof is invalid: the proof's signature does not match the document"
    assert f"refusing {post_id}: {reason}" in caplog.text
    row = await kept(world.three, post_id)
    assert row is not None and "mallory" not in row.content_html
    assert two.gets(post_id) == 0

    # When the relay boosts another eastside post without its proof (a copy that lost it)
    out = await cli.ok(world.two, "post", "eastside", "No proof here")
    other_id = out.strip().split(": ", 1)[1]
    await world.settle()
    unproven = dict((await sent_create(world.two.ctx, other_id))["object"])
    del unproven["proof"]
    await mastodon.post(
        world.three.base_url + "/inbox", mastodon.activity(relay, "Announce", unproven)
    )
    await world.settle()
    # Then today's rule holds: three fetched it from eastside's instance
    assert two.gets(other_id) >= 1
