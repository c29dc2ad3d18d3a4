"""The SSRF-safe ``httpx.AsyncClient`` every outgoing request goes through.

The address check happens at connect time, on the address actually connected to:
``SafeNetworkBackend`` is an httpcore network backend that resolves the host itself,
refuses the connection when any resolved address is not public, then connects to the
exact address it checked (never to the name again), so DNS rebinding has no second
lookup to win. TLS still verifies the certificate against the host *name*: httpcore
passes ``server_hostname`` (the origin's host) to ``start_tls`` separately from the
address given to ``connect_tcp``.

httpx 0.28's ``AsyncHTTPTransport`` cannot take a network backend, so
``SafeTransport`` is a small ``httpx.AsyncBaseTransport`` over an
``httpcore.AsyncConnectionPool`` built with our backend; it maps requests, responses
and errors the way httpx's own transport does and adds a per-host concurrency limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from federation.fetch_errors import ForbiddenAddress
from federation.netpolicy import IPAddress, forbidden_reason, parse_ip

Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]
"""Resolves ``(host, port)`` to the addresses to try, in order."""


@dataclass(frozen=True, kw_only=True)
class FetchPolicy:
    """Limits for outgoing requests. ``allow_private``/``allow_http`` are for development."""

    user_agent: str
    allow_private: bool = False
    allow_http: bool = False
    max_bytes: int = 1_000_000
    connect_timeout: float = 5.0
    total_timeout: float = 30.0
    max_redirects: int = 5
    max_connections: int = 100
    max_per_host: int = 6
    keepalive_expiry: float = 30.0

    def __post_init__(self) -> None:
        numbers = (self.max_bytes, self.connect_timeout, self.total_timeout, self.max_per_host)
        if min(numbers) <= 0 or self.max_connections <= 0 or self.max_redirects < 0:
            raise ValueError("FetchPolicy limits must be positive")


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Resolve ``host`` with the event loop's ``getaddrinfo``; addresses deduplicated."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]))
        if ip not in addresses:
            addresses.append(ip)
    return addresses


class SafeNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that connects only to public addresses, checked when connecting."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolve = resolver or system_resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve ``host``, refuse if any address is not public, connect to a checked one."""
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._addresses(host, port)
                last_error = httpcore.ConnectError(f"{host} has no address")
                for ip in addresses:
                    try:
                        return await self._inner.connect_tcp(
                            str(ip), port, timeout, local_address, socket_options
                        )
                    except httpcore.ConnectError as exc:
                        last_error = exc
                raise last_error
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from exc

    async def _addresses(self, host: str, port: int) -> Sequence[IPAddress]:
        literal = parse_ip(host)
        if literal is not None:
            addresses: Sequence[IPAddress] = [literal]
        else:
            try:
                addresses = await self._resolve(host, port)
            except OSError as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        # All or nothing: a name with one private address among public ones is refused,
        # whichever address the connection would have used.
        for ip in addresses:
            why = forbidden_reason(ip)
            if why is not None and not self._allow_private:
                raise ForbiddenAddress(f"{host} is {ip}, {why}; refusing to connect")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: outgoing federation requests do not use Unix sockets."""
        raise ForbiddenAddress(f"refusing to connect to Unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        """Delegate to the wrapped backend (httpcore uses it between connect retries)."""
        await self._inner.sleep(seconds)


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


def safe_transport(
    policy: FetchPolicy,
    *,
    resolver: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SafeTransport:
    """A keep-alive HTTP/1.1 transport that connects only where ``policy`` allows."""
    pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
        max_connections=policy.max_connections,
        max_keepalive_connections=policy.max_connections,
        keepalive_expiry=policy.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=SafeNetworkBackend(allow_private=policy.allow_private, resolver=resolver),
    )
    return SafeTransport(pool, max_per_host=policy.max_per_host)


def build_client(
    policy: FetchPolicy,
    *,
    resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.AsyncClient:
    """The shared client: safe transport (or ``transport``, for tests), no redirects.

    ``trust_env`` is off, so nothing from the environment (proxy variables, certificate
    paths) changes where requests go or what they trust. (httpx already ignores proxy
    variables when given a transport; a proxy would bypass the address check.)
    """
    if transport is None:
        transport = safe_transport(policy, resolver=resolver, ssl_context=ssl_context)
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(policy.total_timeout, connect=policy.connect_timeout),
        headers={"User-Agent": policy.user_agent},
    )
