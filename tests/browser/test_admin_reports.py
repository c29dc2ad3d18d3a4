"""A report's page in a real browser: a moderator opens it from the list, assigns
themself, adds a note and resolves it; axe-core on each state; a hostile note stays text.

The screenshot ``admin-report`` illustrates the README's "Safety and trust" section.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect

from actors.groups import get_group
from moderation.reports import report_account
from tests.admin.support import add_account
from tests.browser.support import (
    Screenshots,
    assert_accessible,
    assert_fits_the_width,
    assert_no_script_ran,
)
from tests.browser.test_admin_moderation import sign_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer

GROUP = "/admin/groups/garden"


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        server.actor("alice")
        yield server


async def test_a_moderator_resolves_a_report_on_its_page(
    instance: Instance, peer: Peer, page: Page, screenshot: Screenshots
) -> None:
    garden = await add_group(instance, "garden")
    await add_account(instance, "mo", garden, "moderator")
    alice, spammer = peer.actors["alice"], peer.actor("spammer")
    async with instance.ctx.sessions() as session:
        await report_account(
            instance.ctx,
            session,
            await get_group(session, "garden"),
            spammer.id,
            reason="Adverts in replies to our members, every day this week.",
            notify=alice.id,
        )
        await session.commit()

    await sign_in(page, instance, "mo")
    await page.goto(instance.base_url + GROUP + "/reports")
    await page.get_by_role("link", name="#1").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Report #1")
    await expect(page.locator("main")).to_contain_text("Nobody yet")
    await assert_accessible(page)

    await page.get_by_label("A moderator of garden").select_option("mo")
    await page.get_by_role("button", name="Assign").click()
    await expect(page.get_by_role("status")).to_contain_text("the report is in mediation")
    await page.get_by_label("Note (seen only by").fill("Asked alice for the links.")
    await page.get_by_role("button", name="Add the note").click()
    await expect(page.locator("main")).to_contain_text("Asked alice for the links.")
    await page.get_by_label("Outcome, written for").fill("")
    await page.get_by_role("button", name="Resolve").click()
    # The browser's own check: an outcome is required.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Report #1")
    await page.get_by_label("Outcome, written for").fill("The account was limited here.")
    await screenshot(page, "admin-report")
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_role("status")).to_have_text("Report resolved.")
    await expect(page.locator("main")).to_contain_text("This report is closed")
    await assert_accessible(page)

    await page.get_by_role("link", name="All reports").click()
    await page.get_by_role("link", name="Resolved").click()
    row = page.get_by_role("row", name="#1 Resolved")
    await expect(row.get_by_role("cell").first).to_have_text("mo")
    await assert_accessible(page)
    await screenshot(page, "admin-reports")

    # A hostile note stays text, and a long one does not widen the page.
    await page.get_by_role("link", name="#1").click()
    hostile = "<img src=x onerror=window.pwned=1> " + "x" * 300
    await page.get_by_label("Note (seen only by").fill(hostile)
    await page.get_by_role("button", name="Add the note").click()
    await expect(page.locator("main")).to_contain_text("onerror=window.pwned=1")
    await assert_no_script_ran(page)
    await assert_fits_the_width(page)
    await settle(instance)
    told = [a["object"]["content"] for a in peer.inbox_activities("Create")]
    assert len(told) == 2 and "The account was limited here." in told[1]
