"""Connect-time SSRF check: an httpcore network backend that connects only to public addresses.

``SafeNetworkBackend.connect_tcp`` resolves the host itself, refuses the connection when
any resolved address is not public (``federation.netpolicy``), then connects to the exact
address it checked, never to the name again, so DNS rebinding has no second lookup to
win. IP-literal hosts are checked the same way. TLS is unaffected: httpcore passes the
origin's host name to ``start_tls`` as ``server_hostname`` separately from the address
given here, so SNI and certificate verification still use the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import httpcore

from federation.fetch_errors import ForbiddenAddress
from federation.netpolicy import IPAddress, forbidden_reason, parse_ip

Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]
"""Resolves ``(host, port)`` to the addresses to try, in order."""


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Resolve ``host`` with the event loop's ``getaddrinfo``; addresses deduplicated."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]))
        if ip not in addresses:
            addresses.append(ip)
    return addresses


async def checked_addresses(
    host: str, port: int, resolve: Resolver, allow_private: bool
) -> Sequence[IPAddress]:
    """The addresses of ``host`` (itself, when it is an IP literal), every one checked.

    Raises ``ForbiddenAddress`` when any is not public (unless ``allow_private``), and
    the resolver's ``OSError`` when the name does not resolve. Also used by the delivery
    client's resolver (``federation.delivery_client``).
    """
    literal = parse_ip(host)
    addresses: Sequence[IPAddress] = [literal] if literal is not None else await resolve(host, port)
    refuse_forbidden(host, addresses, allow_private)
    return addresses


def refuse_forbidden(host: str, addresses: Sequence[IPAddress], allow_private: bool) -> None:
    """Raise ``ForbiddenAddress`` when any of ``host``'s ``addresses`` is not public.

    All or nothing: a name with one private address among public ones is refused,
    whichever address the connection would have used.
    """
    if allow_private:
        return
    for ip in addresses:
        why = forbidden_reason(ip)
        if why is not None:
            raise ForbiddenAddress(f"{host} is {ip}, {why}; refusing to connect")


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
        try:
            return await checked_addresses(host, port, self._resolve, self._allow_private)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc

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
