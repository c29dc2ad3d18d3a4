"""Follow relationships from the group's side: Follow, Undo, Accept, Reject."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from actors.groups import get_group
from actors.models import Follower, Following
from actors.remote import fetch_signed
from documents.errors import UserError
from federation.fetch_errors import BadStatus
from follows import actions, queries
from inbox.models import RemoteObject
from posts import notes
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.signed import unsigned
from tests.sink import Sink, add_follower

AS = "https://www.w3.org/ns/activitystreams"


async def test_follow_then_unfollow(instance: Instance) -> None:
    await add_group(instance, "eastside")
    group_id = f"{instance.base_url}/groups/eastside"
    async with Sink() as sink:
        ana = sink.add_actor("ana")
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            following = await actions.follow(session, instance.ctx, group, f"ana@{sink.host}")
            await session.commit()
            with pytest.raises(UserError, match=r"already asked to follow .*; not accepted yet"):
                await actions.follow(session, instance.ctx, group, ana)
        assert following.accepted is False
        await settle(instance)
        [sent] = sink.at("/users/ana/inbox")  # personal inbox, not the shared one
        assert sent.signature is not None and sent.signature.key_id == f"{group_id}#main-key"
        assert unsigned(sent.activity) == {
            "@context": AS,
            "id": following.follow_ap_id,
            "type": "Follow",
            "actor": group_id,
            "object": ana,
        }
        assert following.follow_ap_id.startswith(f"{group_id}/activities/")
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            await actions.unfollow(session, instance.ctx, group, ana)
            await session.commit()
            assert (await session.execute(select(Following))).first() is None
            with pytest.raises(UserError, match="does not follow"):
                await actions.unfollow(session, instance.ctx, group, ana)
        await settle(instance)
        _, undo = sink.at("/users/ana/inbox")
    assert undo.activity["type"] == "Undo"
    assert undo.activity["actor"] == group_id
    assert undo.activity["object"] == {
        "id": following.follow_ap_id,
        "type": "Follow",
        "actor": group_id,
        "object": ana,
    }


async def test_a_group_cannot_follow_itself(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        with pytest.raises(UserError, match="cannot follow itself"):
            await actions.follow(session, instance.ctx, group, f"eastside@{instance.host}")


async def _answer_of(sink: Sink) -> dict[str, Any]:
    return unsigned(sink.at("/users/ana/inbox")[-1].activity)


@pytest.mark.parametrize("kind", ["Accept", "Reject"])
async def test_accept_or_reject_embeds_their_follow(instance: Instance, kind: str) -> None:
    group = await add_group(instance, "eastside")
    group_id = f"{instance.base_url}/groups/eastside"
    async with Sink() as sink:
        ana = sink.add_actor("ana")
        pending = await add_follower(instance, group, ana, accepted=False)
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            follower = await actions.find_follower(session, instance.ctx, group, f"ana@{sink.host}")
            if kind == "Accept":
                await actions.accept_follower(session, instance.ctx, group, follower)
            else:
                await actions.reject_follower(session, instance.ctx, group, follower)
            await session.commit()
        await settle(instance)
        answer = await _answer_of(sink)
    assert answer["id"].startswith(f"{group_id}/activities/")
    assert answer == {
        "@context": AS,
        "id": answer["id"],
        "type": kind,
        "actor": group_id,
        "to": [ana],
        "object": {"id": pending.follow_ap_id, "type": "Follow", "actor": ana, "object": group_id},
    }
    async with instance.ctx.sessions() as session:
        rows = (await session.execute(select(Follower))).scalars().all()
    assert [row.accepted for row in rows] == ([True] if kind == "Accept" else [])


async def test_remove_follower_sends_reject(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        ana = sink.add_actor("ana")
        await add_follower(instance, group, ana)
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            follower = await actions.find_follower(session, instance.ctx, group, ana)
            await actions.remove_follower(session, instance.ctx, group, follower)
            await session.commit()
            assert (await session.execute(select(Follower))).first() is None
            with pytest.raises(UserError, match="does not follow eastside"):
                await actions.find_follower(session, instance.ctx, group, ana)
        await settle(instance)
        answer = await _answer_of(sink)
    assert answer["type"] == "Reject" and answer["object"]["actor"] == ana


async def test_two_instances_follow_and_hear(make_instance: Any) -> None:
    """Group A (on one instance) follows group B (on another) and hears its notes."""
    one, two = await make_instance(), await make_instance()
    await add_group(one, "alpha")
    await add_group(two, "beta", manual_approval=True)
    # Given: alpha asks to follow beta, which approves followers by hand.
    async with one.ctx.sessions() as session:
        alpha = await get_group(session, "alpha")
        await actions.follow(session, one.ctx, alpha, f"beta@{two.host}")
        await session.commit()
    await settle(one, two)
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        [pending] = await queries.list_followers(session, beta, pending=True)
        assert await queries.list_followers(session, beta) == []
        # When: beta's organizer approves.
        await actions.accept_follower(session, two.ctx, beta, pending)
        await session.commit()
    await settle(one, two)
    async with one.ctx.sessions() as session:
        [following] = await queries.list_following(session, alpha)
    assert following.accepted
    # Then: beta's post, edit and delete reach alpha, signed and verified by its inbox.
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        post = await notes.publish_note(session, two.ctx, beta, "Soup on Friday")
        await session.commit()
    await settle(one, two)
    note_id = post.document["id"]

    async def seen() -> RemoteObject:
        async with one.ctx.sessions() as session:
            row: RemoteObject | None = await session.scalar(
                select(RemoteObject).where(RemoteObject.ap_id == note_id)
            )
        assert row is not None
        return row

    assert "Soup on Friday" in (await seen()).content_html
    # A followers-only post: served to a signed fetch from alpha's server, hidden from others.
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        private = await notes.publish_note(session, two.ctx, beta, "members", "followers")
        await session.commit()
    await settle(one, two)
    fetched = await fetch_signed(one.ctx, private.document["id"])
    assert fetched["content"] == private.document["content"]
    stranger = await make_instance()
    with pytest.raises(BadStatus, match="404"):
        await fetch_signed(stranger.ctx, private.document["id"])
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        await notes.edit_note(session, two.ctx, beta, post.uid, "Soup on Saturday")
        await session.commit()
    await settle(one, two)
    assert "Saturday" in (await seen()).content_html
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        await notes.delete_note(session, two.ctx, beta, post.uid)
        await session.commit()
    await settle(one, two)
    assert (await seen()).deleted
    # Unfollowing removes alpha from beta's followers: the next post goes nowhere.
    async with one.ctx.sessions() as session:
        alpha = await get_group(session, "alpha")
        await actions.unfollow(session, one.ctx, alpha, f"beta@{two.host}")
        await session.commit()
    await settle(one, two)
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        assert await queries.list_followers(session, beta) == []
        later = await notes.publish_note(session, two.ctx, beta, "after unfollow")
        await session.commit()
    await settle(one, two)
    async with one.ctx.sessions() as session:
        found = await session.scalar(
            select(RemoteObject).where(RemoteObject.ap_id == later.document["id"])
        )
    assert found is None
