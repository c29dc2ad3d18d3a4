"""Volunteering in a real browser: the public form, the volunteers page, the organizers' page.

Screenshots ``public-volunteer``, ``public-volunteers`` and ``admin-volunteers``
illustrate the README's "Volunteers, mentors and recognition" part.
"""

from __future__ import annotations

from typing import Any

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


async def test_a_visitor_volunteers_and_asks_to_be_listed(
    instance: Instance, page: Page, screenshot: Screenshots, cli: Any
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await cli.ok(instance, "volunteers", "role", "eastside", "mentor", "--criteria", "kind")
    await cli.ok(instance, "volunteer", "add", "eastside", "Ana", "--skill", "cooking", "--listed")
    await cli.ok(instance, "volunteer", "grant", "eastside", "Ana", "mentor")
    group_url = f"{instance.base_url}/groups/{group.uid}"
    await visit(page, f"{group_url}/volunteer")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Volunteer with Eastside Mutual Aid"
    )
    await assert_accessible(page)
    await screenshot(page, "public-volunteer")
    # A mistake is said above the form, what was typed kept.
    await page.get_by_label("Your name").fill(f"Mallory {SCRIPT}")
    await page.get_by_label("Your skills, separated by commas").fill("first aid!")
    await page.get_by_role("button", name="Volunteer").click()
    await expect(page.get_by_role("alert")).to_contain_text("must be one word of letters")
    await expect(page.get_by_label("Your skills, separated by commas")).to_have_value("first aid!")
    await assert_no_script_ran(page)
    await assert_accessible(page)
    # A fediverse handle is refused: only a reply from the account proves it.
    await page.get_by_label("Your name").fill("@ana@social.example")
    await page.get_by_label("Your skills, separated by commas").fill("cooking")
    await page.get_by_role("button", name="Volunteer").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "this form cannot register a fediverse account"
    )
    await expect(page.get_by_label("Your name")).to_have_value("@ana@social.example")
    await assert_accessible(page)
    # Then a good form, asking to be listed.
    await page.get_by_label("Your name").fill("Cleo")
    await page.get_by_label("Your skills, separated by commas").fill("first aid, driving")
    await page.get_by_label("When you can help (organizers only)").fill("Sunday mornings")
    await page.get_by_label("Where you can help (organizers only)").fill("Old Town")
    await page.get_by_label(
        "Ask to be listed on the volunteers page (name, skills and badges, once the "
        "organizers approve)"
    ).check()
    await page.get_by_role("button", name="Volunteer").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Thank you, Cleo! We recorded your skills: first_aid, driving."
    )
    await expect(page.get_by_role("status")).to_contain_text(
        "the organizers will check your entry before"
    )
    await assert_accessible(page)
    # The public page waits for the organizers: Cleo is not on it yet.
    await page.get_by_role("link", name="The volunteers of Eastside Mutual Aid").click()
    await expect(page.get_by_role("listitem")).to_have_count(1)
    await expect(page.get_by_role("listitem").first).to_contain_text("Ana mentor")
    await expect(page.locator("main")).not_to_contain_text("Cleo")
    await expect(page.locator("main")).not_to_contain_text("Sunday mornings")
    await expect(page.locator("main")).not_to_contain_text("Old Town")
    await assert_accessible(page)
    await screenshot(page, "public-volunteers")
    await page.set_viewport_size(PHONE)
    await assert_fits_the_width(page)


async def test_an_organizer_approves_a_listing_and_searches_the_inventory(
    instance: Instance, page: Page, screenshot: Screenshots, cli: Any
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "olga", group, "organizer")
    await cli.ok(instance, "need", "eastside", "Soup for Friday", "--skill", "cooking")
    await cli.ok(
        instance, "volunteer", "add", "eastside", "Ana", "--skill", "cooking",
        "--availability", "weekday evenings", "--area", "Riverside", "--listed",
    )  # fmt: skip
    await cli.ok(instance, "volunteer", "add", "eastside", "Ben", "--skill", "driving")
    # Cleo asks to be listed on the public form.
    await visit(page, f"{instance.base_url}/groups/{group.uid}/volunteer")
    await page.get_by_label("Your name").fill("Cleo")
    await page.get_by_label("Your skills, separated by commas").fill("cooking")
    await page.get_by_role("checkbox").check()
    await page.get_by_role("button", name="Volunteer").click()
    await expect(page.get_by_role("status")).to_contain_text("Thank you, Cleo!")
    await visit(page, f"{instance.base_url}/login")
    await page.get_by_label("Username").fill("olga")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{instance.base_url}/admin/")
    await visit(page, f"{instance.base_url}/admin/groups/eastside/")
    await page.get_by_role("link", name="Volunteers", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Volunteers of Eastside Mutual Aid"
    )
    await expect(page.get_by_role("heading", name="Asked to be listed")).to_be_visible()
    await expect(page.get_by_role("row")).to_have_count(4)
    await assert_accessible(page)
    await screenshot(page, "admin-volunteers")
    await page.get_by_role("button", name="List Cleo", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Listed on the public volunteers page.")
    await expect(page.get_by_role("heading", name="Asked to be listed")).to_have_count(0)
    await expect(page.get_by_role("button", name="Unlist Cleo")).to_be_visible()
    await page.get_by_label("Skill").first.fill("cooking")
    await page.get_by_role("button", name="Search").click()
    await expect(page.get_by_role("row")).to_have_count(3)
    await expect(page.locator("table")).to_contain_text("weekday evenings")
    await expect(page.locator("article")).to_contain_text("Matching volunteers: Ana, Cleo")
    await assert_accessible(page)
    await visit(page, f"{instance.base_url}/groups/{group.uid}/volunteers")
    await expect(page.get_by_role("listitem")).to_have_count(2)
    await expect(page.get_by_role("listitem").last).to_contain_text("Cleo")
