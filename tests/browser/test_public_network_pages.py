"""The board, calendar and tag pages in a real browser: used by clicking, checked with
axe-core, at a desktop's and a phone's width, and with a hostile peer's offer and event.

Screenshots ``public-board``, ``public-calendar`` and ``public-tag`` illustrate the README.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from documents.event import EventSpec, Place
from posts import notes
from sharing import events, offers
from tests.admin.test_network_pages import en, linked
from tests.browser.support import (
    Screenshots,
    assert_accessible,
    assert_fits_the_width,
    assert_no_script_ran,
    visit,
)
from tests.browser.test_public_pages import RLO, SCRIPT
from tests.helpers import add_group
from tests.inbox.support import follow
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer

LONDON = ZoneInfo("Europe/London")
PHONE = {"width": 375, "height": 740}
# Text holding the override must sit in an element of its own (a name in a <bdi>, rich
# text in its block), where it cannot turn the text around it: how many do not.
LOOSE_OVERRIDES = """() => {
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  let loose = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.data.includes("\\u202e") && !node.parentElement.closest("bdi, .e-content")) loose++;
  }
  return loose;
}"""


async def checked(page: Page, url: str) -> None:
    """Open ``url``; it must pass axe-core, run no script and fit a desktop and a phone."""
    await visit(page, url)
    await assert_no_script_ran(page)
    await assert_accessible(page)
    await assert_fits_the_width(page)
    await page.set_viewport_size(PHONE)
    await assert_fits_the_width(page)
    await assert_accessible(page)
    await page.set_viewport_size({"width": 1024, "height": 768})


async def _neighbourhood(make_instance: Any) -> tuple[Instance, Instance]:
    """``eastside`` following ``beta`` on another instance; offers, needs, events, posts."""
    one, two, eastside, beta = await linked(make_instance)
    async with one.ctx.sessions() as session:
        await offers.open_offer(
            session, one.ctx, eastside, "need", en("Fix my bike before winter"),
            skills=["bikes"], area="Eastside", until=dt.date(2099, 1, 31),
        )  # fmt: skip
        await offers.open_offer(
            session, one.ctx, eastside, "offer", en("Ladder lending"), skills=["diy"]
        )
        await events.create_event(
            session, one.ctx, eastside,
            EventSpec(
                en("Repair café"), dt.datetime(2030, 3, 4, 19, tzinfo=LONDON), "Europe/London",
                dt.datetime(2030, 3, 4, 21, tzinfo=LONDON),
                place=Place("Community hall", "12 Mill Lane"), repeat="weekly",
            ),
        )  # fmt: skip
        for text in (
            "Seed swap at the shed on Saturday: bring what you have. #food #garden",
            "Soup kitchen needs two more cooks on Thursday. #Food",
        ):
            await notes.publish_note(session, one.ctx, eastside, text)
        await session.commit()
    async with two.ctx.sessions() as session:
        await offers.open_offer(
            session, two.ctx, beta, "offer", en("Bike repair on Saturdays"),
            skills=["bikes", "repair"], area="Eastside market",
        )  # fmt: skip
        await events.create_event(
            session, two.ctx, beta,
            EventSpec(
                en("Beta picnic"), dt.datetime(2030, 4, 13, 12, tzinfo=ZoneInfo("Europe/Madrid")),
                "Europe/Madrid", place=Place("Riverside park"),
            ),
        )  # fmt: skip
        await session.commit()
    await settle(one, two)
    return one, two


async def test_the_board_calendar_and_tag_pages(
    make_instance: Any, page: Page, screenshot: Screenshots
) -> None:
    one, _two = await _neighbourhood(make_instance)
    group = f"{one.base_url}/groups/eastside"

    # Board: each need with the network's matching offers, then filtered by clicking
    await checked(page, group + "/board")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Board of eastside")
    need = page.locator("article.entry", has_text="Fix my bike before winter")
    await expect(need.get_by_role("link", name="Bike repair on Saturdays")).to_be_visible()
    await screenshot(page, "public-board")
    await page.get_by_label("Skill").fill("diy")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_text("Ladder lending").first).to_be_visible()
    await expect(page.get_by_text("Fix my bike before winter")).to_have_count(0)

    # Calendar: April 2030, every Monday's repair café and the network's picnic
    await checked(page, group + "/calendar?month=2030-04")
    await expect(page.get_by_role("heading", name="April 2030")).to_be_visible()
    monday = page.locator('td:has(time[datetime="2030-04-08"])')
    await expect(monday.get_by_role("link", name="Repair café")).to_be_visible()
    await expect(page.locator("td .h-event")).to_have_count(6)
    saturday = page.locator('td:has(time[datetime="2030-04-13"])')
    await expect(saturday).to_contain_text("Beta picnic")
    await screenshot(page, "public-calendar")
    await page.set_viewport_size(PHONE)
    await screenshot(page, "public-calendar-phone", publish=False)
    await page.set_viewport_size({"width": 1024, "height": 768})
    await page.get_by_role("link", name="Next month").click()
    await expect(page.get_by_role("heading", name="May 2030")).to_be_visible()
    await page.get_by_role("link", name="List of events to come").click()
    await expect(page.get_by_role("heading", name="Events to come")).to_be_visible()
    await checked(page, page.url)
    await expect(page.locator("li.h-event", has_text="Beta picnic")).to_contain_text(
        "from the network"
    )

    # Tag: from a post's hashtag link to every post with it
    await checked(page, f"{one.base_url}/tags/food")
    await expect(page.locator("article.h-entry")).to_have_count(2)
    await screenshot(page, "public-tag")
    await page.get_by_role("link", name="#garden").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("#garden")
    await expect(page.locator("article.h-entry")).to_have_count(1)
    await visit(page, f"{one.base_url}/tags/nothing_here")
    await expect(page.get_by_text("No public post has this hashtag yet.")).to_be_visible()
    await assert_accessible(page)


async def _hostile_peer_posts(instance: Instance, peer: Peer, title: str) -> None:
    """A followed peer account sends an offer and an event named ``title`` everywhere."""
    mallory = peer.actor("mallory")
    await follow(instance, "garden", mallory)
    offer = peer.note(
        mallory, f"<p>{title}</p>", purpose="offer", name=title,
        tag=[{"type": "Hashtag", "name": "#bikes", "href": f"{peer.base_url}/tags/bikes"}],
        location={"type": "Place", "name": title},
    )  # fmt: skip
    event = peer.note(
        mallory, f"<p>{title}</p>", type="Event", name=title,
        startTime="2030-04-10T18:00:00+02:00", endTime="2030-04-10T20:00:00+02:00",
        timezone="Europe/Berlin", location={"type": "Place", "name": title, "address": title},
    )  # fmt: skip
    for sent in (offer, event):
        answer = await peer.post(f"{instance.base_url}/groups/garden/inbox",
                                 peer.activity(mallory, "Create", sent))  # fmt: skip
        assert answer.status_code == 202, answer.text
    await settle(instance)


async def test_a_hostile_peers_offer_and_event_are_shown_as_text(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    # Given a followed account whose offer and event are markup, an override, 10,000 chars
    title = f"{SCRIPT} {RLO}gnp.exe " + "x" * 10_000
    garden = await add_group(instance, "garden")
    async with instance.ctx.sessions() as session:
        await offers.open_offer(
            session, instance.ctx, garden, "need", en("Bike lights"), skills=["bikes"]
        )
        await notes.publish_note(
            session, instance.ctx, garden, f"{SCRIPT} {RLO} #food " + "y" * 9_000
        )
        await session.commit()
    async with running_peer() as peer:
        await _hostile_peer_posts(instance, peer, title)
    group = f"{instance.base_url}/groups/garden"
    pages = {
        "board": group + "/board",
        "calendar": group + "/calendar?month=2030-04",
        "list": group + "/calendar?view=list",
        "tag": f"{instance.base_url}/tags/food",
    }
    for name, url in pages.items():
        # Then every page shows it as text, trimmed, its override kept in its own element
        await checked(page, url)
        shown = await page.locator("main").inner_text()
        assert SCRIPT[:40] in shown, name
        assert "x" * 501 not in shown, name  # names and places are cut short when received
        if name != "tag":
            assert "…" in shown, name  # and shorter where they are many
        assert await page.evaluate(LOOSE_OVERRIDES) == 0, name
        await screenshot(page, f"hostile-public-{name}", publish=False)
    await visit(page, pages["board"])
    need = page.locator("article.entry", has_text="Bike lights")
    await expect(need.locator("li a")).to_contain_text(SCRIPT)
