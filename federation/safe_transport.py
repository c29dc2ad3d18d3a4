"""``SafeTransport``: an httpx transport over an httpcore pool with our network backend.

httpx 0.28's ``AsyncHTTPTransport`` cannot take a network backend (httpx PR #3749 would
add it), so this maps requests, responses and httpcore errors the way httpx's own
transport does, and adds what httpcore lacks: a per-origin concurrency limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
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


class _HostSlots:
    """At most ``limit`` requests in flight per origin; idle origins are forgotten."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._slots: dict[tuple[bytes, bytes, int | None], tuple[asyncio.Semaphore, int]] = {}

    async def acquire(self, key: tuple[bytes, bytes, int | None]) -> None:
        semaphore, users = self._slots.get(key, (asyncio.Semaphore(self._limit), 0))
        self._slots[key] = (semaphore, users + 1)
        try:
            await semaphore.acquire()
        except BaseException:
            self._forget(key)
            raise

    def release(self, key: tuple[bytes, bytes, int | None]) -> None:
        self._slots[key][0].release()
        self._forget(key)

    def _forget(self, key: tuple[bytes, bytes, int | None]) -> None:
        semaphore, users = self._slots[key]
        if users == 1:
            del self._slots[key]
        else:
            self._slots[key] = (semaphore, users - 1)


class _ResponseStream(httpx.AsyncByteStream):
    """The httpcore body as an httpx stream; frees the host slot when closed."""

    def __init__(self, body: AsyncIterable[bytes], release: Callable[[], None]) -> None:
        self._body = body
        self._release: Callable[[], None] | None = release

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
                release()


class SafeTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool that uses ``SafeNetworkBackend``."""

    def __init__(self, pool: httpcore.AsyncConnectionPool, *, max_per_host: int) -> None:
        self._pool = pool
        self._slots = _HostSlots(max_per_host)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool (one slot of its origin held until closed)."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        await self._slots.acquire(key)
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
                response = await self._pool.handle_async_request(core_request)
        except BaseException:
            self._slots.release(key)
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, lambda: self._slots.release(key)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()
