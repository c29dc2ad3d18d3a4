"""The directory in a real browser: the drawing of the points and the list, checked with
axe-core at a desktop's and a phone's width, filtered by filling in the form."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.browser.support import Screenshots, assert_accessible
from tests.browser.test_public_network_pages import checked
from tests.sharing.network import Cli
from tests.web.test_directory import MADRID, _neighbours


async def test_the_directory_draws_and_lists_the_groups(
    make_instance: Any, cli: Cli, page: Page, screenshot: Screenshots
) -> None:
    one, two = await _neighbours(make_instance, cli)
    await checked(page, f"{one.base_url}/directory")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Directory of groups")
    # Each point of the drawing is a link to its group, named by the group
    drawing = page.locator("figure.map svg")
    await expect(drawing.locator("circle")).to_have_count(3)
    await expect(drawing.get_by_role("link", name="Beta")).to_have_attribute(
        "href", f"{two.base_url}/groups/beta"
    )
    await expect(page.locator("li.h-card")).to_have_count(3)
    await screenshot(page, "public-directory", publish=False)

    # Filtering near Madrid within 100 km leaves Barcelona out
    await page.get_by_label("Near (latitude, longitude)").fill(MADRID)
    await page.get_by_label("Within (km)").fill("100")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator("li.h-card")).to_have_count(2)
    await expect(page.get_by_text("68.0 km away")).to_be_visible()
    await checked(page, page.url)

    # A filter that is not a distance is refused with the reason, next to the form
    await page.get_by_label("Within (km)").fill("far")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_role("alert")).to_contain_text("the distance must be a number")
    await expect(page.get_by_label("Within (km)")).to_have_value("far")
    await assert_accessible(page)
