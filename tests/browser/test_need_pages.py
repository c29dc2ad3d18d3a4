"""A need followed through in a real browser: reached from the board, its forms used by
clicking, checked with axe-core; and the public board showing its urgency and progress.

Screenshots named ``admin-need`` and ``public-board-need`` illustrate the README.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.admin.support import add_account
from tests.admin.test_need_pages import _need
from tests.browser.support import Screenshots, assert_accessible
from tests.browser.test_admin_network import sign_in
from tests.helpers import add_group


async def test_a_need_is_followed_through_by_clicking(
    make_instance: Any, page: Page, screenshot: Screenshots
) -> None:
    instance = await make_instance()
    group = await add_group(instance, "eastside")
    await add_account(instance, "org", group, "organizer")
    await _need(instance)
    await sign_in(page, instance.base_url, "org")
    await page.goto(instance.base_url + "/admin/groups/eastside/board")
    await page.get_by_role("link", name="Follow it through").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Need “Food boxes”")
    await page.get_by_label("Fediverse account (user@server) or a person's name").fill("Maria")
    await page.get_by_label("They agreed to be thanked publicly").check()
    await page.get_by_role("button", name="Assign").click()
    await page.get_by_label("Quantity given").fill("12")
    await page.get_by_role("button", name="Record").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved")
    await expect(page.get_by_role("row", name="Maria assigned agreed")).to_be_visible()
    await expect(page.locator("dl.numbers")).to_contain_text("12 of 20")
    await assert_accessible(page)
    await screenshot(page, "admin-need")
    await page.goto(instance.base_url + "/groups/eastside/board")
    await expect(page.locator("article.entry")).to_contain_text("Urgent · ")
    await expect(page.locator("article.entry")).to_contain_text("12 of 20 given")
    await expect(page.get_by_text("Maria")).to_have_count(0)
    await assert_accessible(page)
    await screenshot(page, "public-board-need")
    await page.goto(instance.base_url + "/admin/groups/eastside/needs/1")
    await page.get_by_label("Partly fulfilled").check()
    await page.get_by_label("Thank the helpers who agreed").check()
    await page.get_by_role("button", name="Close", exact=True).click()
    await expect(page.locator("dl.numbers")).to_contain_text("Partly fulfilled")
