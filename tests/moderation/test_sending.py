"""Block, Undo{Block} and Flag: the rows they change and the activities they queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, Following, Group
from moderation.blocks import block_account, unblock_account
from moderation.checks import is_blocked
from moderation.reports import report_account
from outbox.models import Activity, Delivery
from tests.moderation.conftest import add_remote

TROLL = "https://trolls.example/users/troll"


async def queued(session: AsyncSession) -> list[tuple[dict[str, object], list[str]]]:
    """Every queued activity with the inboxes it goes to, oldest first."""
    out = []
    for activity in (await session.execute(select(Activity).order_by(Activity.id))).scalars():
        inboxes = await session.execute(
            select(Delivery.inbox).where(Delivery.activity_id == activity.id)
        )
        out.append((activity.document, list(inboxes.scalars())))
    return out


async def test_block_removes_follows_both_ways_and_sends_block(
    ctx: Context, session: AsyncSession, group: Group
) -> None:
    troll = await add_remote(session, TROLL, shared_inbox="https://trolls.example/inbox")
    other = await add_remote(session, "https://trolls.example/users/other")
    session.add(Follower(group_id=group.id, actor_id=troll.id, follow_ap_id=TROLL + "/f1"))
    session.add(Following(group_id=group.id, actor_id=troll.id, follow_ap_id="https://l/f/1"))
    session.add(Follower(group_id=group.id, actor_id=other.id, follow_ap_id=TROLL + "/f2"))
    await session.flush()

    outcome = await block_account(ctx, session, group, TROLL, troll)
    await session.commit()

    assert (outcome.created, outcome.follows_removed, outcome.sent) == (True, 2, True)
    assert await is_blocked(session, group.id, TROLL)
    followers = (await session.execute(select(Follower.actor_id))).scalars().all()
    assert followers == [other.id]
    assert (await session.execute(select(Following))).first() is None
    [(block, inboxes)] = await queued(session)
    assert block["type"] == "Block"
    assert block["actor"] == ctx.urls.group(group.uid)
    assert block["object"] == TROLL
    assert str(block["id"]).startswith(ctx.urls.group(group.uid) + "/activities/")
    assert inboxes == [TROLL + "/inbox"]  # the account's own inbox, not the shared one

    again = await block_account(ctx, session, group, TROLL, troll)
    assert not again.created
    assert len(await queued(session)) == 1


async def test_unblock_sends_undo_of_the_block(
    ctx: Context, session: AsyncSession, group: Group
) -> None:
    troll = await add_remote(session, TROLL)
    await block_account(ctx, session, group, TROLL, troll)
    assert await unblock_account(ctx, session, group, TROLL, troll)
    assert not await unblock_account(ctx, session, group, TROLL, troll)
    (block, _), (undo, inboxes) = await queued(session)
    assert undo["type"] == "Undo"
    assert undo["object"] == {
        "id": block["id"],
        "type": "Block",
        "actor": ctx.urls.group(group.uid),
        "object": TROLL,
    }
    assert inboxes == [TROLL + "/inbox"]
    assert not await is_blocked(session, group.id, TROLL)


async def test_block_of_an_unknown_account_holds_locally(
    ctx: Context, session: AsyncSession, group: Group
) -> None:
    outcome = await block_account(ctx, session, group, TROLL, None)
    assert (outcome.created, outcome.sent) == (True, False)
    assert await is_blocked(session, group.id, TROLL)
    assert await queued(session) == []
    assert await unblock_account(ctx, session, group, TROLL, None)
    assert await queued(session) == []


async def test_forwarded_report_is_a_mastodon_flag_from_the_instance_actor(
    ctx: Context, session: AsyncSession, group: Group
) -> None:
    post = "https://trolls.example/notes/9"
    report = await report_account(
        ctx,
        session,
        group,
        TROLL,
        reason="harassing members",
        post_ids=[post],
        forward_to="https://trolls.example/inbox",
    )
    await session.commit()
    [(flag, inboxes)] = await queued(session)
    assert flag["type"] == "Flag"
    assert flag["actor"] == ctx.urls.instance_actor  # the group stays anonymous
    assert flag["object"] == [TROLL, post]
    assert flag["content"] == "harassing members"
    assert inboxes == ["https://trolls.example/inbox"]
    activity = (await session.execute(select(Activity))).scalar_one()
    assert activity.group_id is None  # signed with the instance key
    assert (report.direction, report.forwarded, report.activity_ap_id) == ("sent", True, flag["id"])
    assert report.target_ids == [TROLL, post]


async def test_report_without_forward_sends_nothing(
    ctx: Context, session: AsyncSession, group: Group
) -> None:
    report = await report_account(ctx, session, group, TROLL, reason="spam")
    assert not report.forwarded and report.activity_ap_id is None
    assert await queued(session) == []
