"""Every link on the public pages leads somewhere: a crawler starts at the front page of
an instance whose group follows a group on a second instance, and follows each link to
either instance (pages, feeds, calendars, icons) until none is left.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from actors.groups import get_group, set_fields
from documents.event import EventSpec, Place
from documents.poll import PollSpec
from posts import notes
from sharing import events, offers, polls
from tests.admin.test_network_pages import en, linked
from tests.instances import Instance, settle

LIMIT = 400  # URLs: far more than this content links to, so endless links fail


class Links(HTMLParser):
    """The URLs a page links to: ``href`` of links, ``src`` of images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)


async def publish_everything(instance: Instance, name: str, when: dt.datetime) -> None:
    """A note with a hashtag, an offer, a need, an event and a poll from the group ``name``."""
    ctx = instance.ctx
    async with ctx.sessions() as session:
        group = await get_group(session, name)
        set_fields(group, [("Website", "https://example.org/"), ("Place", "Millbrook")])
        await notes.publish_note(session, ctx, group, f"News from {name} #Gardening")
        await offers.open_offer(session, ctx, group, "offer", en("Ladder"), skills=["diy"])
        await offers.open_offer(session, ctx, group, "need", en("Seeds"), skills=["garden"])
        spec = EventSpec(en("Seed swap"), when, "UTC", place=Place("Hall", "1 Main St"))
        await events.create_event(session, ctx, group, spec)
        await polls.create_poll(session, ctx, group, PollSpec(en("Which day?"), ("Sat", "Sun")))
        await session.commit()


async def crawl(client: httpx.AsyncClient, start: str, origins: set[str]) -> dict[str, int]:
    """The status of every URL reachable from ``start`` on ``origins``."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < LIMIT:
        url = queue.pop()
        if url in seen:
            continue
        answer = await client.get(url, headers={"Accept": "text/html"})
        seen[url] = answer.status_code
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        if "month=" in url:
            continue  # the calendar links month to month without end: one step is enough
        parser = Links()
        parser.feed(answer.text)
        for link in parser.found:
            target = urldefrag(urljoin(url, link)).url
            parts = urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}" in origins and target not in seen:
                queue.append(target)
    return seen


async def test_no_link_on_the_public_pages_leads_nowhere(make_instance: Any) -> None:
    one, two, _, _ = await linked(make_instance)
    month = dt.datetime.now(dt.UTC).replace(day=20, hour=18, minute=0, second=0, microsecond=0)
    await publish_everything(one, "eastside", month)
    await publish_everything(two, "beta", month + dt.timedelta(days=1))
    await settle(one, two)
    origins = {one.base_url, two.base_url}
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as client:
        statuses = await crawl(client, one.base_url + "/", origins)
    broken = {url: status for url, status in statuses.items() if status >= 400}
    assert broken == {}
    assert len(statuses) < LIMIT
    # It went everywhere the pages lead: both groups' pages, feeds, calendars, tags
    visited = "\n".join(statuses)
    for page in (
        "/groups/eastside/board",
        "/groups/eastside/calendar",
        "/groups/eastside/feed.atom",
        "/groups/eastside/events.ics",
        "/tags/gardening",
        f"{two.base_url}/groups/beta",
    ):
        assert page in visited, page
    assert sum("/posts/" in url for url in statuses) >= 10
