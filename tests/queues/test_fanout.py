"""Fan-out jobs: posting stays small, batches resume by cursor, shared inboxes get one row."""

from __future__ import annotations

from sqlalchemy import func, select, update

from actors.instance import Context
from actors.models import RemoteActor
from outbox import fanout
from outbox.models import Delivery, FanOut
from outbox.send import INLINE
from store import queue
from store.db import utcnow
from tests.queues.support import add_followers, add_group, context, publish


async def _count(ctx: Context) -> int:
    async with ctx.sessions() as session:
        found = await session.execute(select(func.count(Delivery.id)))
        return int(found.scalar_one())


async def test_posting_to_many_followers_writes_one_job(database_url: str) -> None:
    async with context(database_url) as ctx:
        group = await add_group(ctx)
        await add_followers(ctx, group, [f"http://h{n}.example/inbox" for n in range(5000)])

        # When the group posts, only the first INLINE followers get rows at once
        await publish(ctx, group)
        assert await _count(ctx) == INLINE
        async with ctx.sessions() as session:
            [job] = (await session.execute(select(FanOut))).scalars()
        assert (job.status, job.cursor) == ("pending", INLINE)

        # Then the worker expands the rest a batch at a time
        for expected in (INLINE + fanout.BATCH, INLINE + 2 * fanout.BATCH):
            assert await fanout.run_once(ctx) == 1
            assert await _count(ctx) == expected
        while await fanout.run_once(ctx):
            pass
        assert await _count(ctx) == 5000
        async with ctx.sessions() as session:
            job = await session.get(FanOut, job.id)
        assert job is not None and job.status == "done"


async def test_shared_inboxes_get_one_row_across_batches(database_url: str) -> None:
    async with context(database_url) as ctx:
        group = await add_group(ctx)
        # 2,500 followers on 10 servers, each server with one shared inbox
        await add_followers(ctx, group, [f"http://h{n % 10}.example/u/{n}" for n in range(2500)])
        async with ctx.sessions() as session:
            await session.execute(
                update(RemoteActor).values(
                    shared_inbox=func.substr(RemoteActor.inbox, 1, len("http://h0.example"))
                    + "/inbox"
                )
            )
            await session.commit()
        await publish(ctx, group)
        while await fanout.run_once(ctx):
            pass
        async with ctx.sessions() as session:
            inboxes = (await session.execute(select(Delivery.inbox))).scalars().all()
    assert sorted(inboxes) == [f"http://h{n}.example/inbox" for n in range(10)]


async def test_a_crashed_expansion_resumes_from_its_cursor(database_url: str) -> None:
    async with context(database_url) as ctx:
        group = await add_group(ctx)
        await add_followers(ctx, group, [f"http://h{n}.example/inbox" for n in range(1500)])
        await publish(ctx, group)

        # Given a worker that claimed the job and died before expanding it
        lease = await queue.claim(ctx.sessions, FanOut, 1, ctx.lease)
        assert lease.ids and await fanout.run_once(ctx) == 0  # leased: nobody else takes it

        # When the lease runs out, another worker finishes the job, each follower once
        async with ctx.sessions() as session:
            await session.execute(update(FanOut).values(locked_until=utcnow()))
            await session.commit()
        while await fanout.run_once(ctx):
            pass
        assert await _count(ctx) == 1500
        # And the dead worker's token can no longer touch the job
        async with ctx.sessions() as session:
            job = (await session.execute(select(FanOut).where(lease.owns(lease.ids[0])))).first()
        assert job is None
