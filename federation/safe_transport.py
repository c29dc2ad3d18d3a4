"""``SafeTransport``: an httpx transport over an httpcore pool with our network backend.

httpx 0.28's ``AsyncHTTPTransport`` cannot take a network backend (httpx PR #3749 would
add it), so this maps requests, responses and httpcore errors the way httpx's own
transport does, and adds what httpcore lacks: a per-origin concurrency limit, with a
pool per origin (`_Origins` says why).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

# Each httpcore error has an httpx counterpart of the same name. Subclasses come before
# their bases: the first match wins.
_ERROR_NAMES = (
    "ConnectTimeout",
    "ReadTimeout",
    "WriteTimeout",
    "PoolTimeout",
    "TimeoutException",
    "ConnectError",
    "ReadError",
    "WriteError",
    "NetworkError",
    "RemoteProtocolError",
    "LocalProtocolError",
    "ProtocolError",
    "UnsupportedProtocol",
)
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = tuple(
    (getattr(httpcore, name), getattr(httpx, name)) for name in _ERROR_NAMES
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """Re-raise httpcore errors as their httpx counterparts; anything else unchanged."""
    try:
        yield
    except Exception as exc:
        for core_type, httpx_type in _ERRORS:
            if isinstance(exc, core_type):
                raise httpx_type(str(exc)) from exc
        raise


Origin = tuple[bytes, bytes, int | None]
PoolFactory = Callable[[], httpcore.AsyncConnectionPool]


def _always(pool: httpcore.AsyncConnectionPool) -> PoolFactory:
    return lambda: pool


class _Origin:
    """One origin's connection pool, its in-flight slots and how many requests use it."""

    def __init__(self, pool: httpcore.AsyncConnectionPool, limit: int) -> None:
        self.pool = pool
        self.slots = asyncio.Semaphore(limit)
        self.users = 0


class _Origins:
    """A pool per origin: at most ``limit`` requests in flight on each.

    Why not one pool for everything: httpcore's pool walks *all* its connections
    (``has_expired``, ``is_idle``, a socket poll each) on every request and every
    response close, so with 100 connections to 100 hosts, a fan-out spent about 60 %
    of its CPU there (see benchmarks/README.md). A pool per origin holds at most
    ``limit`` connections, so that walk stays short. Pools of origins with nothing in
    flight are kept, least recently used first, up to ``idle_pools``; older ones are
    closed with their keep-alive connections.
    """

    def __init__(self, new_pool: PoolFactory, limit: int, idle_pools: int, owns: bool) -> None:
        self._new_pool = new_pool
        self._limit = limit
        self._idle_pools = idle_pools
        self._owns = owns  # False when every origin shares one pool given by the caller
        self._active: dict[Origin, _Origin] = {}
        self._idle: OrderedDict[Origin, _Origin] = OrderedDict()

    async def acquire(self, key: Origin) -> _Origin:
        origin = self._active.get(key) or self._idle.pop(key, None)
        if origin is None:
            origin = _Origin(self._new_pool(), self._limit)
        self._active[key] = origin
        origin.users += 1
        try:
            await origin.slots.acquire()
        except BaseException:
            await self._leave(key, origin)
            raise
        return origin

    async def release(self, key: Origin, origin: _Origin) -> None:
        origin.slots.release()
        await self._leave(key, origin)

    async def _leave(self, key: Origin, origin: _Origin) -> None:
        origin.users -= 1
        if origin.users:
            return
        del self._active[key]
        self._idle[key] = origin
        while len(self._idle) > self._idle_pools:
            _, oldest = self._idle.popitem(last=False)
            if self._owns:
                await oldest.pool.aclose()

    async def aclose(self) -> None:
        pools = {id(o.pool): o.pool for o in [*self._active.values(), *self._idle.values()]}
        self._active.clear()
        self._idle.clear()
        for pool in pools.values():
            await pool.aclose()


class _ResponseStream(httpx.AsyncByteStream):
    """The httpcore body as an httpx stream; frees the host slot when closed."""

    def __init__(self, body: AsyncIterable[bytes], release: Callable[[], Awaitable[None]]) -> None:
        self._body = body
        self._release: Callable[[], Awaitable[None]] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for chunk in self._body:
                yield chunk

    async def aclose(self) -> None:
        try:
            aclose = getattr(self._body, "aclose", None)
            if aclose is not None:
                with _httpx_errors():
                    await aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                await release()


class SafeTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore pools that use ``SafeNetworkBackend``.

    ``pools`` makes the pool of each origin (see `_Origins`); a pool instance instead
    is shared by every origin. At most ``max_per_host`` requests are in flight per
    origin and ``max_connections`` in all.
    """

    def __init__(
        self,
        pools: PoolFactory | httpcore.AsyncConnectionPool,
        *,
        max_per_host: int,
        max_connections: int = 100,
    ) -> None:
        shared = isinstance(pools, httpcore.AsyncConnectionPool)
        self._origins = _Origins(
            _always(pools) if isinstance(pools, httpcore.AsyncConnectionPool) else pools,
            max_per_host,
            idle_pools=max(1, max_connections // max_per_host),
            owns=not shared,
        )
        self._total = asyncio.Semaphore(max_connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its origin's pool (its slots held until closed)."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        origin = await self._origins.acquire(key)

        async def release() -> None:
            self._total.release()
            await self._origins.release(key, origin)

        try:
            await self._total.acquire()
        except BaseException:
            await self._origins.release(key, origin)
            raise
        try:
            core_request = httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
            with _httpx_errors():
                response = await origin.pool.handle_async_request(core_request)
        except BaseException:
            await release()
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._origins.aclose()
