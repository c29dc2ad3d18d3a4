"""A short memory of failed fetches, so a flood naming one dead URL is not a flood of fetches.

Callers asking for a URL while it is being fetched share that one fetch (`once`): its
document, or its error. A failed URL is skipped for ``ttl`` seconds; when the failure
says the whole host is unusable (``FetchError.host_wide``: refused address,
unreachable, timed out) every URL on that host is. Entries expire and the memory holds
at most ``max_entries``, dropping the oldest first.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from federation.fetch_errors import FetchError, RecentlyFailed

Document = dict[str, Any]


class FailureMemory:
    """Remembers failed URLs and hosts for ``ttl`` seconds (``clock`` is injectable), and
    the fetches under way, by URL."""

    def __init__(
        self,
        *,
        ttl: float = 60.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._until: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._running: dict[str, asyncio.Task[Document]] = {}

    async def once(self, url: str, fetch: Callable[[], Awaitable[Document]]) -> Document:
        """``fetch()``'s document for ``url``, shared by every caller asking while it runs.

        ``RecentlyFailed`` without a request if ``url`` failed moments ago (`check`); a
        ``FetchError`` is remembered (`record`) and raised to every caller. The fetch
        runs as a task of its own, so a caller that gives up does not end it for the rest.
        Each caller gets its own copy of the document, free to change it.
        """
        self.check(url)
        key = _url_key(url)
        if key is None:  # unparsable: ``fetch`` refuses it (UnsupportedURL) at once
            return await fetch()
        task = self._running.get(key)
        if task is None:
            task = self._running[key] = asyncio.create_task(self._fetch(url, fetch))
            task.add_done_callback(lambda done: self._finished(key, done))
        return copy.deepcopy(await asyncio.shield(task))

    async def _fetch(self, url: str, fetch: Callable[[], Awaitable[Document]]) -> Document:
        try:
            return await fetch()
        except FetchError as exc:
            self.record(url, exc)
            raise

    def _finished(self, key: str, task: asyncio.Task[Document]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if not task.cancelled():
            task.exception()  # retrieved here: every waiter may have given up

    def record(self, url: str, error: FetchError) -> None:
        """Remember that fetching ``url`` just failed with ``error``."""
        key = _host_key(url) if error.host_wide else _url_key(url)
        if key is None:
            return
        self._until.pop(key, None)  # re-inserted at the end, keeping expiry order
        self._until[key] = (self._clock() + self._ttl, error.reason)
        self._expire()
        while len(self._until) > self._max:
            self._until.popitem(last=False)

    def check(self, url: str) -> None:
        """Raise ``RecentlyFailed`` if ``url`` or its host failed within the last ``ttl``."""
        self._expire()
        now = self._clock()
        for key in (_url_key(url), _host_key(url)):
            if key is None or key not in self._until:
                continue
            until, reason = self._until[key]
            if until > now:
                raise RecentlyFailed(f"failed moments ago ({reason}); not retrying yet", url=url)

    def __len__(self) -> int:
        self._expire()
        return len(self._until)

    def _expire(self) -> None:
        # Insertion order is expiry order: every entry gets the same ttl when (re)inserted.
        now = self._clock()
        while self._until and next(iter(self._until.values()))[0] <= now:
            self._until.popitem(last=False)


def _url_key(url: str) -> str | None:
    try:
        return "url " + str(httpx.URL(url).copy_with(fragment=None))
    except (httpx.InvalidURL, TypeError):
        return None


def _host_key(url: str) -> str | None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return None
    return f"host {parsed.scheme}://{parsed.netloc.decode('ascii')}" if parsed.host else None
