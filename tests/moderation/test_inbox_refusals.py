"""Done-when list 5 on running instances: blocked accounts and domains get 403, allies-only
mode refuses unlisted domains both ways, a received Flag is stored, the inbox rate limit
answers 429; limited (silenced, media-rejected) domains. Peers are told apart by name:
``127.0.0.1`` and ``localhost``."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator

import pytest

from actors.groups import get_group
from actors.models import Follower
from actors.remote import ActorError, store_actor
from follows.actions import follow as follow_account
from inbox.models import RemoteObject
from moderation.blocks import add_block
from moderation.domains import allow_domain, block_domain
from moderation.grievances import grievances
from outbox.models import Delivery
from posts.notes import publish_note
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.inbox.support import count_items, follow, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer
from web.commands.reports import reports as reports_command


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    """A remote server named ``127.0.0.1``."""
    async with running_peer() as server:
        server.actor("alice")
        yield server


@pytest.fixture
async def ally() -> AsyncIterator[Peer]:
    """A second server, named ``localhost``."""
    async with running_peer("localhost") as server:
        server.actor("ana")
        yield server


def follow_of(peer: Peer, instance: Instance, name: str) -> dict[str, object]:
    return peer.activity(peer.actor(name), "Follow", f"{instance.base_url}/groups/demo")


async def test_blocked_account_is_403_on_its_group_inbox(instance: Instance, peer: Peer) -> None:
    group = await add_group(instance, "demo")
    async with instance.ctx.sessions() as session:
        await add_block(session, group.id, peer.actor("alice").id)
        await session.commit()

    res = await peer.post(inbox_url(instance), follow_of(peer, instance, "alice"))

    assert (res.status_code, res.text) == (403, "the group blocks this account\n")
    assert await count_items(instance) == 0
    # Another account of the same server is heard.
    assert (
        await peer.post(inbox_url(instance), follow_of(peer, instance, "bob"))
    ).status_code == 202


async def test_blocked_account_follow_on_the_shared_inbox_is_ignored(
    instance: Instance, peer: Peer
) -> None:
    group = await add_group(instance, "demo")
    async with instance.ctx.sessions() as session:
        await add_block(session, group.id, peer.actor("alice").id)
        await session.commit()

    res = await peer.post(inbox_url(instance, None), follow_of(peer, instance, "alice"))
    assert res.status_code == 202  # the shared inbox serves every group…
    await settle(instance)

    assert await rows(instance, Follower) == []  # …but this group's block holds
    assert peer.inbox_activities("Accept") == []


async def test_blocked_domain_is_403(instance: Instance, peer: Peer, ally: Peer) -> None:
    await add_group(instance, "demo")
    async with instance.ctx.sessions() as session:
        await block_domain(session, "LOCALHOST.")
        await session.commit()

    refused = await ally.post(inbox_url(instance, None), follow_of(ally, instance, "ana"))
    heard = await peer.post(inbox_url(instance, None), follow_of(peer, instance, "alice"))

    assert (refused.status_code, refused.text) == (403, "the domain localhost is blocked\n")
    assert heard.status_code == 202
    assert ally.fetched == []  # not even its key was fetched


@pytest.fixture
async def allies_only(make_instance: InstanceFactory) -> Instance:
    """An instance in allowlist mode that lists 127.0.0.1 (not localhost), with "demo"."""
    instance = await make_instance(federation="allowlist")
    await add_group(instance, "demo")
    async with instance.ctx.sessions() as session:
        await allow_domain(session, "127.0.0.1")
        await session.commit()
    return instance


async def test_allowlist_refuses_an_unlisted_domain_inbound(
    allies_only: Instance, peer: Peer, ally: Peer
) -> None:
    instance = allies_only
    refused = await ally.post(inbox_url(instance), follow_of(ally, instance, "ana"))
    heard = await peer.post(inbox_url(instance), follow_of(peer, instance, "alice"))

    assert refused.status_code == 403
    assert "federates only with listed domains" in refused.text
    assert heard.status_code == 202
    assert ally.fetched == []


async def test_allowlist_never_delivers_to_an_unlisted_domain(
    allies_only: Instance, peer: Peer, ally: Peer
) -> None:
    # Given an allies-only instance that lists 127.0.0.1 but not localhost
    instance = allies_only

    # When both servers ask to follow the group, and the group tries to follow ana
    await peer.post(inbox_url(instance), follow_of(peer, instance, "alice"))
    await ally.post(inbox_url(instance), follow_of(ally, instance, "ana"))
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "demo")
        with pytest.raises(ActorError, match="federates only with listed domains"):
            await follow_account(session, instance.ctx, group, ally.actor("ana").id)
    await settle(instance)
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "demo")
        await publish_note(session, instance.ctx, group, "For allies only")
        await session.commit()
    await settle(instance)

    # Then the listed server got the Accept and the post; the other got nothing at all
    assert [a["type"] for a in peer.inbox_activities()] == ["Accept", "Create"]
    assert ally.received == [] and ally.fetched == []
    hosts = {row.host for row in await rows(instance, Delivery)}
    assert all("localhost" not in host for host in hosts)


async def test_allowlist_never_delivers_to_a_follower_from_before(
    allies_only: Instance, peer: Peer, ally: Peer
) -> None:
    # Given ana (localhost, unlisted) and alice (127.0.0.1, listed) followed the group
    # before the instance went allies-only
    async with allies_only.ctx.sessions() as session:
        group = await get_group(session, "demo")
        for n, who in enumerate((ally.actor("ana"), peer.actor("alice"))):
            actor = await store_actor(session, who.document())
            session.add(
                Follower(group_id=group.id, actor_id=actor.id, follow_ap_id=f"x{n}", accepted=True)
            )
        await session.commit()

    # When the group posts
    async with allies_only.ctx.sessions() as session:
        await publish_note(session, allies_only.ctx, group, "For allies only")
        await session.commit()
    await settle(allies_only)

    # Then the delivery worker drops ana's delivery instead of sending it, and alice's
    # is delivered
    assert ally.received == []
    (create,) = peer.inbox_activities("Create")
    assert "For allies only" in create["object"]["content"]


async def test_flag_is_stored_and_listed(
    instance: Instance, peer: Peer, capsys: pytest.CaptureFixture[str]
) -> None:
    group = await add_group(instance, "demo")
    moderator = peer.actor("instance", type="Application")
    flag = peer.activity(
        moderator,
        "Flag",
        [f"{instance.base_url}/groups/demo", f"{instance.base_url}/groups/demo/posts/1"],
        content="Spam <b>links</b>",
    )

    assert (await peer.post(inbox_url(instance, None), flag)).status_code == 202
    await settle(instance)

    async with instance.ctx.sessions() as session:
        (found,) = await grievances(session, group)
    report = found.report
    assert (report.direction, report.reporter_ap_id, report.activity_ap_id) == (
        "received",
        moderator.id,
        flag["id"],
    )
    # `mutuals reports demo` lists it for the organizers.
    listing = argparse.Namespace(group="demo", status=None)
    assert await reports_command(listing, instance.settings) == 0
    assert f"from {moderator.id}" in capsys.readouterr().out


async def test_inbox_rate_limit_is_429_per_host(
    make_instance: InstanceFactory, peer: Peer, ally: Peer
) -> None:
    instance = await make_instance(inbox_rate=0.01, inbox_burst=2)
    await add_group(instance, "demo")

    answers = [
        (await peer.post(inbox_url(instance), follow_of(peer, instance, "alice"))).status_code
        for _ in range(3)
    ]
    limited = await peer.post(inbox_url(instance), follow_of(peer, instance, "alice"))
    other_host = await ally.post(inbox_url(instance), follow_of(ally, instance, "ana"))

    assert answers == [202, 202, 429]
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert other_host.status_code == 202  # counted per remote host

    # A request claiming the limited peer's key from another address has its own count:
    # a forger cannot use up a real peer's allowance.
    forged = await peer.post(
        inbox_url(instance),
        follow_of(peer, instance, "alice"),
        local_address="127.0.0.2",
    )
    assert forged.status_code == 202


@pytest.mark.parametrize(
    ("flags", "kept", "media"),
    [({"silence": True}, False, False), ({"reject_media": True}, True, False), ({}, True, True)],
)
async def test_limited_domains(
    instance: Instance, peer: Peer, flags: dict[str, bool], kept: bool, media: bool
) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await follow(instance, "demo", alice)
    if flags:
        async with instance.ctx.sessions() as session:
            await block_domain(session, "127.0.0.1", **flags)
            await session.commit()
    picture = {"type": "Image", "mediaType": "image/png", "url": f"{peer.base_url}/pic.png"}
    note = peer.note(alice, "<p>Look</p>", attachment=[picture])
    create = peer.activity(alice, "Create", {k: v for k, v in note.items() if k != "@context"})

    assert (await peer.post(inbox_url(instance, None), create)).status_code == 202
    await settle(instance)

    stored = await rows(instance, RemoteObject)
    assert len(stored) == int(kept)  # silenced: never stored, so never shown or relayed
    assert [("attachment" in row.document) for row in stored] == ([media] if kept else [])
    assert "/pic.png" not in peer.fetched  # media is never fetched
