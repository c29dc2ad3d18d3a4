"""Answers to shared posts and the board, over real HTTP with replies from a fake peer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx

from actors.groups import get_group
from actors.models import Group
from documents.event import EventSpec
from documents.multilingual import Multilingual
from documents.poll import PollSpec
from follows import actions
from posts.models import Post
from sharing import events, offers, polls
from tests.admin.support import add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer
from tests.sharing.network import vote

BASE = "/admin/groups/eastside"


def en(text: str) -> Multilingual:
    return Multilingual.single("en", text)


async def uid_of(instance: Instance, row: Any) -> str:
    """The post uid of an offer, event or poll row."""
    async with instance.ctx.sessions() as session:
        post = await session.get(Post, row.post_id)
    assert post is not None
    return post.uid


async def shared(instance: Instance, group: Group) -> dict[str, str]:
    """A need, an event and a poll of ``group``: kind → post uid."""
    start = dt.datetime(2099, 7, 1, 18, tzinfo=dt.UTC)
    async with instance.ctx.sessions() as session:
        need = await offers.open_offer(
            session, instance.ctx, group, "need", en("A <b>ladder</b>"), skills=["diy"]
        )
        event = await events.create_event(
            session, instance.ctx, group, EventSpec(en("Workshop"), start, "UTC")
        )
        poll = await polls.create_poll(
            session, instance.ctx, group, PollSpec(en("Which evening?"), ("Tuesday", "Thursday"))
        )
        await session.commit()
    return {
        "need": await uid_of(instance, need),
        "event": await uid_of(instance, event),
        "poll": await uid_of(instance, poll),
    }


async def answer_from_the_peer(peer: Peer, instance: Instance, uids: dict[str, str]) -> None:
    """Replies to the need and the event, RSVPs and votes, as remote servers send them."""
    base = f"{instance.base_url}/groups/eastside"
    inbox = f"{base}/inbox"
    ana, bo, cy = peer.actor("ana"), peer.actor("bo"), peer.actor("cy")
    sent = [
        peer.activity(
            ana,
            "Create",
            peer.note(
                ana,
                "<p>I have <strong>one</strong><script>alert(1)</script></p>",
                inReplyTo=f"{base}/posts/{uids['need']}",
            ),
        ),
        peer.activity(
            bo,
            "Create",
            peer.note(bo, "<p>Mine is short</p>", inReplyTo=f"{base}/posts/{uids['need']}"),
        ),
        peer.activity(
            cy,
            "Create",
            peer.note(cy, "<p>Is there parking?</p>", inReplyTo=f"{base}/posts/{uids['event']}"),
        ),
        *(
            peer.activity(who, kind, f"{base}/posts/{uids['event']}")
            for who, kind in ((ana, "Accept"), (bo, "Accept"), (cy, "TentativeAccept"))
        ),
        vote(ana, f"{base}/posts/{uids['poll']}", "Tuesday", 1),
        vote(bo, f"{base}/posts/{uids['poll']}", "Tuesday", 2),
        vote(cy, f"{base}/posts/{uids['poll']}", "Thursday", 3),
    ]
    for activity in sent:
        assert (await peer.post(inbox, activity)).status_code == 202
    await settle(instance)


def cells(page: httpx.Response, label: str) -> list[str]:
    """The numbers of ``<dt>label</dt><dd>N</dd>`` on ``page``."""
    return re.findall(rf"<dt>{re.escape(label)}</dt><dd>(\d+)</dd>", page.text)


async def test_replies_attendees_and_results_of_each_kind(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "mo", group, "moderator")
    uids = await shared(instance, group)
    async with running_peer() as peer, signed_in(instance, "mo") as client:
        await answer_from_the_peer(peer, instance, uids)
        host = peer.base_url.removeprefix("http://")

        need = await client.get(f"{BASE}/responses", params={"post": uids["need"]})
        assert need.status_code == 200, need.text
        assert "Answers to the need “A &lt;b&gt;ladder&lt;/b&gt;”" in need.text
        # Both replies, as the app stored them (sanitized), authors by handle in <bdi>
        assert "<p>I have <strong>one</strong></p>" in need.text and "Mine is short" in need.text
        assert "<script>" not in need.text and "alert(1)" not in need.text
        assert f"<bdi>ana@{host}</bdi>" in need.text and f"<bdi>bo@{host}</bdi>" in need.text
        assert "Attendees" not in need.text and "Votes per answer" not in need.text

        event = await client.get(f"{BASE}/responses", params={"post": uids["event"]})
        assert event.status_code == 200
        assert (cells(event, "Going"), cells(event, "Maybe"), cells(event, "Not going")) == (
            ["2"],
            ["1"],
            ["0"],
        )
        assert event.text.count("<td>Going</td>") == 2 and "<td>Maybe</td>" in event.text
        assert f"<bdi>cy@{host}</bdi>" in event.text and "Is there parking?" in event.text

        poll = await client.get(f"{BASE}/responses", params={"post": uids["poll"]})
        assert poll.status_code == 200
        assert "<tr><td>Tuesday</td><td>2</td></tr>" in poll.text
        assert "<tr><td>Thursday</td><td>1</td></tr>" in poll.text
        assert "3 voter(s)" in poll.text and "Voting is open." in poll.text

        # The full URL of a post works too, as on the command line
        by_url = await client.get(
            f"{BASE}/responses",
            params={"post": f"{instance.base_url}/groups/eastside/posts/{uids['poll']}"},
        )
        assert "<tr><td>Tuesday</td><td>2</td></tr>" in by_url.text


async def test_unknown_posts_and_plain_posts_are_said_not_crashed(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    async with signed_in(instance, "ed") as client:
        sent = await post_form(client, f"{BASE}/compose", {"text": "Soup", "language": "en"})
        uid = sent.headers["location"].rsplit("=", 1)[1]
        empty = await client.get(f"{BASE}/responses")
        unknown = await client.get(f"{BASE}/responses", params={"post": "nope<b>"})
        plain = await client.get(f"{BASE}/responses", params={"post": uid})
    assert empty.status_code == 200
    assert 'href="/admin/groups/eastside/posts">Posts</a> page' in empty.text
    assert unknown.status_code == 404
    assert "eastside has no post &#39;nope&lt;b&gt;&#39;" in unknown.text
    assert plain.status_code == 400
    assert "is not an offer, a need, an event or a poll" in plain.text


async def test_posts_link_to_their_answers(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    uids = await shared(instance, group)
    async with signed_in(instance, "ed") as client:
        listed = await client.get(f"{BASE}/posts")
    for uid in uids.values():
        assert f'href="{BASE}/responses?post={uid}"' in listed.text


async def linked(make_instance: Any) -> tuple[Instance, Instance, Group, Group]:
    """``eastside`` on one instance follows ``beta`` on another."""
    one, two = await make_instance(), await make_instance()
    eastside = await add_group(one, "eastside")
    beta = await add_group(two, "beta")
    async with one.ctx.sessions() as session:
        follower = await get_group(session, "eastside")
        await actions.follow(session, one.ctx, follower, f"beta@{two.host}")
        await session.commit()
    await settle(one, two)
    return one, two, eastside, beta


async def test_the_board_shows_the_network_and_matches_needs(make_instance: Any) -> None:
    one, two, eastside, beta = await linked(make_instance)
    until = dt.date(2099, 1, 31)
    async with one.ctx.sessions() as session:
        await offers.open_offer(
            session, one.ctx, eastside, "need", en("Fix my bike"),
            skills=["Bikes"], area="Eastside", until=until,
        )  # fmt: skip
        await offers.open_offer(session, one.ctx, eastside, "offer", en("Ladder lending"),
                                skills=["diy"])  # fmt: skip
        await session.commit()
    async with two.ctx.sessions() as session:
        await offers.open_offer(
            session, two.ctx, beta, "offer", en("<b>Bike</b> repair"),
            skills=["bikes"], area="Eastside market",
        )  # fmt: skip
        await offers.open_offer(session, two.ctx, beta, "need", en("A ladder"), skills=["DIY"])
        await session.commit()
    await settle(one, two)
    await add_account(one, "li", eastside, "liaison")
    async with signed_in(one, "li") as client:
        everything = await client.get(f"{BASE}/board")
        bikes = await client.get(f"{BASE}/board", params={"skill": "#bikes"})
        market = await client.get(f"{BASE}/board", params={"area": "MARKET"})
        nothing = await client.get(f"{BASE}/board", params={"skill": "cooking"})
    assert everything.status_code == 200
    needs, offered = everything.text.split("<h2>Offers</h2>")
    # Each need with its matching offer, from here or from the network
    fix = needs.split("Fix my bike")[1].split("</article>")[0]
    assert "Matching offers:" in fix and "&lt;b&gt;Bike&lt;/b&gt; repair" in fix
    assert "until 2099-01-31" in needs
    ladder = needs.split("A ladder")[1].split("</article>")[0]
    assert "Ladder lending" in ladder and f"by <bdi>beta@{two.host}</bdi>" in needs
    assert "Ladder lending" in offered and "by this group" in offered
    assert "<b>Bike</b>" not in everything.text
    # Filters: a skill (as a hashtag, any case), part of an area's name
    assert "Fix my bike" in bikes.text and "Ladder lending" not in bikes.text
    assert 'value="#bikes"' in bikes.text
    assert "Bike</b>" not in market.text and "Fix my bike" not in market.text
    assert "&lt;b&gt;Bike&lt;/b&gt; repair" in market.text
    assert "No open needs." in nothing.text and "No open offers." in nothing.text
