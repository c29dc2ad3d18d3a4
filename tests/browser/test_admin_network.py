"""The answers, board, queue and groups pages in a real browser: each reached by its link,
checked with axe-core, and their forms used by clicking.

Screenshots named ``admin-…`` illustrate the README's "For organizers" section.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import Page, expect

from accounts import roles
from accounts.accounts import get_account
from sharing import offers
from tests.admin.support import PASSWORD, add_account
from tests.admin.test_network_pages import answer_from_the_peer, en, linked, shared
from tests.admin.test_queue_pages import failed_rows
from tests.browser.support import Screenshots, assert_accessible
from tests.instances import settle
from tests.peer import running_peer


async def sign_in(page: Page, base_url: str, username: str) -> None:
    await page.goto(base_url + "/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def test_answers_board_queue_and_groups(
    make_instance: Any, page: Page, screenshot: Screenshots
) -> None:
    one, two, eastside, beta = await linked(make_instance)
    async with one.ctx.sessions() as session:
        await offers.open_offer(
            session, one.ctx, eastside, "need", en("Fix my bike before winter"),
            skills=["bikes"], area="Eastside", until=dt.date(2099, 1, 31),
        )  # fmt: skip
        await offers.open_offer(
            session, one.ctx, eastside, "offer", en("Ladder lending"), skills=["diy"]
        )
        await session.commit()
    async with two.ctx.sessions() as session:
        await offers.open_offer(
            session, two.ctx, beta, "offer", en("Bike repair on Saturdays"),
            skills=["bikes", "repair"], area="Eastside market",
        )  # fmt: skip
        await session.commit()
    uids = await shared(one, eastside)
    await settle(one, two)
    await add_account(one, "root", admin=True)
    async with one.ctx.sessions() as session:
        root = await get_account(session, "root")
        await roles.grant(session, root, eastside, "organizer", by="test")
        await session.commit()
    async with running_peer() as peer:
        await answer_from_the_peer(peer, one, uids)
        await sign_in(page, one.base_url, "root")

        # Answers: from the posts list, an event's attendees and replies
        await page.goto(one.base_url + "/admin/groups/eastside/posts")
        await page.get_by_role("link", name="Attendees and replies “Workshop”").click()
        heading = page.get_by_role("heading", level=1)
        await expect(heading).to_have_text("Answers to the event “Workshop”")
        going = page.locator("dl.numbers div", has_text="Going").first.locator("dd")
        await expect(going).to_have_text("2")
        await expect(page.get_by_text("Is there parking?")).to_be_visible()
        await assert_accessible(page)
        await screenshot(page, "admin-responses")
        await page.goto(one.base_url + "/admin/groups/eastside/posts")
        await page.get_by_role("link", name="Results “Which evening?”").click()
        await expect(page.get_by_role("row", name="Tuesday 2")).to_be_visible()
        await assert_accessible(page)
    await failed_rows(one)  # after the peer's answers: no worker runs from here on

    # Board: each need with the matching offers of the network, then filtered
    await page.get_by_role("link", name="Board", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Board of eastside")
    need = page.locator("article.entry", has_text="Fix my bike before winter")
    await expect(need.get_by_role("link", name="Bike repair on Saturdays")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "admin-board")
    await page.get_by_label("Skill").fill("diy")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_text("Ladder lending").first).to_be_visible()
    await expect(page.get_by_text("Fix my bike before winter")).to_have_count(0)

    # Queues: failed rows go back by clicking
    await page.get_by_role("link", name="Queues", exact=True).click()
    delivery = page.get_by_role("row", name="delivery")
    await expect(delivery.get_by_role("cell").nth(3)).to_have_text("1")
    await page.get_by_label("Also mark every unavailable server available").check()
    await page.get_by_role("button", name="Retry failed").click()
    await expect(page.get_by_role("status")).to_contain_text("1 inbox, 0 fan-out, 1 delivery")
    await expect(delivery.get_by_role("cell").nth(3)).to_have_text("0")
    await assert_accessible(page)
    await screenshot(page, "admin-queue")

    # Groups: a mistake is said next to the form, then a group is created
    await page.get_by_role("link", name="Groups", exact=True).click()
    await page.get_by_label("Name (the handle").fill("North Side")
    await page.get_by_label("Name shown to people").fill("Northside Mutual Aid")
    await page.get_by_role("button", name="Create the group").click()
    await expect(page.get_by_role("alert")).to_contain_text("invalid group name")
    await expect(page.get_by_label("Name shown to people")).to_have_value("Northside Mutual Aid")
    await assert_accessible(page)
    await page.get_by_label("Name (the handle").fill("northside")
    await page.get_by_label("Summary (Markdown)").fill("Tools and *time* for the north side.")
    await page.get_by_label("Whose posts the group shares").select_option("open")
    await page.get_by_label("Make me organizer of the new group").check()
    await page.get_by_role("button", name="Create the group").click()
    await expect(page.get_by_role("status")).to_contain_text("Group northside created")
    await expect(page.get_by_role("cell", name="Northside Mutual Aid")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "admin-groups")
    await page.get_by_role("link", name="Open its dashboard").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Northside Mutual Aid")
