"""The receive pipeline's per-process caches: moderation rules and signers' keys.

Whatever they hold, a rule committed by this process applies to the very next request,
a key that fails is still re-fetched from its origin, and a change made behind the
process's back (another process) applies once the cache expires.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text

from actors.keycache import KeyCache
from actors.keys import generate_key_pair
from moderation.blocks import add_block, remove_block
from moderation.domains import block_domain, unblock_domain
from moderation.rules import RuleCache
from tests.helpers import add_group
from tests.inbox.support import count_items, inbox_url
from tests.instances import Instance
from tests.peer import Peer


@pytest.fixture
def clock() -> Iterator[list[float]]:
    """The caches' clock, moved by hand: ``clock[0] += seconds``."""
    now = [1000.0]
    saved = RuleCache.clock, KeyCache.clock
    RuleCache.clock = KeyCache.clock = lambda: now[0]
    yield now
    RuleCache.clock, KeyCache.clock = saved


async def follow(peer: Peer, instance: Instance, group: str | None = "demo") -> int:
    """POST a fresh Follow of the demo group from alice; the status."""
    activity = peer.activity(peer.actor("alice"), "Follow", f"{instance.base_url}/groups/demo")
    return (await peer.post(inbox_url(instance, group), activity)).status_code


async def test_an_account_block_applies_to_the_next_request(instance: Instance, peer: Peer) -> None:
    group = await add_group(instance, "demo")
    assert await follow(peer, instance) == 202  # rules and key now cached
    async with instance.ctx.sessions() as session:
        await add_block(session, group.id, peer.actor("alice").id)
        await session.commit()

    assert await follow(peer, instance) == 403

    async with instance.ctx.sessions() as session:
        await remove_block(session, group.id, peer.actor("alice").id)
        await session.commit()
    assert await follow(peer, instance) == 202
    assert await count_items(instance) == 2


async def test_a_domain_block_applies_to_the_next_request(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    assert await follow(peer, instance, None) == 202
    async with instance.ctx.sessions() as session:
        await block_domain(session, "127.0.0.1")
        await session.commit()

    assert await follow(peer, instance, None) == 403

    # Lifted with a bulk DELETE (no object in the session): seen as well.
    async with instance.ctx.sessions() as session:
        assert await unblock_domain(session, "127.0.0.1")
        await session.commit()
    assert await follow(peer, instance, None) == 202


async def test_an_uncommitted_rule_does_not_apply(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    assert await follow(peer, instance) == 202
    async with instance.ctx.sessions() as session:
        await block_domain(session, "127.0.0.1")
        await session.rollback()

    assert await follow(peer, instance) == 202


async def test_a_rule_written_by_another_process_applies_once_expired(
    instance: Instance, peer: Peer, clock: list[float]
) -> None:
    await add_group(instance, "demo")
    assert await follow(peer, instance) == 202
    # Written as another process would: no event of this process sees it.
    async with instance.ctx.sessions() as session:
        await session.execute(
            text(
                "INSERT INTO domain_blocks (domain, suspend, silence, reject_media, created_at) "
                "VALUES ('127.0.0.1', true, false, false, CURRENT_TIMESTAMP)"
            )
        )
        await session.commit()
    assert await follow(peer, instance) == 202  # the cached rules still hold

    clock[0] += 5.1

    assert await follow(peer, instance) == 403


async def test_a_cached_key_that_fails_is_fetched_again(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    assert await follow(peer, instance) == 202  # fetched and stored
    assert await follow(peer, instance) == 202  # read from the database, then cached
    assert await follow(peer, instance) == 202  # from the cache
    assert peer.fetched == ["/users/alice"]

    # alice rotates her key: her server now publishes the new one and signs with it.
    alice.private_pem, alice.public_pem = generate_key_pair()

    assert await follow(peer, instance) == 202
    assert peer.fetched == ["/users/alice", "/users/alice"]  # re-fetched once
    assert await follow(peer, instance) == 202  # the new key, stored and cached again
    assert peer.fetched == ["/users/alice", "/users/alice"]
    assert await count_items(instance) == 5


async def test_a_cached_key_is_read_again_once_expired(
    instance: Instance, peer: Peer, clock: list[float]
) -> None:
    await add_group(instance, "demo")
    assert await follow(peer, instance) == 202
    assert await follow(peer, instance) == 202  # cached now
    async with instance.ctx.sessions() as session:
        # Another process drops the key (as no code of this process would).
        await session.execute(text("UPDATE remote_actors SET public_key_pem = NULL"))
        await session.commit()
    assert await follow(peer, instance) == 202  # the cached key still verifies

    clock[0] += 301

    # Read again: no key stored, so it is fetched from alice's server once more.
    assert await follow(peer, instance) == 202
    assert peer.fetched == ["/users/alice", "/users/alice"]


async def test_expired_rules_are_served_while_one_request_reloads_them(
    instance: Instance, clock: list[float]
) -> None:
    async with instance.ctx.sessions() as first, instance.ctx.sessions() as second:
        loaded = await RuleCache.get(first)
        clock[0] += 5.1
        reloading = asyncio.create_task(RuleCache.get(first))
        await asyncio.sleep(0)  # it is now waiting for its query

        assert await RuleCache.get(second) is loaded  # no second query meanwhile
        reloaded = await reloading
        assert reloaded is not loaded
        assert await RuleCache.get(second) is reloaded


async def test_a_groups_inbox_asks_the_database_for_its_group_once(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    engine = instance.ctx.sessions.kw["bind"].sync_engine
    asked: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM groups" in statement:
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert await follow(peer, instance) == 202
        first = len(asked)
        assert await follow(peer, instance) == 202
        assert await follow(peer, instance) == 202
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # Its uid found once; then the group's id is known (a group keeps both for good)
    assert first >= 1 and len(asked) == first
    assert await count_items(instance) == 3
