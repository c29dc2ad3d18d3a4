"""Fault 3: a peer answering 500s, then 410, then hanging; and the host circuit breaker."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import socket

from sqlalchemy import update

from actors.groups import get_group
from actors.models import Follower
from outbox import breaker, claims, delivery
from outbox.loop import serve
from outbox.models import Delivery, DeliveryHost
from outbox.send import queue_activity
from posts import notes
from store.db import utcnow
from store.wakeups import Wakeups
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.inbox.support import rows
from tests.instances import Instance
from tests.sink import Reply, Sink, add_follower

TIMEOUT = 1.0


async def _post(instance: Instance, text: str) -> dt.datetime:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        await notes.publish_note(session, instance.ctx, group, text)
        await session.commit()
    return utcnow()


async def _rows_of(instance: Instance, host: str) -> list[Delivery]:
    return sorted(await rows(instance, Delivery, Delivery.host == host), key=lambda r: r.id)


async def _make_due(instance: Instance) -> None:
    async with instance.ctx.sessions() as session:
        await session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        await session.commit()


async def test_500s_then_410_then_hanging(make_instance: InstanceFactory) -> None:
    instance = await make_instance(request_timeout=TIMEOUT)
    group = await add_group(instance, "eastside")
    hold = asyncio.Event()
    async with Sink() as bad, Sink() as good:
        await add_follower(instance, group, bad.add_actor("ana", shared=False))
        await add_follower(instance, group, bad.add_actor("bob", shared=False))
        for name in ("cat", "dan"):
            await add_follower(instance, group, good.add_actor(name))
        bad.script("/users/ana/inbox", Reply(500), Reply(500), Reply(410))

        # Given a first post: ana's inbox answers 500 twice, then 410 Gone
        await _post(instance, "first")
        schedule = []
        for _ in range(3):
            before = utcnow()
            assert await delivery.run_once(instance.ctx) >= 1
            [ana] = [r for r in await _rows_of(instance, bad.host) if "ana" in r.inbox]
            schedule.append((ana.status, ana.attempts, (ana.next_attempt_at - before).seconds))
            await _make_due(instance)

        # Then it was retried after 1⁴+15 s and 2⁴+15 s (plus jitter), and 410 ended it
        assert [s[:2] for s in schedule] == [("pending", 1), ("pending", 2), ("failed", 3)]
        assert 16 <= schedule[0][2] <= 16 + 20
        assert 31 <= schedule[1][2] <= 31 + 30
        followers = await rows(instance, Follower)
        assert sorted(f.actor.preferred_username for f in followers) == ["bob", "cat", "dan"]

        # When the peer then hangs on a second post
        bad.script("/users/bob/inbox", Reply(wait=hold))
        posted = await _post(instance, "second")
        stop = asyncio.Event()
        worker = asyncio.create_task(serve(instance.ctx, stop, wakeups=Wakeups(poll=0.05)))
        try:

            async def bob_timed_out() -> bool:
                found = await _rows_of(instance, bad.host)
                return any(r.attempts for r in found if r.activity_id == 2)

            async with asyncio.timeout(10):
                while not await bob_timed_out():
                    await asyncio.sleep(0.02)
        finally:
            stop.set()
            hold.set()
            await worker

    # Then the other peer had it at once, long before the hanging one timed out
    second = [r for r in await _rows_of(instance, good.host) if r.activity_id == 2]
    [shared] = second
    assert shared.delivered_at is not None
    assert (shared.delivered_at - posted).total_seconds() < TIMEOUT / 2
    [bob] = [r for r in await _rows_of(instance, bad.host) if r.activity_id == 2]
    assert (bob.status, bob.attempts, bob.last_status) == ("pending", 1, None)
    assert bob.last_error is not None and "no answer within" in bob.last_error
    assert bob.next_attempt_at > shared.delivered_at + dt.timedelta(seconds=16)


async def test_a_failing_host_is_paused_and_its_rows_postponed(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with Sink() as sink:
        for _ in range(breaker.FAILURE_THRESHOLD):
            sink.script("/inbox", Reply(503))
        # Given more rows for one failing host than the breaker's threshold
        async with instance.ctx.sessions() as session:
            for n in range(breaker.FAILURE_THRESHOLD + 5):
                doc = {"id": f"{instance.base_url}/a/{n}", "type": "Delete", "actor": "x"}
                await queue_activity(session, group=None, activity=doc, inboxes=[sink.shared_inbox])
            await session.commit()

        # When the first ten fail
        assert await delivery.run_once(instance.ctx, batch=breaker.FAILURE_THRESHOLD) == 10
        started = utcnow()

        # Then the host is paused and the five waiting rows moved to the end of the pause,
        # without an attempt; nothing more is claimed or sent until then
        [health] = await rows(instance, DeliveryHost)
        assert health.failures == breaker.FAILURE_THRESHOLD
        assert health.paused_until is not None
        assert 55 <= (health.paused_until - started).total_seconds() <= 61
        waiting = [r for r in await _rows_of(instance, sink.host) if r.attempts == 0]
        assert len(waiting) == 5
        assert {r.next_attempt_at for r in waiting} == {health.paused_until}
        await _make_due(instance)
        assert await delivery.run_once(instance.ctx) == 0
        assert len(sink.at("/inbox")) == breaker.FAILURE_THRESHOLD

        # And the first success after the pause closes the breaker
        async with instance.ctx.sessions() as session:
            await session.execute(update(DeliveryHost).values(paused_until=utcnow()))
            await session.commit()
        assert await delivery.run_once(instance.ctx) == 15
    [health] = await rows(instance, DeliveryHost)
    assert (health.failures, health.paused_until, health.unavailable) == (0, None, False)


async def test_a_host_failing_on_seven_days_is_skipped_until_heard_from(
    instance: Instance,
) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        # Given a host that failed on six earlier days
        yesterday = utcnow().date() - dt.timedelta(days=1)
        async with instance.ctx.sessions() as session:
            session.add(
                DeliveryHost(host=sink.host, failure_days=6, last_failure_day=yesterday, failures=6)
            )
            await session.commit()
        sink.script("/inbox", Reply(503))

        # When it fails today too, it is unavailable: the next post is not even sent
        await _post(instance, "first")
        await delivery.run_once(instance.ctx)
        [health] = await rows(instance, DeliveryHost)
        assert (health.failure_days, health.unavailable) == (7, True)
        await _post(instance, "second")
        await _make_due(instance)
        assert await delivery.run_once(instance.ctx) == 2
        assert len(sink.at("/inbox")) == 1
        statuses = {(r.activity_id, r.status, r.last_error) for r in await rows(instance, Delivery)}
        unavailable = f"host {sink.host} is unavailable"
        assert statuses == {(1, "failed", unavailable), (2, "failed", unavailable)}

    # Then a verified request from the host makes it available again
    async with instance.ctx.sessions() as session:
        await breaker.mark_alive(session, sink.host)
        await session.commit()
    [health] = await rows(instance, DeliveryHost)
    assert (health.failure_days, health.unavailable) == (0, False)


async def test_deliveries_to_a_refused_domain_are_not_sent(
    make_instance: InstanceFactory,
) -> None:
    instance = await make_instance(federation="allowlist")
    async with Sink() as sink, instance.ctx.sessions() as session:
        doc = {"id": f"{instance.base_url}/a/1", "type": "Delete", "actor": "x"}
        await queue_activity(session, group=None, activity=doc, inboxes=[sink.shared_inbox])
        await session.commit()
        assert await delivery.run_once(instance.ctx) == 1
        assert sink.received == []
    [row] = await rows(instance, Delivery)
    assert row.status == "failed"
    assert row.last_error is not None and row.last_error.startswith("refused: ")


async def test_a_host_is_paused_at_its_first_timeout_and_its_rows_postponed(
    make_instance: InstanceFactory,
) -> None:
    instance = await make_instance(request_timeout=0.3)
    hold = asyncio.Event()
    async with Sink() as sink:
        sink.script("/inbox", Reply(wait=hold))
        # Given five rows for a host that hangs
        async with instance.ctx.sessions() as session:
            for n in range(5):
                doc = {"id": f"{instance.base_url}/a/{n}", "type": "Delete", "actor": "x"}
                await queue_activity(session, group=None, activity=doc, inboxes=[sink.shared_inbox])
            await session.commit()

        # When one row of it is claimed (a host's cap) and times out
        lease = await claims.claim(instance.ctx, 10, per_host=1)
        assert len(lease.ids) == 1
        await delivery.handle(instance.ctx, lease)
        hold.set()

        # Then the host is paused at once and its four other rows are moved to the end
        # of the pause, untouched; nothing more is claimed or sent meanwhile
        [health] = await rows(instance, DeliveryHost)
        assert health.failures == 1
        assert health.paused_until is not None
        found = await _rows_of(instance, sink.host)
        tried = [r for r in found if r.attempts]
        waiting = [r for r in found if not r.attempts]
        assert [r.id for r in tried] == lease.ids
        assert tried[0].last_error is not None and "no answer within" in tried[0].last_error
        assert len(waiting) == 4
        assert {r.next_attempt_at for r in waiting} == {health.paused_until}
        assert all(r.status == "pending" and r.locked_until is None for r in found)
        assert await delivery.run_once(instance.ctx) == 0
        assert len(sink.at("/inbox")) == 1


async def test_a_refused_connection_pauses_the_host_claimed_rows_unsent(instance: Instance) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        inbox = f"http://127.0.0.1:{sock.getsockname()[1]}/inbox"
    async with instance.ctx.sessions() as session:
        for n in range(3):
            doc = {"id": f"{instance.base_url}/a/{n}", "type": "Delete", "actor": "x"}
            await queue_activity(session, group=None, activity=doc, inboxes=[inbox])
        await session.commit()
    # Given a worker that already holds every row of the host, sent one after another
    lease = await claims.claim(instance.ctx, 10)
    pauses = delivery.Pauses()
    first, *others = lease.ids
    await delivery.handle(instance.ctx, dataclasses.replace(lease, ids=[first]), pauses)
    # Then the first refusal paused the host: the rows held are put back, not sent
    await delivery.handle(instance.ctx, dataclasses.replace(lease, ids=others), pauses)
    found = sorted(await rows(instance, Delivery), key=lambda r: r.id)
    assert [(r.attempts, r.status, r.locked_until) for r in found] == [
        (1, "pending", None),
        (0, "pending", None),
        (0, "pending", None),
    ]
    [health] = await rows(instance, DeliveryHost)
    assert health.paused_until is not None
    assert all(r.next_attempt_at >= health.paused_until for r in found[1:])
