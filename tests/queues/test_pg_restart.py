"""Fault 2: PostgreSQL restarted while the workers run (always on a private cluster)."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import func, select

from outbox.models import Delivery
from posts import notes
from tests.helpers import add_group
from tests.inbox.support import inbox_url
from tests.instances import start_instance
from tests.peer import running_peer
from tests.queues.pgcluster import private_cluster
from tests.queues.support import wait_for
from tests.sink import Reply, Sink, add_follower
from web.migrate import upgrade

FOLLOWERS = 20


async def test_workers_and_inbox_ride_out_a_database_restart() -> None:
    with private_cluster() as cluster:
        conn = await asyncpg.connect(cluster.url().replace("+asyncpg", ""))
        await conn.execute("CREATE DATABASE mutuals")
        await conn.close()
        await upgrade(cluster.url("mutuals"))
        overrides = {"run_workers": True, "queue_lease": 1.0, "request_timeout": 5.0}
        instance = await start_instance(cluster.url("mutuals"), overrides)
        hold = asyncio.Event()
        try:
            group = await add_group(instance, "eastside")
            async with Sink() as sink, running_peer() as peer:
                # Given followers whose inboxes hold their first answer
                for n in range(FOLLOWERS):
                    await add_follower(instance, group, sink.add_actor(f"m{n}", shared=False))
                    sink.script(f"/users/m{n}/inbox", Reply(wait=hold))
                async with instance.ctx.sessions() as session:
                    await notes.publish_note(session, instance.ctx, group, "moved to the hall")
                    await session.commit()

                async def in_flight() -> bool:
                    # As many as the per-host limit lets through at once
                    return len(sink.received) == instance.ctx.policy.max_per_host

                await wait_for(in_flight, timeout=20)

                # When the database goes away with deliveries in flight
                cluster.stop()
                hold.set()
                alice = peer.actor("alice")
                follow = peer.activity(alice, "Follow", instance.ctx.urls.group(group.uid))
                answer = await peer.post(inbox_url(instance, None), follow)

                # Then the inbox answers 503 with Retry-After, not 500
                assert answer.status_code == 503
                assert answer.headers["Retry-After"]

                # And once it is back, the workers reconnect and deliver to everyone
                cluster.start()

                async def all_delivered() -> bool:
                    async with instance.ctx.sessions() as session:
                        done = await session.execute(
                            select(func.count()).where(Delivery.status == "delivered")
                        )
                        return done.scalar_one() == FOLLOWERS

                await wait_for(all_delivered, timeout=30)
                paths = {d.path for d in sink.received}
                assert len(paths) == FOLLOWERS
                answer = await peer.post(inbox_url(instance, None), follow)
                assert answer.status_code == 202
        finally:
            hold.set()
            await instance.stop()
