"""Key and actor fetches: failures are remembered, blocked domains are never fetched."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.remote import ActorError, actor_for_key, get_actor
from federation.failure_memory import FailureMemory
from moderation.domains import allow_domain, block_domain
from tests.moderation.conftest import FakeNetwork, actor_document

DEAD_KEY = "https://gone.example/users/ghost#main-key"


async def test_a_flood_naming_an_unreachable_key_fetches_once(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    for _ in range(50):
        with pytest.raises(ActorError, match="could not fetch key"):
            await actor_for_key(ctx, session, DEAD_KEY)
    assert network.requests == ["https://gone.example/users/ghost"]


async def test_failures_are_remembered_per_url_and_expire(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    ghost = "https://gone.example/users/ghost"
    now = [0.0]
    ctx.failures = FailureMemory(ttl=60, clock=lambda: now[0])
    with pytest.raises(ActorError):
        await get_actor(ctx, session, ghost)
    network.documents[ghost] = actor_document(ghost)
    with pytest.raises(ActorError, match="moments ago"):
        await get_actor(ctx, session, ghost)
    # Another URL on the same host is not affected by a 404.
    other = "https://gone.example/users/other"
    network.documents[other] = actor_document(other)
    assert (await get_actor(ctx, session, other)).ap_id == other
    now[0] += 59
    with pytest.raises(ActorError, match="moments ago"):
        await get_actor(ctx, session, ghost)
    now[0] += 2
    assert (await get_actor(ctx, session, ghost)).ap_id == ghost
    assert network.requests == [ghost, other, ghost]


async def test_blocked_domain_is_never_fetched(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    troll = "https://sub.trolls.example/users/troll"
    network.documents[troll] = actor_document(troll)
    await block_domain(session, "trolls.example")
    with pytest.raises(ActorError, match=r"trolls\.example is blocked"):
        await actor_for_key(ctx, session, troll + "#main-key")
    with pytest.raises(ActorError, match=r"trolls\.example is blocked"):
        await get_actor(ctx, session, troll)
    assert network.requests == []


async def test_allowlist_mode_fetches_only_from_allies(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    ally, stranger = "https://allies.example/users/a", "https://stranger.example/users/s"
    network.documents[ally] = actor_document(ally)
    network.documents[stranger] = actor_document(stranger)
    ctx.federation = "allowlist"
    await allow_domain(session, "allies.example")
    assert (await get_actor(ctx, session, ally)).ap_id == ally
    with pytest.raises(ActorError, match="federates only with listed domains"):
        await get_actor(ctx, session, stranger)
    assert network.requests == [ally]
