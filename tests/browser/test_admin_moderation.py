"""The moderators' pages in a real browser: each one shown, axe-core, and approving a
follow request by clicking its button.

Screenshots named ``admin-…`` illustrate the README's "For organizers" section.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect

from actors.groups import get_group
from moderation.blocks import block_account
from moderation.reports import report_account
from tests.admin.support import PASSWORD, add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.forum.support import forum_group, join, mastodon_post
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer
from tests.sink import add_follower

GROUP = "/admin/groups/garden"


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def a_busy_group(instance: Instance, peer: Peer) -> None:
    """garden, needing approval: a follower with a post waiting and a message, a follow
    request, a blocked account, a report; and its moderator mo."""
    group_id = await forum_group(instance, posting="approval")
    ana, ben = peer.actor("ana"), peer.actor("ben")
    await join(instance, peer, ana, group_id)
    for text, direct in (
        ("Seed swap at the shed on **Saturday**: bring what you have!", False),
        ("Is the shed open on Monday? I left my gloves there.", True),
    ):
        create = mastodon_post(peer, ana, group_id, "garden", text, direct=direct)
        assert (await peer.post(group_id + "/inbox", create)).status_code == 202
    await settle(instance)
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "garden")
        spammer = peer.actor("spammer").id
        await block_account(instance.ctx, session, group, spammer, None)
        await report_account(instance.ctx, session, group, spammer, reason="Adverts in replies")
        await session.commit()
    await add_follower(instance, group, ben.id, accepted=False)
    await add_account(instance, "mo", group, "moderator")


async def sign_in(page: Page, instance: Instance, username: str) -> None:
    await page.goto(instance.base_url + "/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("link", name=f"Signed in as {username}")).to_be_visible()


async def test_a_moderator_sees_each_page_and_approves_a_request(
    instance: Instance, peer: Peer, page: Page, screenshot: Screenshots
) -> None:
    await a_busy_group(instance, peer)
    await sign_in(page, instance, "mo")
    await page.goto(instance.base_url + GROUP + "/")
    host = peer.base_url.removeprefix("http://")
    nav = page.get_by_role("navigation", name="garden")
    for link, name, heading, shown in (
        ("Posts waiting", "submissions", "Members' posts waiting", "Seed swap at the shed"),
        ("Messages", "messages", "Messages to garden", "Is the shed open on Monday?"),
        ("Reports", "reports", "Reports", "Adverts in replies"),
        ("Followers", "followers", "Followers of garden", f"ana@{host}"),
    ):
        await nav.get_by_role("link", name=link).click()
        await expect(page).to_have_url(f"{instance.base_url}{GROUP}/{name}")
        await expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        await expect(page.locator("main")).to_contain_text(shown)
        await assert_accessible(page)
        await screenshot(page, f"admin-{name}")

    # Approving ben's request with its button
    await page.get_by_role("button", name=f"Approve ben@{host}").click()
    await expect(page.get_by_role("status")).to_contain_text("Request approved")
    await expect(page.get_by_text("No follow requests waiting.")).to_be_visible()
    followers = page.get_by_role("table", name="2 account(s) following garden")
    await expect(followers).to_contain_text(f"ben@{host}")
    await assert_accessible(page)
    await settle(instance)
    accepts = [a for a in peer.inbox_activities("Accept") if a["object"]["actor"].endswith("/ben")]
    assert len(accepts) == 1
