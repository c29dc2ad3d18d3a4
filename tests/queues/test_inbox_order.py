"""Each inbox receives its activities in the order they were queued."""

from __future__ import annotations

from sqlalchemy import select, update

from actors.groups import get_group
from outbox import claims
from outbox.models import Delivery
from outbox.send import queue_activity
from posts import notes
from store.db import utcnow
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower

SHARED = "https://a.example/inbox"
OTHER = "https://b.example/inbox"


async def _queue(
    instance: Instance, name: str, inboxes: list[str], about: str | None = "p1"
) -> None:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        activity = {
            "id": f"{instance.base_url}/a/{name}",
            "type": "Update",
            "actor": "x",
            "object": None if about is None else f"{instance.base_url}/posts/{about}",
        }
        await queue_activity(session, group=group, activity=activity, inboxes=inboxes)
        await session.commit()


async def _inboxes_of(instance: Instance, ids: list[int]) -> list[tuple[str, int]]:
    async with instance.ctx.sessions() as session:
        rows = await session.execute(
            select(Delivery.inbox, Delivery.activity_id).where(Delivery.id.in_(ids))
        )
        return sorted((inbox, activity) for inbox, activity in rows)


async def test_a_later_delivery_waits_for_the_earlier_one(instance: Instance) -> None:
    await add_group(instance, "eastside")
    await _queue(instance, "first", [SHARED])
    await _queue(instance, "second", [SHARED, OTHER])
    await _queue(instance, "unrelated", [SHARED], about="p2")

    # The first activity's row for the shared inbox, the second's for the other inbox, and
    # the unrelated one (about another post); not the second's for the shared inbox.
    lease = await claims.claim(instance.ctx, 10)
    assert await _inboxes_of(instance, lease.ids) == [(SHARED, 1), (SHARED, 3), (OTHER, 2)]

    # While the first is in flight the second stays put; once it has been tried and is
    # retrying later, the second may go (a failing activity does not block the inbox).
    assert (await claims.claim(instance.ctx, 10)).ids == []
    async with instance.ctx.sessions() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(lease.ids))
            .values(attempts=1, locked_until=None, next_attempt_at=utcnow().replace(year=2100))
        )
        await session.commit()
    retried = await claims.claim(instance.ctx, 10)
    assert await _inboxes_of(instance, retried.ids) == [(SHARED, 2)]


async def test_activities_about_no_object_wait_for_nothing(instance: Instance) -> None:
    await add_group(instance, "eastside")
    for name in ("first", "second", "third"):
        await _queue(instance, name, [SHARED], about=None)

    lease = await claims.claim(instance.ctx, 10)

    assert await _inboxes_of(instance, lease.ids) == [(SHARED, 1), (SHARED, 2), (SHARED, 3)]


async def test_a_host_gives_at_most_per_host_rows_to_one_claim(instance: Instance) -> None:
    await add_group(instance, "eastside")
    for n in range(5):
        await _queue(instance, f"post-{n}", [SHARED, OTHER], about=f"p{n}")

    lease = await claims.claim(instance.ctx, 10, per_host=2)

    # The two oldest rows of each host, whatever the batch would allow
    assert await _inboxes_of(instance, lease.ids) == [
        (SHARED, 1),
        (SHARED, 2),
        (OTHER, 1),
        (OTHER, 2),
    ]


async def test_a_quick_edit_arrives_after_its_create(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            post = await notes.publish_note(session, instance.ctx, group, "Meet at 6")
            await notes.edit_note(session, instance.ctx, group, post.uid, "Meet at 7")
            await session.commit()
        await settle(instance)
        received = [d.activity["type"] for d in sink.at("/inbox")]
    assert received == ["Create", "Update"]


async def test_a_boost_waits_for_the_relayed_create_of_its_post(instance: Instance) -> None:
    # A group relays a member's post in both FEP-1b12 forms: the Announce of its Create,
    # then the plain boost. Both are about the post, so the boost waits for the first.
    await add_group(instance, "eastside")
    note = "https://member.example/posts/1"
    create = {"id": f"{note}#create", "type": "Create", "actor": "m", "object": {"id": note}}
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        for n, obj in enumerate((create, note)):
            activity = {"id": f"{instance.base_url}/a/{n}", "type": "Announce", "object": obj}
            activity["actor"] = instance.ctx.urls.group(group.uid)
            await queue_activity(session, group=group, activity=activity, inboxes=[SHARED])
        await session.commit()

    lease = await claims.claim(instance.ctx, 10)

    assert await _inboxes_of(instance, lease.ids) == [(SHARED, 1)]
