"""A needs survey in a real browser: an anonymous visitor answers it on its page, then an
organizer reads the results.

Screenshots ``public-survey`` and ``admin-survey-results`` illustrate the README's
"Needs surveys" part.
"""

from __future__ import annotations

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
from tests.sharing.network import Cli
from tests.sharing.test_surveys_flow import create_survey


async def test_a_visitor_answers_and_an_organizer_reads_the_results(
    instance: Instance, page: Page, screenshot: Screenshots, cli: Cli
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "ana", group, "organizer")
    survey_id, url = await create_survey(cli, instance, "eastside", "--anonymous")

    await visit(page, url)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Needs in March")
    await expect(page.get_by_text("It is anonymous")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "public-survey")

    # A required answer left out is named, and what was chosen stays chosen
    await page.get_by_label("Food").check()
    await page.get_by_label("3", exact=True).check()
    await page.get_by_label("Your answer").fill(f"Ideas {SCRIPT}")
    await page.get_by_role("button", name="Send my answers").click()
    await expect(page.get_by_role("alert")).to_have_text("question 2 needs an answer")
    await expect(page.get_by_label("Food")).to_be_checked()
    await assert_accessible(page)
    await page.set_viewport_size(PHONE)
    await assert_fits_the_width(page)
    await screenshot(page, "public-survey-error", publish=False)

    await page.get_by_label("Mon").check()
    await page.get_by_label("Sat").check()
    await page.get_by_role("button", name="Send my answers").click()
    await expect(page.get_by_role("status")).to_have_text("Thank you: your answers were counted.")
    await assert_accessible(page)

    # The organizer sees the counts and the free text, as text
    await page.set_viewport_size({"width": 1200, "height": 900})
    await visit(page, f"{instance.base_url}/login")
    await page.get_by_label("Username").fill("ana")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await visit(page, f"{instance.base_url}/admin/groups/eastside/survey?id={survey_id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Results of the survey “Needs in March”"
    )
    food = page.get_by_role("row", name="Food")
    await expect(food).to_have_text("Food101")
    await expect(page.get_by_role("listitem").filter(has_text="Ideas")).to_be_visible()
    await assert_no_script_ran(page)
    await assert_accessible(page)
    await screenshot(page, "admin-survey-results")


async def test_a_survey_that_opens_later_says_when(
    instance: Instance, page: Page, screenshot: Screenshots, cli: Cli
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "ana", group, "organizer")
    _id, url = await create_survey(cli, instance, "eastside", "--opens", "2098-06-01 10:00")

    await visit(page, url)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Needs in March")
    await expect(page.get_by_role("status")).to_have_text(
        "This survey opens 2098-06-01 10:00 UTC: answers are taken from then on."
    )
    await expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    await assert_accessible(page)
    await page.set_viewport_size(PHONE)
    await assert_fits_the_width(page)
    await screenshot(page, "public-survey-waiting", publish=False)

    # The organizers' list says when it opens; the form takes an opening time
    await page.set_viewport_size({"width": 1200, "height": 900})
    await visit(page, f"{instance.base_url}/login")
    await page.get_by_label("Username").fill("ana")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await visit(page, f"{instance.base_url}/admin/groups/eastside/surveys")
    await expect(page.get_by_role("row", name="Needs in March")).to_contain_text(
        "opens 2098-06-01 10:00 UTC"
    )
    await expect(page.get_by_label("Opens at (optional)")).to_have_attribute(
        "type", "datetime-local"
    )
    await assert_accessible(page)
    await screenshot(page, "admin-surveys-waiting", publish=False)
