"""A hostile peer's name and posts on the moderators' pages: shown as text, kept in the column.

Mallory's server names her with markup, a right-to-left override and 10,000 characters;
she asks to follow, posts through the group and writes to it. Every page a moderator
opens must show that as text: no script runs, nothing widens the page, axe-core passes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page

from tests.admin.support import PASSWORD, add_account
from tests.browser.support import (
    Screenshots,
    assert_accessible,
    assert_fits_the_width,
    assert_no_script_ran,
    visit,
)
from tests.browser.test_public_pages import RLO, SCRIPT, HostileActor
from tests.forum.support import mastodon_post
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer

PAGES = ("", "followers", "submissions", "messages", "reports")


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def test_a_hostile_member_is_shown_as_text_to_moderators(
    instance: Instance, peer: Peer, page: Page, screenshot: Screenshots
) -> None:
    # Given a group whose moderators approve posts, and Mallory
    group = await add_group(instance, "garden", posting="approval")
    group_id = instance.ctx.urls.group(group.uid)
    await add_account(instance, "mod", group, "moderator")
    username = f"{SCRIPT}{RLO}gnp.exe" + "z" * 10_000
    tame = peer.actor("mallory")
    peer.actors["mallory"] = mallory = HostileActor(**vars(tame), username=username)
    long_text = f"{SCRIPT} {RLO}exe.txt " + "y" * 10_000

    # When she follows, posts through the group and writes to it directly
    follow = peer.activity(mallory, "Follow", group_id)
    assert (await peer.post(group_id + "/inbox", follow)).status_code == 202
    for post in (
        mastodon_post(peer, mallory, group_id, "garden", long_text),
        mastodon_post(peer, mallory, group_id, "garden", f"Psst {SCRIPT}", direct=True),
    ):
        assert (await peer.post(group_id + "/inbox", post)).status_code == 202
    await settle(instance)

    # Then every moderator page shows it as text
    await page.goto(instance.base_url + "/login")
    await page.get_by_label("Username").fill("mod")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    shown: dict[str, str] = {}
    for name in PAGES:
        await visit(page, f"{instance.base_url}/admin/groups/garden/{name}")
        await assert_no_script_ran(page)
        await assert_fits_the_width(page)
        await assert_accessible(page)
        shown[name] = await page.locator("main").inner_text()
        await screenshot(page, f"hostile-admin-{name or 'dashboard'}", publish=False)
    assert "<script>window.pwned = 1</script>" in shown["followers"]  # her name, as text
    assert RLO not in shown["followers"]  # names lose the override
    assert "yyyyyyyyyy" in shown["submissions"]  # the post waits, sanitized
    assert "Psst" in shown["messages"]
