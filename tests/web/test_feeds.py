"""Atom and RSS feeds of a group and of a tag, read by feedparser over real HTTP.

feedparser runs with ``sanitize_html=False``: it would otherwise strip a script itself,
and the tests must see what we send.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import pytest

from documents.feed_entry import Author, post_entry
from documents.feeds import Feed, atom, rss
from tests.instances import Instance
from tests.sharing.network import Cli, post_by_uid

ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
ICON = "https://images.example/soup.png"
SCRIPT = "<script>alert('feed')</script>"


async def _get(instance: Instance, path: str) -> Any:
    async with instance.client() as client:
        return await client.get(path)


async def _feed(instance: Instance, path: str) -> Any:
    """The parsed feed at ``path``, checked well-formed and of the right type."""
    res = await _get(instance, path)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == (ATOM_TYPE if path.endswith(".atom") else RSS_TYPE)
    ET.fromstring(res.content)  # well-formed XML, or this raises
    parsed = feedparser.parse(res.content, sanitize_html=False)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


async def _publish(cli: Cli, instance: Instance, *argv: str) -> str:
    """Run a publishing command; the uid of the post it printed."""
    return (await cli.ok(instance, *argv)).split()[1].rstrip(":")


def _time(struct: Any) -> dt.datetime:
    return dt.datetime(*struct[:6], tzinfo=dt.UTC)


async def _group_with_posts(instance: Instance, cli: Cli) -> dict[str, str]:
    """``soup``'s posts of every kind, by name; and some that no feed may list."""
    await cli.ok(
        instance, "group", "create", "soup", "--display-name", "Soup kitchen",
        "--summary", "We cook *together*.",
    )  # fmt: skip
    await cli.ok(instance, "group", "update", "soup", "--icon", ICON)
    post = ("post", "soup")
    note = f"Soup at **noon** on Sunday {SCRIPT} #Food #mutual_aid"
    uids = {"note": await _publish(cli, instance, *post, note)}
    uids["offer"] = await _publish(
        cli, instance, "offer", "soup", "Bike repair", "--skill", "bike_repair",
        "--area", "Eastside",
    )  # fmt: skip
    uids["event"] = await _publish(
        cli, instance, "event", "soup", "Assembly", "--start", "2099-03-03 19:00",
        "--end", "2099-03-03 21:00", "--timezone", "Europe/Berlin",
        "--place", "Community hall, 12 Main St", "--body", "Agenda: *food* #Food",
    )  # fmt: skip
    uids["poll"] = await _publish(
        cli, instance, "poll", "soup", "Which day suits you?", "--option", "Monday",
        "--option", "Tuesday",
    )  # fmt: skip
    uids["warned"] = await _publish(cli, instance, *post, "Onions.", "--cw", "Tears")
    uids["spanish"] = await _publish(cli, instance, *post, "Sopa el martes", "--language", "es")
    await _publish(cli, instance, "post", "soup", "quiet #Food", "--unlisted")
    await _publish(cli, instance, "post", "soup", "secret #Food", "--followers-only")
    gone = await _publish(cli, instance, "post", "soup", "gone #Food")
    await cli.ok(instance, "delete", "soup", gone)
    return uids


async def test_a_group_feed_lists_its_public_posts(instance: Instance, cli: Cli) -> None:
    uids = await _group_with_posts(instance, cli)
    page = f"{instance.base_url}/groups/soup"
    posts = {kind: await post_by_uid(instance, uid) for kind, uid in uids.items()}
    for kind in ("atom", "rss"):
        parsed = await _feed(instance, f"/groups/soup/feed.{kind}")
        # The feed: its title, page, own URL, icon, date.
        assert parsed.feed.title == "Soup kitchen"
        assert parsed.feed.link == page
        [self_link] = [link for link in parsed.feed.links if link.rel == "self"]
        assert self_link.href == f"{page}/feed.{kind}"
        assert (parsed.feed.icon if kind == "atom" else parsed.feed.image.href) == ICON
        assert "We cook together." in parsed.feed.get("subtitle", parsed.feed.get("description"))
        assert parsed.feed.updated_parsed is not None
        # Its entries: the public posts, newest first; not unlisted, followers-only, deleted.
        entries = {e.link: e for e in parsed.entries}
        assert [e.link for e in parsed.entries] == [
            posts[k].document["id"] for k in ("spanish", "warned", "poll", "event", "offer", "note")
        ]
        titles = {k: entries[p.document["id"]].title for k, p in posts.items()}
        assert titles == {
            "note": f"Soup at noon on Sunday {SCRIPT} #Food #mutual_aid",
            "offer": "Bike repair",
            "event": "Assembly",
            "poll": "Which day suits you?",
            "warned": "Tears",
            "spanish": "Sopa el martes",
        }
        for post in posts.values():
            entry = entries[post.document["id"]]
            assert entry.id == post.document["id"]
            assert entry.author == "Soup kitchen"
            assert _time(entry.published_parsed) == post.created_at.replace(microsecond=0)
        note = entries[posts["note"].document["id"]]
        html = note.content[0].value if kind == "atom" else note.description
        assert "<strong>noon</strong>" in html
        assert "<script" not in html and "&lt;script&gt;" in html
        assert [t.term for t in note.tags] == ["Food", "mutual_aid"]
        # An event: its date and place in the content, and in Atom's summary line too.
        event = entries[posts["event"].document["id"]]
        html = event.content[0].value if kind == "atom" else event.description
        when, where = "📅 Tue 3 Mar 2099, 19:00–21:00 CET", "📍 Community hall, 12 Main St"
        assert when in html and where in html and "<em>food</em>" in html
        assert [t.term for t in event.tags] == ["Food"]
        poll = entries[posts["poll"].document["id"]]
        html = poll.content[0].value if kind == "atom" else poll.description
        assert "<li>Monday</li><li>Tuesday</li>" in html
        if kind == "atom":
            assert when in event.summary and where in event.summary
            assert entries[posts["spanish"].document["id"]].content[0].language == "es"
            assert note.content[0].language == "en"
            assert note.author_detail.href == page
        else:
            root = ET.fromstring((await _get(instance, "/groups/soup/feed.rss")).content)
            guids = root.findall("channel/item/guid")
            assert [(g.text, g.get("isPermaLink")) for g in guids] == [
                (e.link, "true") for e in parsed.entries
            ]
            assert parsed.feed.language == "en"


async def test_a_group_feed_answers_an_unknown_group_or_format(instance: Instance) -> None:
    res = await _get(instance, "/groups/nobody/feed.atom")
    assert (res.status_code, res.text) == (404, "no such group\n")
    res = await _get(instance, "/groups/nobody/feed.json")
    assert res.status_code == 404 and "feed.atom" in res.text


async def test_a_feed_is_valid_empty_answers_304_unchanged_and_shows_a_new_post(
    instance: Instance, cli: Cli
) -> None:
    await cli.ok(instance, "group", "create", "quiet")
    for kind in ("atom", "rss"):
        parsed = await _feed(instance, f"/groups/quiet/feed.{kind}")
        assert (parsed.feed.title, parsed.entries) == ("quiet", [])
    first = await _get(instance, "/groups/quiet/feed.atom")
    async with instance.client() as client:
        again = await client.get(
            "/groups/quiet/feed.atom", headers={"If-None-Match": first.headers["etag"]}
        )
    assert (again.status_code, again.content) == (304, b"")
    await _publish(cli, instance, "post", "quiet", "Hello")
    parsed = await _feed(instance, "/groups/quiet/feed.atom")
    assert [e.title for e in parsed.entries] == ["Hello"]


async def test_a_tag_feed_lists_the_instances_public_posts_with_it(
    instance: Instance, cli: Cli
) -> None:
    for name in ("soup", "bikes"):
        await cli.ok(instance, "group", "create", name, "--display-name", name.title())
    first = await _publish(cli, instance, "post", "soup", "Lentils #Food")
    await _publish(cli, instance, "post", "bikes", "Tyres #bikes")
    second = await _publish(cli, instance, "post", "bikes", "Snacks after the ride #FOOD")
    await _publish(cli, instance, "post", "soup", "secret #food", "--followers-only")
    await _publish(cli, instance, "post", "soup", "quiet #food", "--unlisted")
    expected = [(await post_by_uid(instance, uid)).document["id"] for uid in (second, first)]
    for path in ("/tags/food/feed.atom", "/tags/Food/feed.rss"):
        parsed = await _feed(instance, path)
        assert [e.link for e in parsed.entries] == expected
        assert [e.author for e in parsed.entries] == ["Bikes", "Soup"]
        assert parsed.feed.link == f"{instance.base_url}/tags/food"
        assert parsed.feed.title.startswith("#food")
    parsed = await _feed(instance, "/tags/nothing_here/feed.atom")
    assert parsed.entries == []


@pytest.mark.parametrize("name", ["no-such!", "a%20b", "%23food"])
async def test_a_tag_feed_refuses_what_is_not_a_hashtag(instance: Instance, name: str) -> None:
    res = await _get(instance, f"/tags/{name}/feed.atom")
    assert res.status_code in (400, 404)
    assert "hashtag" in res.text


async def test_hostile_text_stays_well_formed(instance: Instance, cli: Cli) -> None:
    hostile = "\u202e\u2066evil\u2069 \x01\x0b\ufffe " + SCRIPT + " " + "x" * 5 + " #Food "
    text = (hostile * 400)[:10_000]
    await cli.ok(instance, "group", "create", "soup", "--display-name", "\u202eSoup\u202c <b>")
    await _publish(cli, instance, "post", "soup", text)
    for path in ("/groups/soup/feed.atom", "/groups/soup/feed.rss", "/tags/food/feed.atom"):
        parsed = await _feed(instance, path)
        [entry] = parsed.entries
        html = entry.content[0].value if path.endswith(".atom") else entry.description
        assert "<script" not in html and len(html) > 10_000
        assert "\u202e" not in entry.title and len(entry.title) <= 81
        assert entry.author == "Soup <b>"


def test_attachments_are_enclosures() -> None:
    # Our posts carry no attached files today; a document with one shows the shape.
    group = "https://mutuals.example/groups/g"
    doc = {
        "id": f"{group}/posts/1",
        "type": "Note",
        "published": "2025-11-20T09:30:00Z",
        "content": "<p>The minutes</p>",
        "attachment": [
            {"type": "Document", "url": f"{group}/m.pdf", "mediaType": "application/pdf"},
            # A link (an event's online address) is a page to visit, not a file.
            {"type": "Link", "href": "https://meet.example/x", "mediaType": "text/html"},
        ],
    }
    entry = post_entry(doc, Author("G", group))
    when = dt.datetime(2025, 11, 20, 10, tzinfo=dt.UTC)
    feed = Feed("G", "", group, f"{group}/feed.atom", f"{group}/feed.rss", when)
    for body in (atom(feed, [entry]), rss(feed, [entry])):
        parsed = feedparser.parse(body, sanitize_html=False)
        assert parsed.bozo == 0
        [item] = parsed.entries
        assert item.link == f"{group}/posts/1"
        assert [(e.href, e.type) for e in item.enclosures] == [
            (f"{group}/m.pdf", "application/pdf")
        ]
        assert _time(item.published_parsed) == dt.datetime(2025, 11, 20, 9, 30, tzinfo=dt.UTC)
