"""Fault 4: a burst of 1,000 inbox POSTs, 5 % of them duplicates, against a real instance."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
from sqlalchemy import func, select

from inbox.models import InboxItem, RemoteObject
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.inbox.support import follow, inbox_url
from tests.instances import settle
from tests.peer import running_peer

POSTS = 1000
DUPLICATES = 50
AT_ONCE = 50


async def test_a_burst_with_duplicates_is_applied_exactly_once(
    make_instance: InstanceFactory,
) -> None:
    # The per-host rate limit is another test's subject: lift it for the burst.
    instance = await make_instance(inbox_rate=100_000.0, inbox_burst=100_000)
    await add_group(instance, "demo")
    async with running_peer() as peer:
        alice = peer.actor("alice")
        await follow(instance, "demo", alice)
        # Given 950 distinct Creates and 50 repeats of some of them, signed, shuffled
        notes = [peer.note(alice) for _ in range(POSTS - DUPLICATES)]
        unique = [peer.activity(alice, "Create", note) for note in notes]
        burst = unique + random.Random(4).sample(unique, DUPLICATES)
        random.Random(5).shuffle(burst)
        url = inbox_url(instance, None)
        bodies = [json.dumps(activity).encode() for activity in burst]
        key = alice.private_key  # parsed once: parsing a PEM costs more than signing
        requests = [(body, peer.signed_headers(alice, url, body, key=key)) for body in bodies]

        # When they all arrive within moments
        slots = asyncio.Semaphore(AT_ONCE)
        async with httpx.AsyncClient(timeout=30) as client:

            async def send(body: bytes, headers: dict[str, str]) -> int:
                async with slots:
                    return (await client.post(url, content=body, headers=headers)).status_code

            statuses = await asyncio.gather(*(send(b, h) for b, h in requests))

        # Then every POST was accepted, and each activity applied exactly once
        assert set(statuses) == {202}
        await settle(instance, rounds=200)
    async with instance.ctx.sessions() as session:
        items = await session.execute(select(InboxItem.status, func.count()).group_by("status"))
        assert dict(items.all()) == {"done": POSTS - DUPLICATES}
        objects = await session.execute(select(func.count(RemoteObject.id)))
        assert objects.scalar_one() == POSTS - DUPLICATES
