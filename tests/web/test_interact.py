"""Following and answering from one's own server: ``/interact``, our WebFinger templates,
and ``/authorize_interaction`` where other sites send people to follow from a group here.

The visitor's server is a real HTTP server on loopback answering WebFinger as Mastodon,
Misskey, or a server with FEP-3b86 intents does (``tests/web/home_server.py``).
"""

from __future__ import annotations

import socket
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from accounts import roles
from accounts.accounts import get_account
from actors.models import Follower, Following, Group
from documents.multilingual import Multilingual
from documents.poll import PollSpec
from posts import notes
from posts.models import Post
from sharing import polls
from tests.admin.support import add_account, csrf_of, signed_in
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.web.home_server import HomeServer


def q(value: str) -> str:
    """Percent-encoded as RFC 6570 expands a simple ``{variable}``."""
    return quote(value, safe="")


async def _posts(instance: Instance, group: Group) -> dict[str, str]:
    """A public note, a poll and a followers-only note of ``group``: kind → id."""
    async with instance.ctx.sessions() as session:
        note = await notes.publish_note(session, instance.ctx, group, "Soup on Friday.")
        hidden = await notes.publish_note(session, instance.ctx, group, "Keys.", "followers")
        spec = PollSpec(Multilingual.single("en", "Which day?"), ("Friday", "Saturday"))
        poll = await polls.create_poll(session, instance.ctx, group, spec)
        await session.commit()
        poll_post = await session.get(Post, poll.post_id)
        assert poll_post is not None
        return {
            "note": note.document["id"],
            "followers": hidden.document["id"],
            "poll": poll_post.document["id"],
        }


async def interact(instance: Instance, uri: str, handle: str | None = None) -> httpx.Response:
    """What the group page's form sends (``method="get"``)."""
    params = {"uri": uri} if handle is None else {"uri": uri, "handle": handle}
    async with instance.client() as client:
        return await client.get("/interact", params=params)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("mastodon", "/authorize_interaction?uri="),
        ("misskey", "/authorize-follow?acct="),
        ("intents", "/intents/follow?object="),
    ],
)
async def test_the_follow_form_sends_the_visitor_to_their_server(
    instance: Instance, kind: str, path: str
) -> None:
    await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    actor = f"{instance.base_url}/groups/eastside"
    async with HomeServer(kind) as home:
        # The page first: what will happen, and the field
        page = await interact(instance, actor)
        assert page.status_code == 200
        assert "Follow Eastside Mutual Aid from your own server" in page.text
        assert '<label for="handle">Your fediverse handle</label>' in page.text
        assert 'placeholder="@you@your.server"' in page.text
        assert f'<input type="hidden" name="uri" value="{actor}">' in page.text

        # The group page's form (GET) and this page's own (POST) both send them on
        answer = await interact(instance, actor, home.handle)
        async with instance.client() as client:
            posted = await client.post("/interact", data={"uri": actor, "handle": home.handle})
    assert answer.status_code == posted.status_code == 303
    assert answer.headers["location"] == posted.headers["location"] == home.base + path + q(actor)


@pytest.mark.parametrize(
    ("kind", "post", "expected"),
    [
        ("intents", "note", "/intents/create?inReplyTo={id}&content="),
        ("intents", "poll", "/intents/object?id={id}"),
        ("mastodon", "note", "/authorize_interaction?uri={id}"),
        ("mastodon", "poll", "/authorize_interaction?uri={id}"),
        ("misskey", "note", "/authorize-follow?acct={id}"),
    ],
)
async def test_replying_or_voting_sends_the_post_id(
    instance: Instance, kind: str, post: str, expected: str
) -> None:
    group = await add_group(instance, "eastside")
    post_id = (await _posts(instance, group))[post]
    async with HomeServer(kind) as home:
        page = await interact(instance, post_id)
        answer = await interact(instance, post_id, home.handle)
    heading = "Vote in this poll of" if post == "poll" else "Reply to this post of"
    assert f"{heading} eastside from your own server" in page.text
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == home.base + expected.format(id=q(post_id))


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_what_goes_wrong_is_said_next_to_the_field(instance: Instance) -> None:
    await add_group(instance, "eastside")
    actor = f"{instance.base_url}/groups/eastside"
    closed = f"127.0.0.1:{_closed_port()}"
    async with HomeServer("bare") as bare, HomeServer("elsewhere") as elsewhere:
        cases = {
            "ana": "Write your handle as @name@your.server",
            "@ana@": "Write your handle as @name@your.server",
            "@ana@host:99999": "Write your handle as @name@your.server",
            f"@me@{closed}": f"{closed} could not be reached",
            f"@nobody@{bare.host}": f"{bare.host} does not know @nobody@{bare.host}",
            bare.handle: f"{bare.host} does not say where to send you for this",
            elsewhere.handle: f"{elsewhere.host} answered with an address on another site "
            "(127.0.0.2)",
        }
        for handle, reason in cases.items():
            answer = await interact(instance, actor, handle)
            assert answer.status_code == 400, handle
            assert reason in answer.text, (handle, answer.text)
            # The form again, what was typed kept, the reason tied to the field
            assert 'role="alert" id="handle-error"' in answer.text
            assert 'aria-describedby="handle-error"' in answer.text
            assert f'value="{handle}"' in answer.text


@pytest.mark.parametrize(
    "uri",
    [
        "https://elsewhere.example/groups/eastside",
        "{base}/groups/nosuchgroup",
        "{base}/groups/eastside/posts/nosuchpost",
        "{followers}",
        "",
    ],
)
async def test_only_our_groups_and_public_posts(instance: Instance, uri: str) -> None:
    group = await add_group(instance, "eastside")
    posts = await _posts(instance, group)
    target = uri.format(base=instance.base_url, followers=posts["followers"])
    async with HomeServer("mastodon") as home:
        for answer in (
            await interact(instance, target),
            await interact(instance, target, home.handle),
        ):
            assert answer.status_code == 400
            assert "is not a group or a public post of this server" in answer.text
            assert 'name="handle"' not in answer.text


async def test_our_webfinger_offers_our_templates(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.client() as client:
        jrd = (
            await client.get(
                "/.well-known/webfinger", params={"resource": f"acct:eastside@{instance.host}"}
            )
        ).json()
    page = f"{instance.base_url}/authorize_interaction"
    assert jrd["links"][2:] == [
        {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": page + "?uri={uri}"},
        {"rel": "https://w3id.org/fep/3b86/Follow", "template": page + "?uri={object}"},
    ]


async def test_an_anonymous_visitor_is_told_how_to_sign_in(instance: Instance) -> None:
    await add_group(instance, "eastside")
    remote = "https://elsewhere.example/users/ana"
    async with instance.client() as client:
        page = await client.get("/authorize_interaction", params={"uri": remote})
        posted = await client.post("/authorize_interaction", data={"uri": remote})
    assert page.status_code == 200
    assert "are groups, not people" in page.text
    assert f"<code><bdi>{remote}</bdi></code>" in page.text
    here = q(f"/authorize_interaction?uri={q(remote)}")
    assert f'<a href="/login?next={here}">Sign in to follow from your group</a>' in page.text
    assert posted.status_code == 403


async def test_signing_in_comes_back_to_the_form(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "lia", group, "liaison")
    remote = "https://elsewhere.example/users/ana"
    async with instance.client() as client:
        page = await client.get("/authorize_interaction", params={"uri": remote})
        login = page.text.split('<a href="')[-1].split('"')[0]
        form = await client.get(login)
        answer = await client.post(
            login,
            data={"csrf": csrf_of(form), "username": "lia", "password": "correct horse battery"},
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/authorize_interaction?uri={q(remote)}"
        back = await client.get(answer.headers["location"])
    assert back.status_code == 200
    assert f'value="{remote}"' in back.text


async def test_only_organizers_and_liaisons_may_follow_from_here(instance: Instance) -> None:
    east = await add_group(instance, "eastside")
    west = await add_group(instance, "westside")
    await add_account(instance, "ed", east, "editor", "moderator")
    await add_account(instance, "lia", west, "liaison")
    remote = "https://elsewhere.example/users/ana"
    async with signed_in(instance, "ed") as client:
        page = await client.get("/authorize_interaction", params={"uri": remote})
        assert page.status_code == 403
        assert "Only an organizer or a liaison of a group here" in page.text
        token = csrf_of(await client.get("/admin/"))
        posted = await client.post(
            "/authorize_interaction", data={"csrf": token, "group": "eastside", "uri": remote}
        )
        assert posted.status_code == 403
    async with signed_in(instance, "lia") as client:
        page = await client.get("/authorize_interaction", params={"uri": remote})
        assert page.status_code == 200
        token = csrf_of(page)
        # Not their group; no form token
        other = await client.post(
            "/authorize_interaction", data={"csrf": token, "group": "eastside", "uri": remote}
        )
        assert other.status_code == 403
        assert "This needs the role liaison / organizer in eastside." in other.text
        forged = await client.post(
            "/authorize_interaction", data={"group": "westside", "uri": remote}
        )
        assert forged.status_code == 403
    async with instance.ctx.sessions() as session:
        assert (await session.scalars(select(Following))).all() == []


async def test_a_liaison_follows_from_the_page_another_site_sent_them_to(
    make_instance: InstanceFactory,
) -> None:
    # Given a group on one instance, and a liaison of two groups on another
    there = await make_instance()
    here = await make_instance()
    await add_group(there, "eastside", display_name="Eastside Mutual Aid")
    river = await add_group(here, "riverside")
    hill = await add_group(here, "hillside")
    await add_account(here, "lia", river, "liaison")
    async with here.ctx.sessions() as session:
        await roles.grant(session, await get_account(session, "lia"), hill, "organizer", by="t")
        await session.commit()
    actor = f"{there.base_url}/groups/eastside"

    # When they type their group's handle on the other instance's follow form
    sent = await interact(there, actor, f"@riverside@{here.host}")
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert location == f"{here.base_url}/authorize_interaction?uri={q(actor)}"

    # Then here they choose which of their groups follows
    async with signed_in(here, "lia") as client:
        page = await client.get(location)
        assert page.status_code == 200
        assert 'value="hillside"' in page.text and 'value="riverside"' in page.text
        bad = await client.post(
            "/authorize_interaction",
            data={"csrf": csrf_of(page), "group": "hillside", "uri": f"{there.base_url}/nothing"},
        )
        assert bad.status_code == 400
        assert 'role="alert"' in bad.text
        done = await client.post(
            "/authorize_interaction",
            data={"csrf": csrf_of(page), "group": "hillside", "uri": actor},
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/admin/groups/hillside/following?done=follow"
        following = await client.get(done.headers["location"])
        assert "Asked to follow" in following.text
        await settle(here, there)
        accepted = await client.get("/admin/groups/hillside/following")
    assert "accepted" in accepted.text

    # And the Follow arrived and was accepted
    async with there.ctx.sessions() as session:
        followers = (await session.scalars(select(Follower))).all()
    assert [follower.accepted for follower in followers] == [True]
    async with here.ctx.sessions() as session:
        rows = (await session.scalars(select(Following))).all()
    assert [(row.group_id, row.accepted) for row in rows] == [(hill.id, True)]
