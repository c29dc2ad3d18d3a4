"""Writing as the group in a real browser: typing, previewing, publishing, the posts list.

Screenshots ``admin-compose`` (a post with its preview) and ``admin-posts`` illustrate
the README's "For organizers" section.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect
from sqlalchemy import select

from posts.models import Post
from tests.admin.support import PASSWORD, add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.helpers import add_group
from tests.instances import Instance

BASE = "/admin/groups/eastside"


async def sign_in(page: Page, instance: Instance, username: str) -> None:
    await page.goto(instance.base_url + "/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(instance.base_url + "/admin/")
    await page.get_by_role("link", name="Eastside Mutual Aid").click()
    await expect(page).to_have_url(instance.base_url + "/admin/groups/eastside/")


async def test_an_editor_writes_previews_and_publishes_a_post(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "maria", group, "editor")
    await sign_in(page, instance, "maria")
    await page.get_by_role("link", name="Write").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Write a post as Eastside Mutual Aid"
    )
    await assert_accessible(page)

    # Typing Markdown, then Preview: the rendered text shows, nothing is published
    text = page.get_by_label("Text", exact=True)
    await text.click()
    await page.keyboard.type("Soup kitchen on **Saturday** at the community hall. #food")
    await page.get_by_label("Followers only").check()
    # The same text in Spanish, in the first "Other languages" row
    spanish = page.get_by_role("group", name="Translation 1")
    await spanish.get_by_label("Language tag").fill("es")
    await spanish.get_by_label("Text in that language").fill("Comedor el **sábado**. #food")
    await page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    await expect(preview.locator("strong")).to_have_text(["Saturday", "sábado"])
    await expect(preview.get_by_role("heading", name="In es")).to_be_visible()
    await expect(spanish.get_by_label("Text in that language")).to_have_value(
        "Comedor el **sábado**. #food"
    )
    await expect(text).to_have_value("Soup kitchen on **Saturday** at the community hall. #food")
    await expect(page.get_by_label("Followers only")).to_be_checked()
    async with instance.ctx.sessions() as session:
        assert (await session.scalars(select(Post))).all() == []
    await assert_accessible(page)
    await screenshot(page, "admin-compose")

    # Publish: the posts page lists it
    await page.get_by_role("button", name="Publish").click()
    await expect(page).to_have_url(re.compile(re.escape(f"{instance.base_url}{BASE}/posts?sent=")))
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")
    async with instance.ctx.sessions() as session:
        post = (await session.scalars(select(Post))).one()
    assert post.visibility == "followers"
    assert "<strong>Saturday</strong>" in post.document["content"]
    assert "<strong>sábado</strong>" in post.document["contentMap"]["es"]


async def test_every_compose_page_and_the_posts_list(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "maria", group, "organizer")
    await sign_in(page, instance, "maria")
    url = instance.base_url + BASE

    await page.goto(url + "/compose/offer")
    await assert_accessible(page)
    await screenshot(page, "admin-compose-offer")
    await page.get_by_label("Title", exact=True).fill("Bike repair on Saturdays")
    await page.get_by_label("Skills (optional)").fill("bike_repair, tools")
    await page.get_by_label("Area (optional)").fill("Eastside")
    await page.get_by_role("button", name="Publish the offer").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    await page.goto(url + "/compose/need")
    await assert_accessible(page)
    await page.get_by_label("Title", exact=True).fill("A ladder for a weekend")
    await page.get_by_role("button", name="Publish the need").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    await page.goto(url + "/compose/event")
    await assert_accessible(page)
    # (The fields with suggestions first: their open list would take the button's click)
    await page.get_by_label("Time zone").fill("Europe/Berlin")
    await page.get_by_label("Repeats (optional)").fill("monthly")
    await page.get_by_label("Title", exact=True).fill("Repair café")
    await page.get_by_label("Starts").fill("2031-03-01T14:00")
    await page.get_by_label("Ends (optional)").fill("2031-03-01T17:00")
    await page.get_by_label("Place (or an online link below)").fill("Community hall, 12 Main St")
    await screenshot(page, "admin-compose-event")
    await page.get_by_role("button", name="Publish the event").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    # A mistake comes back next to the form, with what was typed
    await page.goto(url + "/compose/poll")
    await assert_accessible(page)
    await page.get_by_label("Question", exact=True).fill("Which day suits the work party?")
    await page.get_by_label("Options", exact=True).fill("Saturday")
    await page.get_by_role("button", name="Publish the poll").click()
    await expect(page.get_by_role("alert")).to_have_text("a poll needs 2 to 20 options; 1 given")
    await expect(page.get_by_label("Question", exact=True)).to_have_value(
        "Which day suits the work party?"
    )
    await assert_accessible(page)
    await page.get_by_label("Options", exact=True).fill("Saturday\nSunday")
    await page.get_by_label("Voters may pick several options").check()
    await screenshot(page, "admin-compose-poll")
    await page.get_by_role("button", name="Publish the poll").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    # The list: each thing with its actions
    main = page.locator("main")
    for shown in ("Bike repair on Saturdays", "A ladder", "Repair café", "Saturday: 0"):
        await expect(main).to_contain_text(shown)
    await assert_accessible(page)
    await screenshot(page, "admin-posts")
    await page.get_by_role("button", name="Fulfilled “Bike repair on Saturdays”").click()
    row = page.get_by_role("row", name="Bike repair on Saturdays")
    await expect(row).to_contain_text("fulfilled")
    await page.get_by_role("link", name="Change “Repair café”").click()
    await expect(page.get_by_label("Title", exact=True)).to_have_value("Repair café")
    await expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    await assert_accessible(page)
