"""Following from one's own server, in a real browser: the ``/interact`` form and the
``/authorize_interaction`` page other sites send people to.

Screenshots ``public-interact`` and ``public-authorize`` illustrate the README's
"Members" part.
"""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, expect

from tests.admin.support import PASSWORD, add_account
from tests.browser.support import (
    PHONE,
    SCRIPT,
    Screenshots,
    assert_accessible,
    assert_fits_the_width,
    assert_no_script_ran,
    visit,
)
from tests.helpers import add_group
from tests.instances import Instance
from tests.sink import Sink
from tests.web.home_server import HomeServer

RLO = "\u202e"


async def test_a_visitor_follows_from_their_own_server(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    actor = f"{instance.base_url}/groups/eastside"
    async with HomeServer("mastodon") as home:
        await visit(page, f"{instance.base_url}/interact?uri={quote(actor, safe='')}")
        heading = page.get_by_role("heading", level=1)
        await expect(heading).to_have_text("Follow Eastside Mutual Aid from your own server")
        await assert_accessible(page)
        await screenshot(page, "public-interact")

        # A mistake is said next to the field, what was typed kept
        field = page.get_by_label("Your fediverse handle")
        await field.fill("eastside at home")
        await page.get_by_role("button", name="Go to my server").click()
        await expect(page.get_by_role("alert")).to_contain_text("Write your handle as")
        await expect(field).to_have_value("eastside at home")
        await expect(field).to_have_attribute("aria-invalid", "true")
        await assert_accessible(page)
        await page.set_viewport_size(PHONE)
        await assert_fits_the_width(page)
        await screenshot(page, "public-interact-error", publish=False)

        # One click with the right handle lands on their server's follow page
        await field.fill(home.handle)
        await page.get_by_role("button", name="Go to my server").click()
        await expect(page).to_have_url(
            f"{home.base}/authorize_interaction?uri={quote(actor, safe='')}"
        )


async def test_a_liaison_sent_here_signs_in_and_follows(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    east = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "lia", east, "liaison")
    async with Sink() as sink:
        remote = sink.add_actor("riverside")
        await visit(page, f"{instance.base_url}/authorize_interaction?uri={quote(remote, safe='')}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Follow from a group here")
        await assert_accessible(page)
        await screenshot(page, "public-authorize-sign-in", publish=False)

        await page.get_by_role("link", name="Sign in to follow from your group").click()
        await page.get_by_label("Username").fill("lia")
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()

        # Back on the page, signed in: which group follows
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Follow from one of your groups"
        )
        await expect(page.get_by_label("Handle or address of a group or account")).to_have_value(
            remote
        )
        await expect(page.get_by_role("radio", name="Eastside Mutual Aid")).to_be_checked()
        await assert_accessible(page)
        await page.set_viewport_size(PHONE)
        await assert_fits_the_width(page)
        await screenshot(page, "public-authorize")
        await page.get_by_role("button", name="Follow", exact=True).click()

        await expect(page).to_have_url(
            f"{instance.base_url}/admin/groups/eastside/following?done=follow"
        )
        await expect(page.get_by_role("status")).to_contain_text("Asked to follow")
        await expect(page.get_by_role("cell", name="waiting for their answer")).to_be_visible()
        await assert_accessible(page)


async def test_hostile_input_is_shown_as_text(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    await add_group(instance, "eastside", display_name=f"{SCRIPT}{RLO}gnp.exe")
    actor = f"{instance.base_url}/groups/eastside"
    hostile = f"{SCRIPT}{RLO}" + "x" * 10_000
    await page.set_viewport_size(PHONE)
    query = f"uri={quote(actor, safe='')}&handle={quote(hostile, safe='')}"
    answer = await page.goto(f"{instance.base_url}/interact?{query}")
    assert answer is not None and answer.status == 400
    await expect(page.get_by_label("Your fediverse handle")).to_have_value(hostile)
    assert SCRIPT in await page.get_by_role("heading", level=1).inner_text()
    await assert_no_script_ran(page)
    await assert_fits_the_width(page)
    await assert_accessible(page)
    await screenshot(page, "hostile-interact", publish=False)

    await visit(page, f"{instance.base_url}/authorize_interaction?uri={quote(hostile, safe='')}")
    assert hostile in await page.locator("main code").inner_text()
    await assert_no_script_ran(page)
    await assert_fits_the_width(page)
    await assert_accessible(page)
    await screenshot(page, "hostile-authorize", publish=False)
