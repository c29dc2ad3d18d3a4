"""The organizers' way in, in a real browser: invitation, sign-in, dashboard, team, account.

Screenshots named ``admin-…`` illustrate the README's "For organizers" section.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from accounts import links
from tests.admin.support import PASSWORD, add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.helpers import add_group
from tests.instances import Instance
from tests.sink import Sink, add_follower


async def sign_in(page: Page, instance: Instance, username: str, password: str = PASSWORD) -> None:
    await page.goto(instance.base_url + "/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_an_invited_person_joins_and_finds_the_dashboard(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    # Given a group with followers, and an invitation as editor
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    async with Sink() as sink:
        for name in ("ana", "ben", "cleo"):
            await add_follower(instance, group, sink.add_actor(name))
        await add_follower(instance, group, sink.add_actor("dan"), accepted=False)
    async with instance.ctx.sessions() as session:
        token = await links.invite(session, group, "editor", by="ana")
        await session.commit()

    # When the new person opens it and chooses a username and a password
    await page.goto(f"{instance.base_url}/invite/{token}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Join Eastside Mutual Aid")
    await assert_accessible(page)
    await screenshot(page, "admin-invite")
    await page.get_by_label("Username").fill("maria")
    await page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    await page.get_by_label("The same password again").fill("not the same one")
    await page.get_by_role("button", name="Create my account").click()
    # A mistake is said next to the form, what was typed kept
    await expect(page.get_by_role("alert")).to_have_text("The two passwords differ.")
    await expect(page.get_by_label("Username")).to_have_value("maria")
    await assert_accessible(page)
    await page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    await page.get_by_label("The same password again").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()

    # Then they are signed in, on the group's dashboard
    await expect(page).to_have_url(f"{instance.base_url}/admin/groups/eastside/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Eastside Mutual Aid")
    followers = page.locator("dl.numbers div", has_text="Followers").locator("dd")
    await expect(followers).to_have_text("3")
    requests = page.locator("dl.numbers div", has_text="Follow requests waiting").locator("dd")
    await expect(requests).to_have_text("1")
    await assert_accessible(page)
    await screenshot(page, "admin-dashboard")

    # And signing out ends it
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{instance.base_url}/login")
    await page.goto(instance.base_url + "/admin/")
    await expect(page).to_have_url(f"{instance.base_url}/login?next=/admin/")


async def test_sign_in_with_a_wrong_password_then_the_right_one(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "ana", group, "organizer")

    await page.goto(instance.base_url + "/login")
    await assert_accessible(page)
    await screenshot(page, "admin-login")
    await sign_in(page, instance, "ana", "not my password")
    await expect(page.get_by_role("alert")).to_have_text("wrong username or password")
    await expect(page.get_by_label("Username")).to_have_value("ana")
    await assert_accessible(page)

    await sign_in(page, instance, "ana")
    await expect(page).to_have_url(f"{instance.base_url}/admin/")
    await expect(page.get_by_role("link", name="Eastside Mutual Aid")).to_be_visible()
    await assert_accessible(page)


async def test_an_organizer_gives_a_role_and_reads_the_log(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "ana", group, "organizer")
    await add_account(instance, "bea")
    await sign_in(page, instance, "ana")

    await page.goto(instance.base_url + "/admin/groups/eastside/team")
    await page.get_by_label("Username").fill("bea")
    await page.get_by_label("Role", exact=True).first.select_option("moderator")
    await page.get_by_role("button", name="Give the role").click()
    await expect(page.get_by_role("cell", name="bea", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Make an invitation link").click()
    await expect(page.get_by_role("status")).to_contain_text("/invite/")
    await assert_accessible(page)
    await screenshot(page, "admin-team")

    await page.get_by_role("link", name="Log").click()
    await expect(page.get_by_role("cell", name="moderator to bea")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "admin-log")


async def test_the_account_page_lists_sessions_and_sets_up_two_step_sign_in(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    await add_account(instance, "ana")
    await sign_in(page, instance, "ana")

    await page.goto(instance.base_url + "/admin/account")
    await expect(page).to_have_title("Your account · Mutuals")
    await expect(page.get_by_text("(this one)")).to_be_visible()
    # The language of the pages: chosen here, then the page is in Spanish
    await page.get_by_label("Language of these pages").select_option("es")
    await page.get_by_role("button", name="Save").click()
    await expect(page).to_have_title("Tu cuenta · Mutuals")
    await page.get_by_label("Idioma de estas páginas").select_option("")
    await page.get_by_role("button", name="Guardar").click()
    await expect(page).to_have_title("Your account · Mutuals")
    await page.get_by_role("button", name="Set up two-step sign-in").click()
    await expect(page.locator("code.secret")).to_have_text(re.compile("[A-Z2-7]{32}"))
    await assert_accessible(page)
    await screenshot(page, "admin-account")
