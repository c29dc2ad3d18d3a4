"""The public pages over HTTP: the front page's search, a group's page (its next events,
open offers and needs, posts 20 a page), a post's page (event, offer, poll, replies).

Everything is made as the commands make it; answers (RSVPs, votes, replies) come from a
fake Mastodon server through the group's inbox.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest

from actors.groups import create_group, get_group, set_fields, set_icon
from actors.models import Group
from documents.event import EventSpec, Place
from documents.multilingual import Multilingual
from documents.poll import PollSpec
from posts import notes
from posts.models import Post
from posts.multilingual import publish_multilingual_note
from sharing import events, offers, polls
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer
from tests.sharing.network import vote

HTML = {"Accept": "text/html"}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")


def _text(value: str, language: str = "en") -> Multilingual:
    return Multilingual.single(language, value)


async def _garden(instance: Instance) -> Group:
    async with instance.ctx.sessions() as session:
        group = await create_group(
            session,
            "garden",
            instance.ctx.urls,
            display_name="Riverside Garden Collective",
            summary="Shared allotments by the river.",
        )
        set_fields(group, [("Place", "Millbrook"), ("Topic", "Gardening")])
        await session.commit()
    return group


async def _get(instance: Instance, path: str, **params: str) -> httpx.Response:
    async with instance.client() as client:
        return await client.get(path, params=params, headers=HTML)


def _section(page: httpx.Response, heading: str) -> str:
    """The HTML of the page's section whose heading has the id ``heading``."""
    found = re.search(rf'id="{heading}".*?</section>', page.text, re.S)
    assert found, page.text
    return found[0]


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def test_the_front_page_searches_names_places_and_topics(instance: Instance) -> None:
    await _garden(instance)
    async with instance.ctx.sessions() as session:
        bikes = await create_group(
            session, "bikes", instance.ctx.urls, display_name="Eastside Bike Kitchen"
        )
        bikes.summary = "Repairs on Tuesdays."
        set_fields(bikes, [("Place", "Eastside")])
        await session.commit()

    async def found(query: str) -> list[str]:
        page = await _get(instance, "/", q=query)
        assert page.status_code == 200
        return sorted(re.findall(r'class="u-url p-name" href="[^"]*/groups/(\w+)"', page.text))

    assert await found("") == ["bikes", "garden"]
    assert await found("RIVERSIDE") == ["garden"]  # the display name, any case
    assert await found("garden") == ["garden"]  # the name
    assert await found("eastside") == ["bikes"]  # a field value (its place)
    assert await found("tuesdays") == ["bikes"]  # the summary
    assert await found("millbrook gardening") == ["garden"]  # each word, anywhere
    assert await found("millbrook tuesdays") == []
    # The form is labelled and keeps the query, escaped; no match says so
    page = await _get(instance, "/", q="<b>x</b>")
    assert '<label for="group-search">' in page.text
    assert 'id="group-search" type="search" name="q" value="&lt;b&gt;x&lt;/b&gt;"' in page.text
    assert "No group matches “&lt;b&gt;x&lt;/b&gt;”." in page.text
    # Each group shows its handle, summary and fields (place, topic)
    home = await _get(instance, "/")
    assert f"@garden@{instance.host}" in home.text
    assert "Shared allotments by the river." in home.text
    assert "<dt>Place</dt><dd>Millbrook</dd>" in home.text


async def test_a_group_page_lists_its_posts_20_a_page(instance: Instance) -> None:
    group = await _garden(instance)
    async with instance.ctx.sessions() as session:
        for n in range(1, 46):
            await notes.publish_note(session, instance.ctx, group, f"Post number {n}.")
        await session.commit()
    pages = {n: await _get(instance, "/groups/garden", page=str(n)) for n in (1, 2, 3, 4)}

    def numbers(page: httpx.Response) -> list[int]:
        assert page.status_code == 200
        return [int(n) for n in re.findall(r"Post number (\d+)\.", page.text)]

    assert numbers(await _get(instance, "/groups/garden")) == list(range(45, 25, -1))
    assert numbers(pages[1]) == list(range(45, 25, -1))
    assert numbers(pages[2]) == list(range(25, 5, -1))
    assert numbers(pages[3]) == list(range(5, 0, -1))
    assert numbers(pages[4]) == []
    actor_id = instance.ctx.urls.group("garden")
    newer, older = 'rel="prev" href="{}?page={}"', 'rel="next" href="{}?page={}"'
    assert older.format(actor_id, 2) in pages[1].text and 'rel="prev"' not in pages[1].text
    assert newer.format(actor_id, 1) in pages[2].text and older.format(actor_id, 3) in pages[2].text
    assert newer.format(actor_id, 2) in pages[3].text and 'rel="next"' not in pages[3].text
    # Past the last page: an empty list that says so, and a way back
    for past in ("4", "9" * 40):
        page = await _get(instance, "/groups/garden", page=past)
        assert page.status_code == 200
        assert "There are no posts on this page." in page.text
        assert f'<a href="{actor_id}">See the latest posts</a>' in page.text
    # The canonical URL of a later page names it
    assert f'<link rel="canonical" href="{actor_id}?page=2">' in pages[2].text


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "", "²"])
async def test_a_page_number_that_is_not_a_positive_number_is_refused(
    instance: Instance, page: str
) -> None:
    await _garden(instance)
    answer = await _get(instance, "/groups/garden", page=page)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "The page number must be a whole number from 1 up, like ?page=2." in answer.text


async def test_the_group_page_shows_what_comes_and_what_is_open(instance: Instance) -> None:
    group = await _garden(instance)
    ctx, past = instance.ctx, dt.datetime(2020, 1, 1, tzinfo=UTC)
    async with ctx.sessions() as session:
        when = dt.datetime(2030, 7, 4, 18, 0, tzinfo=NEW_YORK)
        spec = EventSpec(
            _text("Seed swap"),
            when,
            "America/New_York",
            when + dt.timedelta(hours=2),
            place=Place("Library", "1 Main St"),
        )
        await events.create_event(session, ctx, group, spec)
        online = dt.datetime(2030, 8, 1, 19, 0, tzinfo=UTC)
        link = "https://meet.example/garden"
        await events.create_event(
            session, ctx, group, EventSpec(_text("Online planning"), online, "UTC", online_url=link)
        )
        weekly = dt.datetime(2020, 1, 6, 10, 0, tzinfo=UTC)
        await events.create_event(
            session, ctx, group, EventSpec(_text("Weekly weeding"), weekly, "UTC", repeat="weekly")
        )
        over = EventSpec(_text("Last year's harvest"), past, "UTC")
        await events.create_event(session, ctx, group, over)
        called_off = await events.create_event(
            session, ctx, group, EventSpec(_text("Called-off picnic"), online, "UTC")
        )
        await session.flush()
        off_uid = (await session.get(Post, called_off.post_id)).uid  # type: ignore[union-attr]
        await events.change_event(session, ctx, group, off_uid, cancelled=True)

        async def offer(kind: str, title: str, **options: object) -> str:
            row = await offers.open_offer(session, ctx, group, kind, _text(title), **options)  # type: ignore[arg-type]
            await session.flush()
            post = await session.get(Post, row.post_id)
            assert post is not None
            return post.uid

        until = dt.date(2030, 12, 31)
        await offer(
            "offer", "Lending a rotavator", skills=["gardening"], area="Riverside", until=until
        )
        await offer("need", "A long ladder")
        await offer("need", "Old need", until=dt.date(2020, 2, 1), now=past)  # expired
        for state in ("fulfilled", "withdrawn"):
            uid = await offer("offer", f"Closed as {state}")
            await offers.close_offer(session, ctx, group, uid, state)
        await session.commit()
    page = await _get(instance, "/groups/garden")
    shown = _section(page, "events-heading")
    titles = re.findall(r'class="u-url p-name"[^>]*>([^<]+)</a>', shown)
    # Soonest first: a weekly event at its next occurrence; nothing over or cancelled
    assert titles == ["Weekly weeding", "Seed swap", "Online planning"]
    weekly_start = re.search(r'class="dt-start" datetime="([^"]+)"', shown)
    assert weekly_start and dt.datetime.fromisoformat(weekly_start[1]) > dt.datetime.now(UTC)
    # Its date and time in its own time zone, its place; online events say so
    assert '<time class="dt-start" datetime="2030-07-04T18:00:00-04:00">' in shown
    assert "Thu 4 Jul 2030, 18:00–20:00 EDT" in shown
    assert '<bdi class="p-location">Library, 1 Main St</bdi>' in shown
    assert f'<a class="p-location" href="{link}" rel="nofollow noopener noreferrer">online</a>' in (
        shown
    )
    shown = _section(page, "offers-heading")
    titles = re.findall(r'class="u-url p-name"[^>]*>([^<]+)</a>', shown)
    assert titles == ["Lending a rotavator", "A long ladder"]
    assert "Offer:" in shown and "Need:" in shown
    tag = instance.ctx.urls.tag("gardening")
    assert f'<a href="{tag}" rel="tag">#<bdi>gardening</bdi></a>' in shown
    assert "Riverside" in shown and "until 2030-12-31" in shown


async def test_the_group_page_links_its_pages_and_can_be_followed(instance: Instance) -> None:
    group = await _garden(instance)
    async with instance.ctx.sessions() as session:
        found = await get_group(session, group.name)
        set_icon(found, "https://cdn.example/garden.png")
        await session.commit()
    page = (await _get(instance, "/groups/garden")).text
    actor_id = instance.ctx.urls.group("garden")
    for path in ("/calendar", "/board", "/feed.atom", "/feed.rss", "/events.ics"):
        assert f'href="{actor_id}{path}"' in page
    assert '<form method="get" action="/interact" class="follow">' in page
    assert f'<input type="hidden" name="uri" value="{actor_id}">' in page
    assert '<label for="follow-handle">Your fediverse handle</label>' in page
    assert 'id="follow-handle" name="handle"' in page
    assert f"search for <code>@garden@{instance.host}</code>." in page
    # The head: canonical URL, OpenGraph card with the icon, the feeds
    assert f'<link rel="canonical" href="{actor_id}">' in page
    assert '<meta property="og:title" content="Riverside Garden Collective">' in page
    assert '<meta property="og:image" content="https://cdn.example/garden.png">' in page
    for kind, name in (("atom", "Atom"), ("rss", "RSS")):
        feed = f'{name} feed of Riverside Garden Collective" href="{actor_id}/feed.{kind}"'
        assert f'<link rel="alternate" type="application/{kind}+xml" title="{feed}>' in page
    # Microformats: the group is an h-card with its photo
    assert 'class="group h-card"' in page and 'class="u-photo icon"' in page


async def _post_id(instance: Instance, post_id: int) -> str:
    async with instance.ctx.sessions() as session:
        post = await session.get(Post, post_id)
    assert post is not None
    return str(post.document["id"])


async def _answer(peer: Peer, group_id: str, name: str, reply_to: str, text: str) -> None:
    """``name`` on the peer replies ``text`` in public to ``reply_to``."""
    actor = peer.actor(name)
    note = peer.note(actor, f"<p>{text}</p>", inReplyTo=reply_to)
    answer = await peer.post(group_id + "/inbox", peer.activity(actor, "Create", note))
    assert answer.status_code == 202, answer.text


async def test_an_event_page_counts_who_is_going(instance: Instance, peer: Peer) -> None:
    group = await _garden(instance)
    when = dt.datetime(2030, 7, 4, 18, 0, tzinfo=NEW_YORK)
    body = _text("Bring *seeds*.")
    spec = EventSpec(_text("Seed swap"), when, "America/New_York", body=body, place=Place("Hall"))
    async with instance.ctx.sessions() as session:
        event = await events.create_event(session, instance.ctx, group, spec)
        await session.commit()
    event_id = await _post_id(instance, event.post_id)
    group_id = instance.ctx.urls.group("garden")
    for name, said in (("ana", "Going"), ("bo", "going!"), ("cy", "maybe"), ("di", "not going")):
        await _answer(peer, group_id, name, event_id, said)
    await settle(instance)
    page = (await _get(instance, event_id)).text
    assert 'class="post h-entry h-event"' in page
    assert '<h2 class="p-name" lang="en">Seed swap</h2>' in page
    assert "<dt>Going</dt><dd>2</dd>" in page
    assert "<dt>Interested</dt><dd>1</dd>" in page
    assert '<time class="dt-start" datetime="2030-07-04T18:00:00-04:00">' in page
    assert '<bdi class="p-location">Hall</bdi>' in page
    assert '<div class="e-content" lang="en"><p>Bring <em>seeds</em>.</p></div>' in page
    uid = event_id.rsplit("/", 1)[1]
    assert f'href="{group_id}/events/{uid}.ics">Add to calendar (.ics)</a>' in page
    assert f'href="/interact?uri={quote(event_id)}">Reply / vote from your server</a>' in page


async def test_a_poll_page_shows_its_results(instance: Instance, peer: Peer) -> None:
    group = await _garden(instance)
    question = _text("Which day?")
    async with instance.ctx.sessions() as session:
        poll = await polls.create_poll(
            session, instance.ctx, group, PollSpec(question, ("Saturday", "Sunday"))
        )
        closes = dt.datetime(2020, 1, 2, tzinfo=UTC)
        over = await polls.create_poll(
            session,
            instance.ctx,
            group,
            PollSpec(question, ("Yes", "No"), closes_at=closes),
            now=closes - dt.timedelta(days=1),
        )
        await session.commit()
    poll_id = await _post_id(instance, poll.post_id)
    group_id = instance.ctx.urls.group("garden")
    for n, (name, option) in enumerate((("ana", "Saturday"), ("bo", "Saturday"), ("cy", "Sunday"))):
        answer = await peer.post(group_id + "/inbox", vote(peer.actor(name), poll_id, option, n))
        assert answer.status_code == 202
    await settle(instance)
    async with instance.ctx.sessions() as session:  # the tallies go out: not an edit
        later = dt.datetime.now(UTC) + polls.TALLY_INTERVAL * 2
        await polls.publish_tallies(session, instance.ctx, later)
        await session.commit()
        sent = await session.get(Post, poll.post_id)
        assert sent is not None and sent.updated_at is not None
    page = (await _get(instance, poll_id)).text
    assert '<ul class="poll"><li>Saturday: 2</li><li>Sunday: 1</li></ul>' in page
    assert "3 voters" in page and "closed" not in page and "edited" not in page
    page = (await _get(instance, await _post_id(instance, over.post_id))).text
    assert "0 voters · closed" in page


async def test_an_offer_page_shows_its_state_and_terms(instance: Instance) -> None:
    group = await _garden(instance)
    ctx = instance.ctx
    async with ctx.sessions() as session:
        rows = [
            await offers.open_offer(
                session,
                ctx,
                group,
                "offer",
                _text(f"Rotavator {n}"),
                skills=["gardening"],
                area="Riverside",
                until=dt.date(2030, 12, 31),
            )
            for n in range(3)
        ]
        await session.flush()
        uids = [(await session.get(Post, row.post_id)).uid for row in rows]  # type: ignore[union-attr]
        await offers.close_offer(session, ctx, group, uids[1], "fulfilled")
        await offers.close_offer(session, ctx, group, uids[2], "withdrawn")
        await session.commit()
    states = []
    for uid in uids:
        page = (await _get(instance, f"/groups/garden/posts/{uid}")).text
        states.append(re.findall(r"<dt>Offer</dt><dd>(\w+)</dd>", page))
        assert '<time datetime="2030-12-31T23:59:59+00:00">2030-12-31</time>' in page
        assert '<dt>Area</dt><dd><bdi class="p-location">Riverside</bdi></dd>' in page
        assert f'<a href="{ctx.urls.tag("gardening")}" rel="tag">' in page
    assert states == [["open"], ["fulfilled"], ["closed"]]


async def test_a_post_page_shows_its_public_replies(instance: Instance, peer: Peer) -> None:
    group = await _garden(instance)
    async with instance.ctx.sessions() as session:
        note = await notes.publish_note(session, instance.ctx, group, "Who has seeds?")
        other = await notes.publish_note(session, instance.ctx, group, "Another post")
        quiet = await notes.publish_note(session, instance.ctx, group, "Nobody answers this")
        await session.commit()
        note_id, other_id = note.document["id"], other.document["id"]
        quiet_id = quiet.document["id"]
    group_id = instance.ctx.urls.group("garden")
    await _answer(peer, group_id, "ana", note_id, "I have beans <script>alert(1)</script>")
    await _answer(peer, group_id, "bo", other_id, "Not this thread")
    # A direct reply is for the organizers alone
    bo = peer.actor("bo")
    direct = peer.note(bo, "<p>Psst, private</p>", inReplyTo=note_id, to=[group_id], cc=[])
    assert (await peer.post(group_id + "/inbox", peer.activity(bo, "Create", direct))).is_success
    await settle(instance)
    thread = _section(await _get(instance, note_id), "replies-heading")
    assert '<bdi class="p-name">Ana</bdi>' in thread
    assert f'<span class="handle">@<bdi>ana@{peer.base_url.removeprefix("http://")}</bdi>' in thread
    assert "I have beans" in thread and "<script>" not in thread
    assert '<time class="dt-published" datetime="2026-01-02T03:04:05+00:00">' in thread
    assert "Not this thread" not in thread and "Psst" not in thread
    assert thread.count('class="reply h-entry"') == 1
    assert "Not this thread" in _section(await _get(instance, other_id), "replies-heading")
    assert "No replies yet." in _section(await _get(instance, quiet_id), "replies-heading")


async def test_a_post_says_its_language(instance: Instance) -> None:
    group = await _garden(instance)
    text = Multilingual({"es": "Sopa el viernes", "en": "Soup on Friday"}, "es")
    async with instance.ctx.sessions() as session:
        post = await publish_multilingual_note(session, instance.ctx, group, text)
        await session.commit()
        post_id = post.document["id"]
    for path in (post_id, "/groups/garden"):
        page = (await _get(instance, path)).text
        assert '<div class="e-content" lang="es"><p>Sopa el viernes</p></div>' in page
    page = (await _get(instance, post_id)).text
    assert f'<link rel="canonical" href="{post_id}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert 'class="dt-published"' in page and 'class="u-url"' in page


async def test_an_edited_post_says_when(instance: Instance) -> None:
    group = await _garden(instance)
    async with instance.ctx.sessions() as session:
        post = await notes.publish_note(session, instance.ctx, group, "Soup on Friday")
        await session.commit()
        post_id = post.document["id"]
    assert "edited" not in (await _get(instance, post_id)).text
    async with instance.ctx.sessions() as session:
        await notes.edit_note(session, instance.ctx, group, post.uid, "Soup on Saturday")
        await session.commit()
    page = (await _get(instance, post_id)).text
    assert "Soup on Saturday" in page
    assert re.search(r' · edited <time class="dt-updated" datetime="[^"]+">', page)
