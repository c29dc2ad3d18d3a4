"""The inbox worker: leases, transactions (per item, or per batch with savepoints), retries
with backoff, parking."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower
from inbox import worker
from inbox.models import InboxItem, RemoteObject
from inbox.registry import Registry
from store.db import utcnow
from tests.helpers import add_group
from tests.inbox.support import follow, inbox_url, only_item, rows
from tests.instances import Instance
from tests.peer import Peer


async def post(peer: Peer, instance: Instance, activity: dict[str, Any]) -> None:
    assert (await peer.post(inbox_url(instance, None), activity)).status_code == 202


async def make_due(instance: Instance) -> None:
    """Let time pass: every waiting item is due now."""
    past = utcnow() - dt.timedelta(seconds=1)
    async with instance.ctx.sessions() as session:
        await session.execute(update(InboxItem).values(next_attempt_at=past))
        await session.commit()


PingHandler = Callable[[AsyncSession, Context, dict[str, Any]], Awaitable[None]]


def pings_handled_by(handle: PingHandler) -> Registry:
    """A registry whose one handler, for ``Ping`` activities, is ``handle``."""
    registry = Registry()

    @registry.register("Ping")
    async def ping(
        session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
    ) -> None:
        await handle(session, ctx, activity)

    return registry


async def post_pings(peer: Peer, instance: Instance, *summaries: str) -> list[dict[str, Any]]:
    """One ``Ping`` by alice per summary, each stored in the inbox, in order."""
    alice = peer.actor("alice")
    pings = [peer.activity(alice, "Ping", None) | {"summary": text} for text in summaries]
    for ping in pings:
        await post(peer, instance, ping)
    return pings


async def announce_of_unavailable_note(instance: Instance, peer: Peer) -> dict[str, Any]:
    """A followed actor announces a note whose server answers 503."""
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await follow(instance, "demo", alice)
    note = peer.note(peer.actor("bob"))
    peer.serve(503, note["id"].removeprefix(peer.base_url))
    activity = peer.activity(alice, "Announce", note["id"])
    await post(peer, instance, activity)
    return activity


async def test_failing_item_is_retried_with_backoff_then_parked(
    instance: Instance, peer: Peer
) -> None:
    await announce_of_unavailable_note(instance, peer)

    before = utcnow()
    assert await worker.run_once(instance.ctx) == 1
    item = await only_item(instance)
    assert (item.status, item.attempts, item.locked_until) == ("pending", 1, None)
    assert item.error is not None and "503" in item.error
    assert item.next_attempt_at >= before + worker.item_retry_delay(1)
    assert await worker.run_once(instance.ctx) == 0  # not due yet

    for attempt in range(2, worker.MAX_ATTEMPTS + 1):
        await make_due(instance)
        assert await worker.run_once(instance.ctx) == 1
        assert (await only_item(instance)).attempts == attempt

    item = await only_item(instance)
    assert (item.status, item.attempts) == ("failed", worker.MAX_ATTEMPTS)
    assert item.error
    await make_due(instance)
    assert await worker.run_once(instance.ctx) == 0
    assert await rows(instance, RemoteObject) == []


async def test_a_failing_item_does_not_block_the_next(instance: Instance, peer: Peer) -> None:
    await announce_of_unavailable_note(instance, peer)
    alice = peer.actor("alice")
    await post(peer, instance, peer.activity(alice, "Follow", f"{instance.base_url}/groups/demo"))

    assert await worker.run_once(instance.ctx) == 2

    assert len(await rows(instance, Follower)) == 1
    statuses = {item.payload["type"]: item.status for item in await rows(instance, InboxItem)}
    assert statuses == {"Announce": "pending", "Follow": "done"}


async def test_effects_of_a_failing_handler_are_rolled_back(instance: Instance, peer: Peer) -> None:
    # Given a handler that writes, then fails the first time it runs
    registry = Registry()
    calls: list[str] = []

    @registry.register("Ping")
    async def flaky(
        session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
    ) -> None:
        calls.append(item.activity_ap_id)
        session.add(RemoteObject(ap_id=activity["id"], type="Note", attributed_to="x"))
        await session.flush()
        if len(calls) == 1:
            raise RuntimeError("disk on fire")

    alice = peer.actor("alice")
    await post(peer, instance, peer.activity(alice, "Ping", None))

    # When it fails, nothing it wrote is kept and the error is recorded
    assert await worker.run_once(instance.ctx, registry=registry) == 1
    assert await rows(instance, RemoteObject) == []
    item = await only_item(instance)
    assert (item.attempts, item.error) == (1, "RuntimeError: disk on fire")

    # Then the retry applies it once, together with marking the item done
    await make_due(instance)
    assert await worker.run_once(instance.ctx, registry=registry) == 1
    assert len(await rows(instance, RemoteObject)) == 1
    assert (await only_item(instance)).status == "done"
    assert len(calls) == 2


async def test_only_the_failing_items_effects_are_rolled_back_among_others(
    instance: Instance, peer: Peer
) -> None:
    # Given three items claimed together, the second of which fails after writing
    # (on PostgreSQL they are applied in one transaction, each in a savepoint)
    async def write_then_maybe_fail(
        session: AsyncSession, ctx: Context, activity: dict[str, Any]
    ) -> None:
        session.add(RemoteObject(ap_id=activity["id"], type="Note", attributed_to="x"))
        await session.flush()
        if activity["summary"] == "bad":
            raise RuntimeError("disk on fire")

    pings = await post_pings(peer, instance, "a", "bad", "c")

    registry = pings_handled_by(write_then_maybe_fail)
    assert await worker.run_once(instance.ctx, registry=registry) == 3

    # Then the first and third are applied and done, the second rolled back alone
    kept = {row.ap_id for row in await rows(instance, RemoteObject)}
    assert kept == {pings[0]["id"], pings[2]["id"]}
    items = {item.activity_ap_id: item for item in await rows(instance, InboxItem)}
    assert [items[ping["id"]].status for ping in pings] == ["done", "pending", "done"]
    failed = items[pings[1]["id"]]
    assert (failed.attempts, failed.error, failed.lease_token) == (
        1,
        "RuntimeError: disk on fire",
        None,
    )


async def test_items_still_ours_are_given_back_when_a_lease_is_lost(
    instance: Instance, peer: Peer
) -> None:
    # Given three items claimed together, and another worker that takes over the third
    # while the first is being applied (its lease ran out, say)
    async def steal_the_third(
        session: AsyncSession, ctx: Context, activity: dict[str, Any]
    ) -> None:
        if activity["summary"] == "first":
            async with ctx.sessions() as other:
                await other.execute(
                    update(InboxItem)
                    .where(InboxItem.activity_ap_id == pings[2]["id"])
                    .values(lease_token="someone-else")
                )
                await other.commit()

    pings = await post_pings(peer, instance, "first", "second", "third")

    await worker.run_once(instance.ctx, registry=pings_handled_by(steal_the_third))

    # Then the two still ours are finished or given back at once (on PostgreSQL, whose
    # batch is one transaction, nothing is kept: they are claimable again), never left
    # leased until the lease runs out; the third stays the other worker's
    items = {item.activity_ap_id: item for item in await rows(instance, InboxItem)}
    ours = [items[ping["id"]] for ping in pings[:2]]
    assert [item.lease_token for item in ours] == [None, None]
    assert {item.status for item in ours} <= {"done", "pending"}
    assert items[pings[2]["id"]].lease_token == "someone-else"


async def test_an_expired_lease_makes_an_item_claimable_again(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await post(peer, instance, peer.activity(alice, "Follow", f"{instance.base_url}/groups/demo"))

    # A worker claims the item and dies before applying it
    [claimed] = (await worker.claim(instance.ctx, 10)).ids
    assert await worker.run_once(instance.ctx) == 0  # leased: nobody else takes it

    async with instance.ctx.sessions() as session:
        past = utcnow() - dt.timedelta(seconds=1)
        await session.execute(update(InboxItem).values(locked_until=past))
        await session.commit()
    assert await worker.run_once(instance.ctx) == 1

    item = await only_item(instance)
    assert (item.id, item.status, item.locked_until) == (claimed, "done", None)
    assert len(await rows(instance, Follower)) == 1


@pytest.mark.skipif(
    not os.environ.get("MUTUALS_TEST_DATABASE", "sqlite").startswith("postgresql"),
    reason="row locks: PostgreSQL only (SQLite runs one worker)",
)
async def test_concurrent_workers_skip_locked_rows(instance: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    for _ in range(3):
        await post(peer, instance, peer.activity(alice, "Ping", None))
    ids = [item.id for item in sorted(await rows(instance, InboxItem), key=lambda i: i.id)]

    # Given another worker in the middle of claiming the first item
    async with instance.ctx.sessions() as other:
        await other.execute(select(InboxItem.id).where(InboxItem.id == ids[0]).with_for_update())
        # When this worker claims, it takes the rest without waiting
        lease = await asyncio.wait_for(worker.claim(instance.ctx, 10), timeout=5)
        await other.rollback()

    assert lease.ids == ids[1:]


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [worker.item_retry_delay(n) for n in range(1, 20)]
    assert delays[0] == dt.timedelta(seconds=90)
    assert delays == sorted(delays)
    assert delays[-1] == worker.LONGEST_RETRY
