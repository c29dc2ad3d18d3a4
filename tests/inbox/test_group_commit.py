"""The inbox's group commit (``inbox.writer.InboxWriter``): rows of concurrent requests
written together, each answered from its own row's fate, and senders marked alive."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from inbox.answer import ACCEPTED, ALREADY_SEEN, UNAVAILABLE
from inbox.writer import REVIVE_EVERY, InboxWriter, Row
from outbox.models import DeliveryHost
from store.db import utcnow
from tests.helpers import add_group
from tests.inbox.support import count_items, inbox_url
from tests.instances import Instance
from tests.peer import Peer


def row(activity_id: str, group_id: int | None = None) -> Row:
    actor = "https://peer.example/users/alice"
    payload = {"id": activity_id, "type": "Like", "actor": actor, "object": actor}
    return Row(activity_id, actor, group_id, payload, "peer.example")


async def test_a_batch_stores_each_id_once(instance: Instance) -> None:
    writer = InboxWriter.of(instance.ctx.sessions)
    ids = ["https://peer.example/a/1", "https://peer.example/a/2", "https://peer.example/a/1"]

    outcomes = await asyncio.gather(*(writer.store(row(i)) for i in ids))

    assert outcomes == [ACCEPTED, ACCEPTED, ALREADY_SEEN]
    assert await writer.store(row(ids[1])) == ALREADY_SEEN
    assert await count_items(instance) == 2


async def test_a_bad_row_fails_alone(instance: Instance) -> None:
    group = await add_group(instance, "demo")
    writer = InboxWriter.of(instance.ctx.sessions)
    rows = [
        row("https://peer.example/b/1", group.id),
        row("https://peer.example/b/2", group.id + 1000),  # no such group
        row("https://peer.example/b/3"),
    ]

    outcomes = await asyncio.gather(*(writer.store(r) for r in rows))

    assert outcomes == [ACCEPTED, UNAVAILABLE, ACCEPTED]
    assert await count_items(instance) == 2


async def test_a_sender_marked_unavailable_is_alive_again(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    host = peer.base_url.split("://", 1)[1]
    async with instance.ctx.sessions() as session:
        session.add(
            DeliveryHost(
                host=host, failures=12, failure_days=7, unavailable=True, unavailable_since=utcnow()
            )
        )
        await session.commit()
    alice = peer.actor("alice")

    activity = peer.activity(alice, "Follow", f"{instance.base_url}/groups/demo")
    assert (await peer.post(inbox_url(instance), activity)).status_code == 202
    await InboxWriter.of(instance.ctx.sessions).drain()

    async with instance.ctx.sessions() as session:
        health = (await session.execute(select(DeliveryHost))).scalar_one()
    assert (health.failures, health.failure_days, health.unavailable) == (0, 0, False)


async def test_a_sender_is_looked_at_again_only_after_a_while(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    host = peer.base_url.split("://", 1)[1]
    now = [1000.0]
    saved, InboxWriter.clock = InboxWriter.clock, lambda: now[0]
    try:
        alice = peer.actor("alice")
        activity = peer.activity(alice, "Follow", f"{instance.base_url}/groups/demo")
        assert (await peer.post(inbox_url(instance), activity)).status_code == 202
        await InboxWriter.of(instance.ctx.sessions).drain()
        async with instance.ctx.sessions() as session:
            session.add(DeliveryHost(host=host, failures=3))  # failed just after we looked
            await session.commit()

        like = peer.activity(alice, "Like", f"{instance.base_url}/groups/demo")
        assert (await peer.post(inbox_url(instance), like)).status_code == 202
        await InboxWriter.of(instance.ctx.sessions).drain()
        assert await failures_of(instance, host) == 3  # looked at a moment ago: not again

        now[0] += REVIVE_EVERY
        undo = peer.activity(alice, "Undo", like)
        assert (await peer.post(inbox_url(instance), undo)).status_code == 202
        await InboxWriter.of(instance.ctx.sessions).drain()
        assert await failures_of(instance, host) == 0
    finally:
        InboxWriter.clock = saved


async def failures_of(instance: Instance, host: str) -> int:
    async with instance.ctx.sessions() as session:
        found = await session.execute(
            select(DeliveryHost.failures).where(DeliveryHost.host == host)
        )
        return int(found.scalar_one())
