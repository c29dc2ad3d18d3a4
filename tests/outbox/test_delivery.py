"""The delivery worker: outcomes, the retry schedule, leases, 410 Gone, slow inboxes."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket

import pytest
from sqlalchemy import select, update

from actors.groups import get_group
from actors.models import Follower
from outbox import claims, delivery, retry
from outbox.models import Delivery, DeliveryHost
from outbox.send import queue_activity
from posts import notes
from store import queue
from store.db import utcnow
from tests.helpers import add_group
from tests.instances import Instance
from tests.sink import Reply, Sink, add_follower


async def _post(instance: Instance, text: str = "hello") -> None:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        await notes.publish_note(session, instance.ctx, group, text)
        await session.commit()


async def _rows(instance: Instance) -> list[Delivery]:
    async with instance.ctx.sessions() as session:
        found = await session.execute(select(Delivery).order_by(Delivery.id))
        return list(found.scalars())


async def _make_due(instance: Instance) -> None:
    """Let time pass: every waiting row is due, every paused host resumed."""
    async with instance.ctx.sessions() as session:
        await session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        await session.execute(update(DeliveryHost).values(paused_until=None))
        await session.commit()


def _delay(row: Delivery, since: dt.datetime) -> float:
    return (row.next_attempt_at - since).total_seconds()


def test_classify() -> None:
    assert [retry.classify(s) for s in (200, 202, 204)] == ["delivered"] * 3
    assert [retry.classify(s) for s in (500, 502, 503, 401, 408, 429)] == ["retry"] * 6
    assert [retry.classify(s) for s in (400, 403, 404, 405, 410, 422, 301)] == ["final"] * 7


def test_retry_delay_schedule() -> None:
    for attempts in range(1, 16):
        delay = retry.retry_delay(attempts)
        base = attempts**4 + 15
        assert base <= delay <= base + 10 * (attempts + 1)
    total = sum(retry.retry_delay(n) for n in range(1, retry.MAX_ATTEMPTS))
    assert 2 * 86400 <= total <= 3 * 86400  # about two to three days, as Mastodon
    assert retry.retry_delay(1, retry_after=3600) == 3600
    assert retry.retry_delay(1, retry_after=10**9) == retry.MAX_RETRY_AFTER
    assert 16 <= retry.retry_delay(1, retry_after=1) <= 36


def test_parse_retry_after() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert retry.parse_retry_after("120", now) == 120
    assert retry.parse_retry_after("Thu, 01 Jan 2026 00:10:00 GMT", now) == 600
    assert retry.parse_retry_after("soon", now) is None
    assert retry.parse_retry_after(None, now) is None


async def test_retryable_and_final_outcomes(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        cases = {
            "r500": Reply(500),
            "r429": Reply(429, {"Retry-After": "7200"}),
            "r401": Reply(401),
            "r400": Reply(400),
            "r404": Reply(404),
        }
        for name, reply in cases.items():
            await add_follower(instance, group, sink.add_actor(name, shared=False))
            # 401 is answered to both knocks (cavage, then RFC 9421).
            sink.script(f"/users/{name}/inbox", reply, reply)
        await _post(instance)
        before = utcnow()
        assert await delivery.run_once(instance.ctx) == len(cases)
        rows = {row.inbox.rsplit("/", 2)[-2]: row for row in await _rows(instance)}
    assert {name: (row.status, row.last_status) for name, row in rows.items()} == {
        "r500": ("pending", 500),
        "r429": ("pending", 429),
        "r401": ("pending", 401),
        "r400": ("failed", 400),
        "r404": ("failed", 404),
    }
    assert all(row.attempts == 1 and row.locked_until is None for row in rows.values())
    assert 16 <= _delay(rows["r500"], before) <= 16 + 20 + 2
    assert 7200 <= _delay(rows["r429"], before) <= 7202
    assert rows["r400"].last_error == "HTTP 400"
    assert len(sink.at("/users/r401/inbox")) == 2  # double-knock, both refused
    # Not due yet: nothing more is sent.
    assert await delivery.run_once(instance.ctx) == 0


async def test_gives_up_after_max_attempts(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        sink.script("/inbox", *[Reply(503)] * retry.MAX_ATTEMPTS)
        await _post(instance)
        for attempt in range(1, retry.MAX_ATTEMPTS + 1):
            assert await delivery.run_once(instance.ctx) == 1
            [row] = await _rows(instance)
            assert row.attempts == attempt
            await _make_due(instance)
        assert row.status == "failed"
        assert row.last_status == 503
        assert await delivery.run_once(instance.ctx) == 0
        assert len(sink.at("/inbox")) == retry.MAX_ATTEMPTS


async def test_retry_then_success(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        sink.script("/inbox", Reply(502))
        await _post(instance)
        await delivery.run_once(instance.ctx)
        await _make_due(instance)
        await delivery.run_once(instance.ctx)
        [row] = await _rows(instance)
        first, second = sink.at("/inbox")
    assert (row.status, row.attempts, row.last_status, row.last_error) == (
        "delivered",
        2,
        202,
        None,
    )
    assert first.body == second.body  # the same activity, serialized once


async def test_connection_refused_is_retried(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
    # The sink is gone: its port now refuses connections.
    await _post(instance)
    assert await delivery.run_once(instance.ctx) == 1
    [row] = await _rows(instance)
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, None)
    assert row.last_error is not None and "connect" in row.last_error


async def test_410_removes_the_follower(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("gone", shared=False))
        await add_follower(instance, group, sink.add_actor("stays", shared=False))
        sink.script("/users/gone/inbox", Reply(410))
        await _post(instance)
        await delivery.run_once(instance.ctx)
    async with instance.ctx.sessions() as session:
        followers = (await session.execute(select(Follower))).scalars().all()
    assert [f.actor.preferred_username for f in followers] == ["stays"]
    statuses = {row.inbox.rsplit("/", 2)[-2]: row.status for row in await _rows(instance)}
    assert statuses == {"gone": "failed", "stays": "delivered"}


async def test_double_knock_falls_back_to_rfc9421(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        sink.script("/inbox", Reply(202, refuse="cavage"))
        await _post(instance, "first")
        await delivery.run_once(instance.ctx)
        await _post(instance, "second")
        await delivery.run_once(instance.ctx)
        got = sink.at("/inbox")
    assert [d.signature.scheme for d in got if d.signature] == ["rfc9421", "rfc9421"]
    assert instance.ctx.schemes.get(sink.host) == "rfc9421"
    assert {row.status for row in await _rows(instance)} == {"delivered"}


async def test_slow_inbox_holds_up_nobody(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    release = asyncio.Event()
    async with Sink() as slow, Sink() as fast:
        await add_follower(instance, group, slow.add_actor("slow"))
        await add_follower(instance, group, fast.add_actor("fast"))
        slow.script("/inbox", Reply(202, wait=release))
        await _post(instance)
        run = asyncio.create_task(delivery.run_once(instance.ctx))
        try:
            async with asyncio.timeout(10):
                while True:
                    states = {r.host: r.status for r in await _rows(instance)}
                    if states[fast.host] == "delivered":
                        break
                    await asyncio.sleep(0.02)
            # The fast delivery is recorded while the slow one is still in flight,
            # and its row stays leased: a second worker does not take it again.
            assert states[slow.host] == "pending"
            assert await delivery.run_once(instance.ctx) == 0
        finally:
            release.set()
            assert await run == 2
    assert {r.status for r in await _rows(instance)} == {"delivered"}


async def test_expired_lease_is_claimed_again(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        await notes.publish_note(session, instance.ctx, group, "x")
        await session.commit()
    # No followers: queue one delivery by hand to a closed port.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with instance.ctx.sessions() as session:
        session.add(Delivery(activity_id=1, inbox=f"http://127.0.0.1:{port}/inbox", host="x"))
        await session.commit()
    assert (await claims.claim(instance.ctx, 10)).ids == [1]
    assert (await claims.claim(instance.ctx, 10)).ids == []  # leased
    async with instance.ctx.sessions() as session:
        await session.execute(update(Delivery).values(locked_until=utcnow()))
        await session.commit()
    await asyncio.sleep(0.01)
    assert (await claims.claim(instance.ctx, 10)).ids == [1]  # the lease ran out


@pytest.mark.parametrize("inbox", ["ftp://127.0.0.1/inbox", "not a url"])
async def test_unusable_inbox_fails_for_good(instance: Instance, inbox: str) -> None:
    await add_group(instance, "eastside")
    await _post(instance)
    async with instance.ctx.sessions() as session:
        session.add(Delivery(activity_id=1, inbox=inbox, host="x"))
        await session.commit()
    assert await delivery.run_once(instance.ctx) == 1
    [row] = await _rows(instance)
    assert row.status == "failed"
    assert row.last_error


async def test_instance_activities_are_signed_by_the_instance_actor(instance: Instance) -> None:
    async with Sink() as sink, instance.ctx.sessions() as session:
        activity = {"id": f"{instance.base_url}/actor#x", "type": "Delete", "actor": "x"}
        await queue_activity(session, group=None, activity=activity, inboxes=[sink.shared_inbox])
        await session.commit()
        assert await delivery.run_once(instance.ctx) == 1
        [got] = sink.at("/inbox")
    assert got.signature is not None
    assert got.signature.key_id == f"{instance.base_url}/actor#main-key"


async def test_a_crash_between_sending_and_recording_sends_again(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        await add_follower(instance, group, sink.add_actor("bob", shared=False))
        await _post(instance)

        # Given a worker that sends, then dies before its outcomes are committed (the
        # batched write fails, and nobody gives its rows back)
        async def crash(*_: object) -> None:
            raise ConnectionError("killed")

        async def nothing(*_: object) -> None:
            return None

        with monkeypatch.context() as patched:
            patched.setattr(delivery, "record_many", crash)
            patched.setattr(queue, "release", nothing)
            assert await delivery.run_once(instance.ctx) == 2
        assert len(sink.received) == 2

        # Then the rows are still pending and leased to the dead worker, none lost
        rows = await _rows(instance)
        assert [(r.status, r.attempts) for r in rows] == [("pending", 0), ("pending", 0)]
        assert all(r.lease_token is not None for r in rows)
        assert await delivery.run_once(instance.ctx) == 0

        # And when the lease runs out another worker sends them again: at least once
        async with instance.ctx.sessions() as session:
            await session.execute(update(Delivery).values(locked_until=utcnow()))
            await session.commit()
        assert await delivery.run_once(instance.ctx) == 2
        assert len(sink.received) == 4
    assert [(r.status, r.attempts) for r in await _rows(instance)] == [("delivered", 1)] * 2


async def test_outcomes_are_recorded_in_one_transaction(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = await add_group(instance, "eastside")
    batches: list[int] = []
    record_many = delivery.record_many

    async def counted(ctx: object, finished: list[delivery.Finished]) -> object:
        batches.append(len(finished))
        return await record_many(instance.ctx, finished)

    monkeypatch.setattr(delivery, "record_many", counted)
    async with Sink() as sink:
        for n in range(20):
            await add_follower(instance, group, sink.add_actor(f"u{n}", shared=False))
        sink.script("/users/u0/inbox", Reply(410))
        sink.script("/users/u1/inbox", Reply(503))
        await _post(instance)
        assert await delivery.run_once(instance.ctx) == 20
    # Every outcome in few group commits (20 deliveries, at most 100 per commit)
    assert sum(batches) == 20
    assert len(batches) < 20
    statuses = {row.inbox.rsplit("/", 2)[-2]: row.status for row in await _rows(instance)}
    assert statuses.pop("u0") == "failed"
    assert statuses.pop("u1") == "pending"
    assert set(statuses.values()) == {"delivered"}
    async with instance.ctx.sessions() as session:
        followers = (await session.execute(select(Follower))).scalars().all()
    assert len(followers) == 19  # u0's 410 removed it
