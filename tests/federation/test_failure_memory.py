"""FailureMemory.once: callers asking for one URL while it is fetched share that fetch.

(Remembering failures is in test_fetch.py; the flood end to end in
tests/inbox/test_key_flood.py.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from federation.failure_memory import FailureMemory
from federation.fetch_errors import ConnectFailed, RecentlyFailed


class Origin:
    """A fetch that counts its calls and answers when told to."""

    def __init__(self) -> None:
        self.calls = 0
        self.answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def fetch(self) -> dict[str, Any]:
        self.calls += 1
        return await asyncio.shield(self.answer)


async def test_concurrent_callers_share_one_fetch_and_its_document() -> None:
    memory, origin = FailureMemory(), Origin()
    url = "https://a.example/users/x"
    waiters = [asyncio.create_task(memory.once(url + "#main-key", origin.fetch)) for _ in range(50)]
    await asyncio.sleep(0)
    origin.answer.set_result({"id": url})
    documents = await asyncio.gather(*waiters)
    assert documents == [{"id": url}] * 50
    assert origin.calls == 1
    assert len({id(document) for document in documents}) == 50  # each its own copy
    # Once done, the next caller fetches again (documents are not cached here).
    assert await memory.once(url, origin.fetch) == {"id": url}
    assert origin.calls == 2


async def test_a_failure_reaches_every_waiter_and_is_remembered() -> None:
    memory, origin = FailureMemory(), Origin()
    url = "https://down.example/users/x"
    waiters = [asyncio.create_task(memory.once(url, origin.fetch)) for _ in range(50)]
    await asyncio.sleep(0)
    origin.answer.set_exception(ConnectFailed("connection reset", url=url))
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert [type(r) for r in results] == [ConnectFailed] * 50
    with pytest.raises(RecentlyFailed, match="connection reset"):
        await memory.once(url, origin.fetch)
    assert origin.calls == 1


async def test_a_caller_giving_up_does_not_end_the_fetch_for_the_others() -> None:
    memory, origin = FailureMemory(), Origin()
    url = "https://slow.example/users/x"
    first = asyncio.create_task(memory.once(url, origin.fetch))
    second = asyncio.create_task(memory.once(url, origin.fetch))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    origin.answer.set_result({"id": url})
    assert await second == {"id": url}
    assert first.cancelled() and origin.calls == 1


async def test_different_urls_are_fetched_apart() -> None:
    memory = FailureMemory()
    origins = [Origin(), Origin()]
    waiters = [
        asyncio.create_task(memory.once(f"https://a.example/users/{n}", origin.fetch))
        for n, origin in enumerate(origins)
    ]
    await asyncio.sleep(0)
    for n, origin in enumerate(origins):
        origin.answer.set_result({"n": n})
    assert await asyncio.gather(*waiters) == [{"n": 0}, {"n": 1}]
    assert [o.calls for o in origins] == [1, 1]
