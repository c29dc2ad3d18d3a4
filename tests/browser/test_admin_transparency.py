"""The transparency report in a real browser: an organizer drafts November, changes the
text and publishes it; the group's public transparency page lists it; axe-core on each
page, screenshots."""

from __future__ import annotations

from playwright.async_api import Page

from tests.admin.support import add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.browser.test_admin_profile import sign_in
from tests.helpers import add_group
from tests.instances import Instance


async def test_an_organizer_publishes_a_monthly_report(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside")
    await add_account(instance, "ana", group, "organizer")
    await sign_in(page, instance, "ana")
    await page.goto(f"{instance.base_url}/admin/groups/eastside/")
    await page.click("nav >> text=Transparency")
    await page.fill("#draft-month", "2026-13")
    await page.click("text=Draft the report")
    assert "is not a month" in await page.inner_text("#form-error")
    await assert_accessible(page)

    await page.fill("#draft-month", "2026-11")
    await page.click("text=Draft the report")
    assert "Needs: 0 opened" in await page.inner_text("ul.figures")
    await page.fill("#report-text", "We cooked **soup** every Friday in November.")
    await page.click("button[value=save]")
    assert "The draft is saved." in await page.inner_text("[role=status]")
    await assert_accessible(page)
    await screenshot(page, "admin-transparency")
    await page.click("button[value=publish]")
    assert "The report is published" in await page.inner_text("[role=status]")

    await page.goto(f"{instance.base_url}/groups/{group.uid}")
    await page.click("text=Monthly transparency reports")
    await page.click("text=Eastside: transparency report, November 2026")
    assert "soup" in await page.inner_text("article")
    await page.go_back()
    assert "Needs: 0 opened" in await page.inner_text("ul.reports")
    await assert_accessible(page)
    await screenshot(page, "public-transparency")
