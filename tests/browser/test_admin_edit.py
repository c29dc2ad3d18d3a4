"""A content warning and changing a post, in a real browser: the compose page's warning
field and preview, the Edit link on the posts page, the edit form and its errors.

Screenshots ``admin-compose-cw`` (a preview behind its warning) and ``admin-edit``.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect
from sqlalchemy import select

from posts.models import Post
from tests.admin.support import add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.browser.test_admin_compose import BASE, sign_in
from tests.helpers import add_group
from tests.instances import Instance


async def test_an_editor_warns_previews_and_edits_a_post(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "maria", group, "editor")
    await sign_in(page, instance, "maria")
    url = instance.base_url + BASE

    # Compose with a warning: the preview shows the warning, the text behind it
    await page.get_by_role("link", name="Write").click()
    await page.get_by_label("Text", exact=True).fill(
        "Two families on Elm St were **evicted** today."
    )
    await page.get_by_label("Content warning (optional)").fill("Eviction news")
    await page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    behind = preview.locator("strong")
    await expect(behind).to_be_hidden()
    await preview.get_by_text("Eviction news").click()
    await expect(behind).to_have_text("evicted")
    await expect(page.get_by_label("Content warning (optional)")).to_have_value("Eviction news")
    await assert_accessible(page)
    await screenshot(page, "admin-compose-cw")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    # The posts page: Edit opens the form filled in
    await page.get_by_role("link", name=re.compile(r"^Edit “Two families")).click()
    await expect(page).to_have_url(re.compile(re.escape(url + "/edit?post=")))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change a post of Eastside Mutual Aid"
    )
    text = page.get_by_label("Text", exact=True)
    warning = page.get_by_label("Content warning (optional)")
    await expect(text).to_have_value("Two families on Elm St were **evicted** today.")
    await expect(warning).to_have_value("Eviction news")
    await assert_accessible(page)
    await screenshot(page, "admin-edit")

    # A warning too long comes back next to the form, with what was typed
    await text.fill("Three families on Elm St were evicted; a meeting at 6.")
    await warning.fill("w" * 501)
    await page.get_by_role("button", name="Save and send").click()
    await expect(page.get_by_role("alert")).to_contain_text("the content warning is too long")
    await expect(text).to_have_value("Three families on Elm St were evicted; a meeting at 6.")
    await assert_accessible(page)

    await warning.fill("Eviction news, updated")
    await page.get_by_role("button", name="Save and send").click()
    await expect(page).to_have_url(re.compile(re.escape(url + "/posts?sent=")))
    await expect(page.get_by_role("link", name=re.compile("^Three families"))).to_be_visible()
    async with instance.ctx.sessions() as session:
        post = (await session.scalars(select(Post))).one()
    assert post.document["summary"] == "Eviction news, updated"
    assert "a meeting at 6" in post.document["content"]

    # Without a post, the page says where to choose one
    await page.goto(url + "/edit")
    await expect(page.get_by_text("Choose a post to change on the")).to_be_visible()
    await assert_accessible(page)
