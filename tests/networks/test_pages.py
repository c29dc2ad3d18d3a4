"""A network's public page lists its approved member groups: name, handle, link and
liaison contacts, each an h-card; groups still waiting are not shown, and a member's
name, whatever its server sends, is shown as escaped plain text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.admin.support import add_account
from tests.networks.support import region
from tests.peer import Peer, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def mastodon() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def page(url: str) -> str:
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    return answer.text


async def test_the_network_page_lists_approved_members_with_their_liaisons(
    make_instance: Any, mastodon: Peer, cli: Cli
) -> None:
    # Given a network approving by hand; eastside has a liaison, a remote group a hostile name
    world = await region(make_instance, mastodon, cli, "--manual-approval")
    await add_account(world.two, "li")
    await cli.ok(
        world.two, "account", "grant", "li", "eastside", "liaison", "--handle", "@li@x.example"
    )
    evil = mastodon.actor("evil", type="Group")
    evil.display_name = "<script>alert(1)</script>\u202eKrow Lacol"
    # When eastside, westside and evil ask to join, and only eastside and evil are approved
    await cli.ok(world.two, "network", "join", "eastside", world.network)
    await cli.ok(world.three, "network", "join", "westside", world.network)
    follow = mastodon.activity(evil, "Follow", world.network_id)
    assert (await mastodon.post(world.network_id + "/inbox", follow)).status_code == 202
    await world.settle()
    await world.on_one("network", "approve", "region", f"eastside@{world.two.host}")
    await world.on_one("network", "approve", "region", evil.id)
    await world.settle()

    # Then the network's page lists both members, each an h-card, and not westside
    shown = await page(world.network_id)
    members = shown.split('<section class="members"')[1].split("</section>")[0]
    assert "Member groups" in members
    assert members.count('class="h-card"') == 2
    assert f'@<bdi class="p-nickname">eastside@{world.two.host}</bdi>' in members
    assert "<bdi>@li@x.example</bdi>" in members
    assert f'href="{world.two.ctx.urls.group("eastside")}"' in members
    assert "westside" not in shown
    # And the hostile name is plain text: escaped, its direction override removed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Krow Lacol" in members
    assert "<script>" not in members and "\u202e" not in shown
    assert f'href="{evil.id}"' in members
    # And a group that is not a network has no members section
    assert "Member groups" not in await page(world.two.ctx.urls.group("eastside"))
