"""Domain rules, allies-only mode, account blocks and received reports, in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Following, Group
from moderation.blocks import add_block, remove_block
from moderation.checks import (
    ModerationError,
    domain_refused,
    domain_rule,
    is_blocked,
    normalize_domain,
    refusal,
)
from moderation.domains import (
    allow_domain,
    block_domain,
    disallow_domain,
    domain_rules,
    unblock_domain,
)
from moderation.grievances import grievances
from moderation.reports import record_flag
from tests.moderation.conftest import add_remote

TROLL = "https://trolls.example/users/troll"


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Trolls.Example", "trolls.example"),
        ("trolls.example.", "trolls.example"),
        ("trolls.example:8443", "trolls.example"),
        ("https://Trolls.example/users/x", "trolls.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_normalize_domain(text: str, domain: str) -> None:
    assert normalize_domain(text) == domain


@pytest.mark.parametrize("text", ["", "not a domain", "a..b", "ftp://x.example/"])
def test_normalize_domain_refuses(text: str) -> None:
    with pytest.raises(ModerationError, match="is not a domain name"):
        normalize_domain(text)


async def test_blocked_domain_and_its_subdomains_refused(session: AsyncSession) -> None:
    await block_domain(session, "Trolls.Example")
    for host in (
        "trolls.example",
        "TROLLS.example.",
        "social.trolls.example",
        "trolls.example:8443",
        TROLL,
        "https://a.b.trolls.example/users/x#main-key",
    ):
        assert await domain_refused(session, "open", host) == "the domain trolls.example is blocked"
    for host in ("nottrolls.example", "trolls.example.org", "example"):
        assert await domain_refused(session, "open", host) is None


async def test_limited_domain_is_not_refused(session: AsyncSession) -> None:
    rule = await block_domain(session, "loud.example", silence=True)
    assert (rule.suspend, rule.silence, rule.reject_media) == (False, True, False)
    assert await domain_refused(session, "open", "loud.example") is None
    rule = await block_domain(session, "loud.example")  # a second call changes the rule
    assert rule.suspend and not rule.silence
    assert await domain_refused(session, "open", "loud.example") is not None


async def test_most_specific_rule_wins(session: AsyncSession) -> None:
    await block_domain(session, "big.example", reject_media=True)
    await block_domain(session, "bad.big.example")
    parent = await domain_rule(session, "ok.big.example")
    child = await domain_rule(session, "x.bad.big.example")
    assert parent is not None and parent.domain == "big.example"
    assert child is not None and child.domain == "bad.big.example"
    assert await domain_refused(session, "open", "ok.big.example") is None


async def test_unblock_domain(session: AsyncSession) -> None:
    await block_domain(session, "trolls.example")
    assert await unblock_domain(session, "TROLLS.example")
    assert not await unblock_domain(session, "trolls.example")
    assert await domain_refused(session, "open", TROLL) is None


async def test_allowlist_mode(session: AsyncSession) -> None:
    assert await allow_domain(session, "Allies.Example")
    assert not await allow_domain(session, "allies.example")
    refused = await domain_refused(session, "allowlist", "stranger.example")
    assert refused == (
        "this instance federates only with listed domains, and stranger.example is not one"
    )
    assert await domain_refused(session, "allowlist", "https://allies.example/users/a") is None
    assert await domain_refused(session, "allowlist", "social.allies.example") is None
    assert await domain_refused(session, "open", "stranger.example") is None
    # A block beats the allowlist.
    await block_domain(session, "bad.allies.example")
    assert await domain_refused(session, "allowlist", "bad.allies.example") is not None
    assert await disallow_domain(session, "allies.example")
    assert not await disallow_domain(session, "allies.example")
    assert await domain_refused(session, "allowlist", "allies.example") is not None
    blocks, allowed = await domain_rules(session)
    assert [rule.domain for rule in blocks] == ["bad.allies.example"]
    assert list(allowed) == []


async def test_unusable_host_is_refused(session: AsyncSession) -> None:
    assert await domain_refused(session, "open", "exa mple") is not None


async def test_account_block(session: AsyncSession, group: Group) -> None:
    assert await refusal(session, "open", TROLL, group_id=group.id) is None
    block = await add_block(session, group.id, TROLL)
    assert block is not None
    assert await add_block(session, group.id, TROLL) is None
    assert await is_blocked(session, group.id, TROLL)
    assert not await is_blocked(session, group.id, "https://trolls.example/users/other")
    assert (
        await refusal(session, "open", TROLL, group_id=group.id) == "the group blocks this account"
    )
    assert await refusal(session, "open", TROLL) is None  # shared inbox, no group
    assert await remove_block(session, group.id, TROLL) is not None
    assert await remove_block(session, group.id, TROLL) is None
    assert not await is_blocked(session, group.id, TROLL)


async def test_suspending_a_domain_removes_follows_both_ways(
    session: AsyncSession, group: Group
) -> None:
    troll = await add_remote(session, TROLL)
    sub = await add_remote(session, "https://sub.trolls.example/users/x")
    friend = await add_remote(session, "https://friends.example/users/f")
    for index, actor in enumerate((troll, sub, friend)):
        session.add(Follower(group_id=group.id, actor_id=actor.id, follow_ap_id=f"{actor.ap_id}/f"))
        session.add(
            Following(group_id=group.id, actor_id=actor.id, follow_ap_id=f"https://x/f/{index}")
        )
    await session.flush()
    await block_domain(session, "trolls.example", silence=True)  # a limit keeps follows
    assert await _count(session, Follower) == 3
    await block_domain(session, "trolls.example")
    assert await _count(session, Follower) == 1
    assert await _count(session, Following) == 1


async def _count(session: AsyncSession, table: type[Follower] | type[Following]) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_received_flag_stored_once(session: AsyncSession, group: Group) -> None:
    flag = {
        "id": "https://peer.example/flags/1",
        "type": "Flag",
        "actor": "https://peer.example/actor",
        "content": "spam",
        "object": [
            "https://127.0.0.1:8123/groups/x",
            {"id": "https://127.0.0.1:8123/groups/x/posts/1", "type": "Note"},
            42,
        ],
    }
    report = await record_flag(
        session, flag, reporter="https://peer.example/actor", group_id=group.id
    )
    assert report is not None
    assert report.direction == "received"
    assert report.target_ids == [
        "https://127.0.0.1:8123/groups/x",
        "https://127.0.0.1:8123/groups/x/posts/1",
    ]
    assert report.content == "spam"
    again = await record_flag(
        session, flag, reporter="https://peer.example/actor", group_id=group.id
    )
    assert again is None
    assert [g.report.id for g in await grievances(session, group)] == [report.id]


async def test_flag_with_odd_content_is_still_stored(session: AsyncSession, group: Group) -> None:
    flag = {"id": "https://peer.example/flags/2", "type": "Flag", "content": {"x": 1}}
    report = await record_flag(session, flag, reporter="https://peer.example/actor", group_id=None)
    assert report is not None and report.content == "" and report.target_ids == []
