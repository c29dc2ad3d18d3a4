"""The moderators' pages over real HTTP: followers, posts waiting, messages, reports.

A fake Mastodon server follows and posts; what a moderator does on a page must reach it
(Accept, Block, Announce, a reply, a Flag) once the workers have run.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from actors.groups import get_group
from actors.models import Follower
from tests.admin.support import add_account, post_form, signed_in
from tests.forum.support import announces, forum_group, join, mastodon_post, messages
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer
from tests.sink import Sink, add_follower

GROUP = "/admin/groups/garden"


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def number(client: httpx.AsyncClient, name: str) -> int:
    """A number on the group's dashboard."""
    page = await client.get(GROUP + "/")
    found = re.search(rf"<dt>{name}</dt><dd>(\d+)</dd>", page.text)
    assert found, page.text
    return int(found[1])


async def log_of(instance: Instance) -> list[tuple[str, str]]:
    """What the moderator mo did, as the log says: what, detail; oldest first."""
    async with instance.ctx.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "mo").order_by(AuditEntry.id)
        )
        return [(row.action, row.detail) for row in rows]


async def moderator(instance: Instance, posting: str = "open") -> str:
    """The group garden with the moderator mo; the group's actor id."""
    group_id = await forum_group(instance, posting=posting)
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "garden")
    await add_account(instance, "mo", group, "moderator")
    return group_id


async def test_a_request_approved_on_the_page_is_accepted(instance: Instance) -> None:
    await moderator(instance)
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "garden")
    async with Sink() as sink, signed_in(instance, "mo") as client:
        ana = sink.add_actor("ana")
        await add_follower(instance, group, ana, accepted=False)
        assert await number(client, "Follow requests waiting") == 1
        page = await client.get(GROUP + "/followers")
        assert f"ana@{sink.host}" in page.text and ana in page.text

        answer = await post_form(
            client, GROUP + "/followers", {"action": "approve", "account": ana}
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == GROUP + "/followers?done=approve"
        shown = await client.get(answer.headers["location"])
        assert "Request approved" in shown.text
        await settle(instance)
        accept = sink.at("/users/ana/inbox")[-1]
        assert accept.error is None
        assert accept.activity["type"] == "Accept"
        assert accept.activity["object"]["actor"] == ana
        assert await number(client, "Followers") == 1
        assert await number(client, "Follow requests waiting") == 0

        # Approving again, or an account that never asked, says why, 400
        again = await post_form(client, GROUP + "/followers", {"action": "approve", "account": ana})
        assert again.status_code == 400
        assert f"{ana} already follows garden" in again.text
        unknown = f"{sink.base}/users/zed"
        stranger = await post_form(
            client, GROUP + "/followers", {"action": "remove", "account": unknown}
        )
        assert stranger.status_code == 400
        assert f"{unknown} is not known here" in stranger.text

        removed = await post_form(
            client, GROUP + "/followers", {"action": "remove", "account": ana}
        )
        assert removed.status_code == 303
        await settle(instance)
    assert sink.at("/users/ana/inbox")[-1].activity["type"] == "Reject"
    assert await log_of(instance) == [("approve follower", ana), ("remove follower", ana)]


async def test_a_block_on_the_page_sends_a_block_and_unblock_undoes_it(
    instance: Instance,
) -> None:
    await moderator(instance)
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "garden")
    async with Sink() as sink, signed_in(instance, "mo") as client:
        ana = sink.add_actor("ana")
        await add_follower(instance, group, ana)
        blocked = await post_form(client, GROUP + "/followers", {"action": "block", "account": ana})
        assert blocked.status_code == 303
        page = await client.get(blocked.headers["location"])
        assert "Account blocked" in page.text
        assert "No followers yet." in page.text
        assert 'value="unblock"' in page.text
        await settle(instance)
        block = sink.at("/users/ana/inbox")[-1].activity
        assert block["type"] == "Block" and block["object"] == ana

        # A mistyped account is refused next to the field, what was typed kept
        typo = await post_form(client, GROUP + "/followers", {"action": "block", "account": "zed"})
        assert typo.status_code == 400
        assert "&#39;zed&#39; is neither user@host nor an actor URL" in typo.text
        assert 'value="zed"' in typo.text
        not_blocked = f"{sink.base}/users/bob"
        lift = await post_form(
            client, GROUP + "/followers", {"action": "unblock", "account": not_blocked}
        )
        assert lift.status_code == 400
        assert f"{not_blocked} is not blocked by garden" in lift.text

        lifted = await post_form(
            client, GROUP + "/followers", {"action": "unblock", "account": ana}
        )
        assert lifted.status_code == 303
        await settle(instance)
    undo = sink.at("/users/ana/inbox")[-1].activity
    assert undo["type"] == "Undo" and undo["object"]["id"] == block["id"]
    async with instance.ctx.sessions() as session:
        assert (await session.scalars(select(Follower))).all() == []


async def post_to(instance: Instance, peer: Peer, group_id: str, text: str, **kw: Any) -> str:
    """ana posts ``text`` through garden; the post's id."""
    create = mastodon_post(peer, peer.actor("ana"), group_id, "garden", text, **kw)
    response = await peer.post(group_id + "/inbox", create)
    assert response.status_code == 202, response.text
    await settle(instance)
    return str(create["object"]["id"])


async def test_a_post_approved_on_the_page_is_announced(instance: Instance, peer: Peer) -> None:
    group_id = await moderator(instance, posting="approval")
    await join(instance, peer, peer.actor("ana"), group_id)
    first = await post_to(instance, peer, group_id, "Seed swap <script>x()</script> on Sunday")
    second = await post_to(instance, peer, group_id, "Buy cheap watches")
    async with signed_in(instance, "mo") as client:
        assert await number(client, "Members' posts waiting") == 2
        page = await client.get(GROUP + "/submissions")
        assert "Seed swap" in page.text and "Buy cheap watches" in page.text
        assert "<script>" not in page.text  # the content shown is the sanitized one
        assert f"ana@{peer.base_url.removeprefix('http://')}" in page.text

        approved = await post_form(
            client, GROUP + "/submissions", {"action": "approve", "post": first}
        )
        assert approved.status_code == 303
        await settle(instance)
        assert [a["object"] for a in announces(peer) if a["object"] == first] == [first]

        refused = await post_form(
            client,
            GROUP + "/submissions",
            {"action": "reject", "post": second, "reason": "No adverts, please"},
        )
        assert refused.status_code == 303
        await settle(instance)
        replies = [a["object"] for a in peer.inbox_activities("Create")]
        assert replies[-1]["inReplyTo"] == second
        assert "No adverts, please" in replies[-1]["content"]
        left = await client.get(GROUP + "/submissions?done=reject")
        assert "Nothing is waiting." in left.text and "Post refused" in left.text

        # Deciding twice says why
        twice = await post_form(
            client, GROUP + "/submissions", {"action": "reject", "post": second, "reason": "ads"}
        )
        assert twice.status_code == 400
        assert f"{second} is rejected, not pending" in twice.text
        # Taking out what is not announced is refused next to its field, what was typed kept
        wrong = await post_form(
            client, GROUP + "/submissions", {"action": "remove", "post": second, "reason": "x"}
        )
        assert wrong.status_code == 400
        assert f"{second} is rejected, not announced" in wrong.text
        assert f'value="{second}" aria-describedby="form-error"' in wrong.text

        taken = await post_form(
            client, GROUP + "/submissions", {"action": "remove", "post": first, "reason": "old"}
        )
        assert taken.status_code == 303
        await settle(instance)
    assert [m.status for m in await messages(instance)] == ["removed", "rejected"]
    assert peer.inbox_activities("Undo")[-1]["object"]["object"] == first
    assert [action for action, _detail in await log_of(instance)] == [
        "approve post",
        "reject post",
        "remove post",
    ]


async def test_reading_messages_marks_them_read_and_the_group_replies(
    instance: Instance, peer: Peer
) -> None:
    group_id = await moderator(instance)
    await join(instance, peer, peer.actor("ana"), group_id)
    sent = await post_to(instance, peer, group_id, "Is the shed open on Monday?", direct=True)
    async with signed_in(instance, "mo") as client:
        assert await number(client, "Unread messages") == 1
        page = await client.get(GROUP + "/messages")
        assert "Is the shed open on Monday?" in page.text
        assert await number(client, "Unread messages") == 0

        empty = await post_form(client, GROUP + "/messages", {"post": sent, "text": "  "})
        assert empty.status_code == 400
        assert "the answer is empty" in empty.text
        unknown = await post_form(client, GROUP + "/messages", {"post": sent + "x", "text": "Hi"})
        assert unknown.status_code == 400
        assert f"garden has no post {sent}x" in unknown.text
        long = "Keep this " + "x" * 10_000
        too_long = await post_form(client, GROUP + "/messages", {"post": sent, "text": long})
        assert too_long.status_code == 400
        assert "the limit is 10000" in too_long.text
        assert f"{long}</textarea>" in too_long.text

        answer = await post_form(
            client,
            GROUP + "/messages",
            {"post": sent, "text": "Yes, from **9**.", "direct": "on"},
        )
        assert answer.status_code == 303
        await settle(instance)
    reply = peer.inbox_activities("Create")[-1]["object"]
    assert reply["inReplyTo"] == sent
    assert "<strong>9</strong>" in reply["content"]
    assert "https://www.w3.org/ns/activitystreams#Public" not in reply["to"] + reply.get("cc", [])
    assert await log_of(instance) == [("reply", f"{sent} (direct)")]


async def test_a_report_made_on_the_page_is_sent_on(instance: Instance, peer: Peer) -> None:
    await moderator(instance)
    ana = peer.actor("ana")
    async with signed_in(instance, "mo") as client:
        typo = await post_form(
            client, GROUP + "/reports", {"account": "ana", "reason": "Spam", "forward": "on"}
        )
        assert typo.status_code == 400
        assert "&#39;ana&#39; is neither user@host nor an actor URL" in typo.text
        assert ">Spam</textarea>" in typo.text and "checked" in typo.text

        made = await post_form(
            client,
            GROUP + "/reports",
            {
                "account": ana.id,
                "reason": "Spam <b>everywhere</b>",
                "posts": f" {ana.id}/statuses/1\r\n\r\n",
                "forward": "on",
            },
        )
        assert made.status_code == 303
        page = await client.get(made.headers["location"])
        assert "a Flag sent to the account" in page.text
        assert "Spam &lt;b&gt;everywhere&lt;/b&gt;" in page.text
        assert "sent on to their server" in page.text
        await settle(instance)
    flag = peer.inbox_activities("Flag")[-1]
    assert flag["object"] == [ana.id, f"{ana.id}/statuses/1"]
    assert flag["content"] == "Spam <b>everywhere</b>"
