"""The group profile page and the domains page in a real browser: a form filled in and a
file chosen as a person would, axe-core on each page (its error state too), screenshots."""

from __future__ import annotations

from playwright.async_api import Page

from tests.admin.support import PASSWORD, add_account
from tests.admin.test_profile_pages import png
from tests.browser.support import Screenshots, assert_accessible
from tests.helpers import add_group
from tests.instances import Instance
from tests.peer import running_peer


async def sign_in(page: Page, instance: Instance, name: str) -> None:
    """Sign in through the login form."""
    await page.goto(f"{instance.base_url}/login")
    await page.fill("#username", name)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{instance.base_url}/admin/")


async def test_an_organizer_edits_the_profile_and_uploads_an_icon(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside", summary="Food *shares*")
    await add_account(instance, "ana", group, "organizer")
    await sign_in(page, instance, "ana")
    await page.click("text=Eastside")  # the group on the account's home page
    await page.click("nav >> text=Profile")
    assert await page.input_value("#display_name") == "Eastside"
    await assert_accessible(page)

    await page.set_input_files(
        "#icon", files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"plain text"}]
    )
    await page.fill("#coordinates", "40.41,-200")
    await page.click("text=Save the profile")
    assert "not an image in a format we accept" in await page.inner_text("#error-icon")
    assert "between -180 and 180" in await page.inner_text("#error-coordinates")
    assert await page.input_value("#coordinates") == "40.41,-200"  # what was typed is kept
    await assert_accessible(page)

    await page.fill("#display_name", "Eastside Mutual Aid")
    await page.fill("#field_name_1", "Meetings")
    await page.fill("#field_value_1", "Fridays 18:00 at the library")
    await page.check("input[name=posting][value=open]")
    await page.fill("#place", "Lavapiés, Madrid")
    await page.fill("#coordinates", "40.4089,-3.7008")
    await page.fill("#topics", "food, housing mutual_aid")
    await page.fill("#languages", "es en")
    await page.uncheck("input[name=discoverable]")
    await page.set_input_files(
        "#icon",
        files=[{"name": "leaf.png", "mimeType": "image/png", "buffer": png(96, (46, 125, 50))}],
    )
    await page.click("text=Save the profile")
    await page.wait_for_url("**/profile?saved=1")
    assert "Saved." in await page.inner_text("[role=status]")
    assert await page.input_value("#display_name") == "Eastside Mutual Aid"
    assert await page.input_value("#coordinates") == "40.41,-3.7"  # rounded to about 1 km
    assert await page.input_value("#topics") == "food housing mutual_aid"
    assert not await page.is_checked("input[name=discoverable]")
    loaded = await page.eval_on_selector("img.icon", "img => img.complete && img.naturalWidth")
    assert loaded == 96  # the page shows the icon, served from the group's public URL
    await assert_accessible(page)
    await screenshot(page, "admin-profile")


async def test_an_admin_manages_domains(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    await add_account(instance, "root", admin=True)
    await sign_in(page, instance, "root")
    await page.click("text=Domains")
    await assert_accessible(page)

    await page.fill("#block-domain", "spam.example")
    await page.fill("#block-reason", "spam waves since May")
    await page.check("input[name=public]")
    await page.click("text=Save the rule")
    await page.fill("#block-domain", "loud.example")
    await page.check("input[name=silence]")
    await page.click("text=Save the rule")
    await page.fill("#allow-domain", "friends.example")
    await page.click("text=Allow the domain")
    await page.fill("#allow-domain", "not a domain")
    await page.click("text=Allow the domain")
    assert "is not a domain name" in await page.inner_text("#allow-error")
    async with running_peer() as ally:
        await page.fill("#subscribe-url", f"{ally.base_url}/blocklist.csv")  # not there: 404
        await page.click("text=Follow the list")
    rules, lists = await page.locator("table").all_inner_texts()
    assert "spam.example" in rules and "limited: silenced" in rules
    assert "spam waves since May" in rules and "(published)" in rules
    assert "friends.example" in await page.inner_text("ul.domains")
    assert "/blocklist.csv" in lists and "Refused: " in lists
    await assert_accessible(page)
    await screenshot(page, "admin-domains")
