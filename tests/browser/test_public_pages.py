"""The public pages in a real browser: what they show, axe-core, a phone's width, hostile texts.

The front page (``/``, with its search), a group's page (``/groups/{uid}``, which its
collections send browsers to: profile, next events, open offers and needs, posts) and a
post's page (``/groups/{uid}/posts/{uid}``: a note, an event, an offer or need, a poll,
and the replies the group keeps). No page needs JavaScript, none runs any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page

from actors.groups import create_group, get_group, set_fields
from documents.event import EventSpec, Place
from documents.multilingual import Multilingual
from documents.poll import PollSpec
from forum.messages import reply_to
from posts import notes
from posts.models import Post
from sharing import events, offers, polls
from sharing.rsvps import set_rsvp
from tests.browser.support import (
    PHONE,
    SCRIPT,
    Screenshots,
    assert_accessible,
    assert_fits_the_width,
    assert_no_script_ran,
    visit,
)
from tests.conftest import InstanceFactory
from tests.forum.support import forum_group, join, mastodon_post
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer

INSTANCE_NAME = "Riverside Mutuals"
LONDON = ZoneInfo("Europe/London")
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: would show "exe.gnp" as "png.exe"


@dataclass
class Community:
    """A group with one post of each kind; the paths of its pages."""

    instance: Instance
    posts: dict[str, str]

    def url(self, path: str = "/groups/garden") -> str:
        return self.instance.base_url + path


def _text(value: str) -> Multilingual:
    return Multilingual.single("en", value)


async def _path(instance: Instance, post_id: int) -> str:
    async with instance.ctx.sessions() as session:
        post = await session.get(Post, post_id)
    assert post is not None
    return str(post.document["id"]).removeprefix(instance.base_url)


async def _community(instance: Instance, **texts: str) -> Community:
    """``garden`` with a note, an event, an offer and a poll, made as the commands make them.

    ``texts`` replaces any of: display_name, summary, field, note, event, offer.
    """
    say = {
        "display_name": "Riverside Garden Collective",
        "summary": "Shared **allotments** by the river. Everyone is welcome, no experience needed.",
        "field": "Saturdays 10:00–13:00",
        "note": "Seed swap this Saturday at the shed: bring what you have, take what you need. "
        "#seeds",
        "event": "Spring planting day",
        "offer": "Lending a rotavator",
    } | texts
    ctx = instance.ctx
    async with ctx.sessions() as session:
        group = await create_group(
            session, "garden", ctx.urls, display_name=say["display_name"], summary=say["summary"]
        )
        set_fields(group, [("Website", "https://garden.example"), ("Meets", say["field"])])
        note = await notes.publish_note(session, ctx, group, say["note"])
        event = await events.create_event(
            session,
            ctx,
            group,
            EventSpec(
                _text(say["event"]),
                dt.datetime(2030, 4, 13, 10, 0, tzinfo=LONDON),
                "Europe/London",
                dt.datetime(2030, 4, 13, 13, 0, tzinfo=LONDON),
                _text("We plant potatoes and beans. Gloves and tea provided."),
                place=Place("Riverside allotments", "12 Mill Lane"),
            ),
        )
        # Members' answers, as the inbox records their replies ("going", "maybe")
        for n, state in enumerate(("going", "going", "going", "maybe")):
            member = f"https://social.example/users/member{n}"
            await set_rsvp(session, event, member, state, f"{member}/statuses/{n}")
        offer = await offers.open_offer(
            session,
            ctx,
            group,
            "offer",
            _text(say["offer"]),
            body=_text("Free to members for a weekend; you collect it from the shed."),
            skills=["gardening"],
            area="Riverside",
        )
        poll = await polls.create_poll(
            session,
            ctx,
            group,
            PollSpec(_text("Which day suits the autumn work party?"), ("Saturday", "Sunday")),
        )
        await session.commit()
        note_id = note.id
    paths = {"note": await _path(instance, note_id)}
    for kind, row in (("event", event), ("offer", offer), ("poll", poll)):
        paths[kind] = await _path(instance, row.post_id)
    return Community(instance, paths)


async def assert_fits_a_phone(page: Page) -> None:
    """The page, 375 px wide, is no wider than the window."""
    await page.set_viewport_size(PHONE)
    await assert_fits_the_width(page)


@pytest.fixture
async def community(make_instance: InstanceFactory) -> Community:
    instance = await make_instance(instance_name=INSTANCE_NAME)
    return await _community(instance)


async def test_the_front_page_lists_the_groups(
    community: Community, page: Page, screenshot: Screenshots
) -> None:
    await visit(page, community.url("/"))
    assert await page.title() == INSTANCE_NAME
    assert await page.get_by_role("heading", level=1).inner_text() == "Groups on this instance"
    link = page.get_by_role("link", name="Riverside Garden Collective")
    assert await link.count() == 1
    assert "Saturdays 10:00–13:00" in await page.locator("main").inner_text()
    await assert_accessible(page)
    await screenshot(page, "public-home")
    await assert_fits_a_phone(page)
    # Searching by a word of its profile finds it; another word finds nothing
    search = page.get_by_role("searchbox", name="Search the groups by name, place or topic")
    for query, found in (("saturdays", 1), ("harbour", 0)):
        await search.fill(query)
        await page.get_by_role("button", name="Search").click()
        await page.wait_for_url(community.url(f"/?q={query}"))
        assert await link.count() == found
    assert "No group matches “harbour”." in await page.locator("main").inner_text()
    await assert_accessible(page)
    await page.get_by_role("link", name="Show every group").click()
    await page.wait_for_url(community.url("/"))
    # Following the link leads to the group's profile
    await link.click()
    await page.wait_for_url(community.url())
    assert await page.get_by_role("heading", level=1).inner_text() == (
        "Riverside Garden Collective"
    )


async def test_the_front_page_of_an_empty_instance(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    await visit(page, instance.base_url + "/")
    assert "No groups yet" in await page.locator("main").inner_text()
    await assert_accessible(page)
    await assert_fits_a_phone(page)
    await screenshot(page, "front-page-empty", publish=False)


async def test_a_group_profile_shows_the_group_and_its_posts(
    community: Community, page: Page, screenshot: Screenshots
) -> None:
    await visit(page, community.url())
    assert await page.title() == f"Riverside Garden Collective — {INSTANCE_NAME}"
    assert await page.get_by_role("heading", level=1).inner_text() == (
        "Riverside Garden Collective"
    )
    main = await page.locator("main").inner_text()
    host = community.instance.host
    assert f"@garden@{host}" in main
    assert "Shared allotments by the river." in main
    assert "Saturdays 10:00–13:00" in main
    assert "Seed swap this Saturday" in main
    assert await page.locator("article.post").count() == 4
    # What comes next and what is open, each leading to its post
    events = page.get_by_role("region", name="Next events")
    assert "Sat 13 Apr 2030, 10:00–13:00 BST" in await events.inner_text()
    assert "Riverside allotments, 12 Mill Lane" in await events.inner_text()
    offers_and_needs = page.get_by_role("region", name="Open offers and needs")
    assert "#gardening · Riverside" in await offers_and_needs.inner_text()
    # Its other pages, and a follow form that asks for the visitor's handle
    for name in ("Calendar", "Board of offers and needs", "Atom feed", "RSS feed"):
        assert await page.get_by_role("link", name=name, exact=True).count() == 1
    handle = page.get_by_role("textbox", name="Your fediverse handle")
    assert await handle.get_attribute("name") == "handle"
    await assert_accessible(page)
    await screenshot(page, "public-group")
    await assert_fits_a_phone(page)
    await screenshot(page, "public-group-phone", publish=False)
    await offers_and_needs.get_by_role("link", name="Lending a rotavator").click()
    await page.wait_for_url(community.url(community.posts["offer"]))


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("note", "Seed swap this Saturday"),
        ("event", "Spring planting day"),
        ("offer", "Lending a rotavator"),
        ("poll", "Which day suits the autumn work party?"),
    ],
)
async def test_a_post_page_shows_the_post(
    community: Community, page: Page, screenshot: Screenshots, kind: str, shown: str
) -> None:
    path = community.posts[kind]
    await visit(page, community.url(path))
    assert await page.title() == f"Riverside Garden Collective: post — {INSTANCE_NAME}"
    article = await page.locator("main article.post").inner_text()
    assert shown in article
    assert "Riverside Garden Collective" in article
    if kind == "event":
        # The when/where line shows once, with who answered
        assert article.count("Sat 13 Apr 2030, 10:00–13:00 BST") == 1
        assert article.count("Riverside allotments, 12 Mill Lane") == 1
        facts = await page.locator("dl.facts").inner_text()
        assert "Going\n3" in facts and "Interested\n1" in facts
        # The calendar link works: an iCalendar file of the event
        href = await page.get_by_role("link", name="Add to calendar (.ics)").get_attribute("href")
        assert href is not None
        ics = await page.request.get(href)
        assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
        assert "SUMMARY:Spring planting day" in await ics.text()
    if kind == "poll":
        assert await page.locator("ul.poll li").all_inner_texts() == ["Saturday: 0", "Sunday: 0"]
    reply = page.get_by_role("link", name="Reply / vote from your server")
    assert await reply.get_attribute("href") == "/interact?uri=" + quote(community.url(path))
    await assert_accessible(page)
    await screenshot(page, f"public-post-{kind}")
    await assert_fits_a_phone(page)


@pytest.mark.parametrize("collection", ["outbox", "followers", "following", "featured"])
async def test_a_collection_sends_a_browser_to_the_profile(
    community: Community, page: Page, collection: str
) -> None:
    await visit(page, community.url(f"/groups/garden/{collection}"))
    assert page.url == community.url()
    assert await page.get_by_role("heading", level=1).inner_text() == (
        "Riverside Garden Collective"
    )


async def test_hostile_texts_of_the_group_are_shown_as_text(
    make_instance: InstanceFactory, page: Page, screenshot: Screenshots
) -> None:
    # Given an organizer pastes markup, a bidi override and 10,000 characters everywhere
    long = ("x" * 100 + " ") * 60
    note = f"{SCRIPT} {RLO}gnp.exe " + "y" * (10_000 - len(SCRIPT) - 10)
    assert len(note) == 10_000
    instance = await make_instance()
    hostile = await _community(
        instance,
        display_name=f"{SCRIPT}gnp.exe",  # the override: see the last test
        summary=f"{SCRIPT} {RLO} {long}",
        field=f"{SCRIPT}{RLO}",
        note=note,
        event=f"{SCRIPT} party",
        offer=f"{SCRIPT} offer",
    )
    await page.set_viewport_size(PHONE)
    for path in ("/", "/groups/garden", *hostile.posts.values()):
        await visit(page, hostile.url(path))
        await assert_no_script_ran(page)
        await assert_fits_the_width(page)
        await assert_accessible(page)
        # Names are plain text: the markup shows as typed, the override is gone
        assert SCRIPT + "gnp.exe" in await page.locator("main").inner_text()
        if path != "/":
            assert SCRIPT + "gnp.exe" in await page.title()
        # Names lose it; rich text (summary, posts) may keep it, confined to its own block
        assert RLO not in await page.title()
        for name in await page.locator("main :is(h1, h2, .p-name, .handle, dt, dd)").all():
            assert RLO not in await name.inner_text()
    await visit(page, hostile.url())
    assert await page.get_by_role("heading", level=1).inner_text() == SCRIPT + "gnp.exe"
    assert "y" * 1000 in await page.locator("main").inner_text()
    await screenshot(page, "hostile-group", publish=False)
    await visit(page, hostile.url(hostile.posts["event"]))
    assert await page.locator("h2.p-name").inner_text() == f"{SCRIPT} party"
    await screenshot(page, "hostile-event", publish=False)


@dataclass
class HostileActor(PeerActor):
    """A peer account whose username is hostile (its URL stays tame)."""

    username: str = ""

    def document(self) -> dict[str, Any]:
        return super().document() | {"preferredUsername": self.username, "name": self.username}


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def test_a_hostile_remote_username_in_a_reply_is_shown_as_text(
    instance: Instance, peer: Peer, page: Page, screenshot: Screenshots
) -> None:
    # Given a member whose server gives it a username of markup, an override and 10,000 chars
    username = f"{SCRIPT}{RLO}gnp.exe" + "z" * 10_000
    tame = peer.actor("mallory")
    peer.actors["mallory"] = mallory = HostileActor(**vars(tame), username=username)
    group_id = await forum_group(instance, posting="open")
    await join(instance, peer, mallory, group_id)
    post = mastodon_post(peer, mallory, group_id, "garden", "Hello, garden")
    response = await peer.post(group_id + "/inbox", post)
    assert response.status_code == 202, response.text
    await settle(instance)
    # When the group answers the member, as `mutuals reply` does, mentioning them
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "garden")
        answer = await reply_to(
            session, instance.ctx, group, post["object"]["id"], "Welcome!", direct=False
        )
        await session.commit()
        answer_url = str(answer.document["id"])
    # Then the name reaches the reply's page and the profile only as text
    await page.set_viewport_size(PHONE)
    for url in (answer_url, group_id):
        await visit(page, url)
        await assert_no_script_ran(page)
        await assert_fits_the_width(page)
        await assert_accessible(page)
        shown = await page.locator("main").inner_text()
        assert "Welcome!" in shown
        assert f"@{SCRIPT}gnp.exe" in shown
        assert RLO not in shown
    await screenshot(page, "hostile-remote-name", publish=False)


async def test_a_hostile_reply_in_a_thread_is_shown_as_text(
    instance: Instance, peer: Peer, page: Page, screenshot: Screenshots
) -> None:
    # Given a group's post, and a remote account with a hostile name replying to it with
    # markup, a bidi override and 10,000 characters
    username = f"{SCRIPT}{RLO}gnp.exe" + "z" * 10_000
    tame = peer.actor("mallory")
    peer.actors["mallory"] = mallory = HostileActor(**vars(tame), username=username)
    community = await _community(instance)
    post_url = community.url(community.posts["note"])
    text = f"<p>{SCRIPT} {RLO}gnp.exe " + "y" * 10_000 + "</p>"
    reply = peer.note(mallory, text, inReplyTo=post_url)
    answer = await peer.post(community.url() + "/inbox", peer.activity(mallory, "Create", reply))
    assert answer.status_code == 202, answer.text
    await settle(instance)
    # When a visitor reads the post on a phone
    await page.set_viewport_size(PHONE)
    await visit(page, post_url)
    # Then the reply is there, its author's name plain text cut to 200 characters, its
    # content without the script
    await assert_no_script_ran(page)
    await assert_fits_the_width(page)
    await assert_accessible(page)
    thread = page.get_by_role("region", name="Replies")
    shown_name = (SCRIPT + "gnp.exe" + "z" * 10_000)[:200]
    assert await thread.locator(".p-author .p-name").inner_text() == shown_name
    handle = await thread.locator(".p-author .handle").inner_text()
    assert handle.startswith("@" + shown_name + "@") and RLO not in handle
    content = await thread.locator(".e-content").inner_text()
    assert "y" * 10_000 in content and "window.pwned" not in content
    await screenshot(page, "hostile-reply", publish=False)


async def test_a_new_groups_name_loses_its_bidi_override(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    async with instance.ctx.sessions() as session:
        await create_group(session, "garden", instance.ctx.urls, display_name=f"Garden{RLO}gnp.exe")
        await session.commit()
    await visit(page, instance.base_url + "/groups/garden")
    await screenshot(page, "bidi-display-name", publish=False)
    assert await page.get_by_role("heading", level=1).inner_text() == "Gardengnp.exe"
