"""The instance admin's Domains page: blocks and limits with their reasons, the
allowlist, and the allies' blocklists followed, each as its ``mutuals domain`` command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from moderation.models import DomainAllow, DomainBlock, DomainRuleNote
from tests.admin.support import add_account, count, log, post_form, signed_in
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.inbox.support import inbox_url
from tests.instances import Instance
from tests.peer import Peer, running_peer


@pytest.fixture
async def ally() -> AsyncIterator[Peer]:
    """A remote server named ``localhost`` (the instance is at 127.0.0.1)."""
    async with running_peer("localhost") as server:
        server.actor("ana")
        yield server


async def test_an_admin_blocks_a_domain_on_the_page_and_its_activities_get_403(
    instance: Instance, ally: Peer
) -> None:
    await add_group(instance, "demo")
    await add_account(instance, "root", admin=True)

    def follow() -> dict[str, Any]:
        return ally.activity(ally.actor("ana"), "Follow", f"{instance.base_url}/groups/demo")

    async with signed_in(instance, "root") as client:
        page = await client.get("/admin/domains")
        assert "Federation mode: <strong>open</strong>" in page.text
        blocked = await post_form(
            client, "/admin/domains", {"action": "block", "domain": "LOCALHOST."}
        )
        refused = await ally.post(inbox_url(instance), follow())
        bad = await post_form(
            client, "/admin/domains", {"action": "block", "domain": "not a domain"}
        )
        limited = await post_form(
            client,
            "/admin/domains",
            {"action": "block", "domain": "localhost", "silence": "on", "reject_media": "on"},
        )
        heard = await ally.post(inbox_url(instance), follow())
        unblocked = await post_form(
            client, "/admin/domains", {"action": "unblock", "domain": "localhost"}
        )
        again = await post_form(
            client, "/admin/domains", {"action": "unblock", "domain": "localhost"}
        )

    assert blocked.status_code == 200 and "localhost: blocked" in blocked.text
    assert "<td>localhost</td>" in blocked.text
    assert (refused.status_code, refused.text) == (403, "the domain localhost is blocked\n")
    assert bad.status_code == 400
    assert "is not a domain name" in bad.text and 'id="block-error"' in bad.text
    assert 'value="not a domain"' in bad.text
    assert "limited: silenced, media rejected" in limited.text
    assert heard.status_code == 202  # a limited domain is still heard
    assert unblocked.status_code == 200 and "No domain is blocked or limited" in unblocked.text
    assert again.status_code == 400 and "localhost is not blocked" in again.text
    assert await count(instance, DomainBlock) == 0
    assert await log(instance, "root") == [
        ("domain block", "localhost: blocked", None),
        ("domain block", "localhost: silenced, media rejected", None),
        ("domain unblock", "localhost", None),
    ]


async def test_the_allowlist_on_the_page(instance: Instance) -> None:
    await add_account(instance, "root", admin=True)
    async with signed_in(instance, "root") as client:
        added = await post_form(
            client, "/admin/domains", {"action": "allow", "domain": "Ally.Example"}
        )
        twice = await post_form(
            client, "/admin/domains", {"action": "allow", "domain": "ally.example"}
        )
        dropped = await post_form(
            client, "/admin/domains", {"action": "disallow", "domain": "ally.example"}
        )
        missing = await post_form(
            client, "/admin/domains", {"action": "disallow", "domain": "ally.example"}
        )

    assert "ally.example: allowed" in added.text
    assert "Remove ally.example from the allowlist" in added.text
    assert "ally.example: was already allowed" in twice.text
    assert "No domain is on the allowlist" in dropped.text
    assert missing.status_code == 400 and "ally.example is not on the allowlist" in missing.text
    assert await count(instance, DomainAllow) == 0
    assert [action for action, _, _ in await log(instance, "root")] == [
        "domain allow",
        "domain disallow",
    ]


async def _rules(instance: Instance) -> dict[str, tuple[bool, bool, str, str | None]]:
    """Each rule in force: suspended, silenced, its reason and the list it came from."""
    async with instance.ctx.sessions() as session:
        found = await session.execute(
            select(DomainBlock, DomainRuleNote).join(
                DomainRuleNote, DomainRuleNote.domain == DomainBlock.domain
            )
        )
        return {
            rule.domain: (rule.suspend, rule.silence, note.reason, note.source)
            for rule, note in found.all()
        }


async def test_an_allys_published_rules_are_followed_from_the_page(
    make_instance: InstanceFactory,
) -> None:
    # Given an ally whose admin publishes one rule with its reason and keeps one private
    ally, here = await make_instance(), await make_instance()
    for instance in (ally, here):
        await add_account(instance, "root", admin=True)
    async with signed_in(ally, "root") as client:
        unexplained = await post_form(
            client, "/admin/domains", {"action": "block", "domain": "spam.example", "public": "on"}
        )
        published = await post_form(
            client,
            "/admin/domains",
            {"action": "block", "domain": "spam.example", "reason": "spam waves", "public": "on"},
        )
        await post_form(
            client,
            "/admin/domains",
            {"action": "block", "domain": "quiet.example", "silence": "on"},
        )
    url = f"{ally.base_url}/blocklist.csv"

    # When this instance's admin follows the ally's list, then stops
    async with signed_in(here, "root") as client:
        bad = await post_form(client, "/admin/domains", {"action": "subscribe", "url": "ftp://x"})
        followed = await post_form(client, "/admin/domains", {"action": "subscribe", "url": url})
        in_force = await _rules(here)
        stopped = await post_form(client, "/admin/domains", {"action": "unsubscribe", "url": url})
        again = await post_form(client, "/admin/domains", {"action": "unsubscribe", "url": url})

    # Then a public rule needed its reason, and only the published rule came over
    assert unexplained.status_code == 400
    assert (
        "a public rule needs a reason" in unexplained.text
        and 'id="block-error"' in unexplained.text
    )
    assert published.status_code == 200 and "spam waves" in published.text
    assert "(published)" in published.text
    assert in_force == {"spam.example": (True, False, "spam waves", url)}
    assert followed.status_code == 200 and f"{url}: followed" in followed.text
    assert f"from the list {url}" in followed.text
    assert "Remove the rule for spam.example" not in followed.text  # the list's, not ours
    assert f"Stop following {url}" in followed.text
    assert bad.status_code == 400 and 'id="subscribe-error"' in bad.text
    assert "is not an http(s) URL" in bad.text and 'value="ftp://x"' in bad.text
    assert stopped.status_code == 200 and "No list is followed" in stopped.text
    assert await _rules(here) == {}
    assert again.status_code == 400 and f"not subscribed to {url}" in again.text
    assert await log(here, "root") == [
        ("domain subscribe", url, None),
        ("domain unsubscribe", url, None),
    ]


async def test_a_list_that_cannot_be_read_shows_why(make_instance: InstanceFactory) -> None:
    here = await make_instance()
    await add_account(here, "root", admin=True)
    async with running_peer() as gone:
        url = f"{gone.base_url}/blocklist.csv"  # the peer serves nothing there: 404
        async with signed_in(here, "root") as client:
            page = await post_form(client, "/admin/domains", {"action": "subscribe", "url": url})

    assert page.status_code == 200
    assert f"<td>{url}</td>" in page.text
    assert "Refused: " in page.text and "404" in page.text
