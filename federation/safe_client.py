"""The SSRF-safe ``httpx.AsyncClient`` every outgoing request goes through, and its policy.

``build_client`` wires ``SafeNetworkBackend`` (the connect-time address check, see
``federation.safe_backend``) into httpcore pools, one per origin, behind ``SafeTransport``
(``federation.safe_transport``), with keep-alive HTTP/1.1, pool limits and no
automatic redirects: ``federation.fetch`` follows them itself, re-checking every hop.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import httpcore
import httpx

from federation.safe_backend import Resolver, SafeNetworkBackend, system_resolver
from federation.safe_transport import SafeTransport

# The public face of the client: callers import everything from here.
__all__ = [
    "FetchPolicy",
    "Resolver",
    "SafeNetworkBackend",
    "SafeTransport",
    "build_client",
    "safe_transport",
    "system_resolver",
]


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


def safe_transport(
    policy: FetchPolicy,
    *,
    resolver: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SafeTransport:
    """A keep-alive HTTP/1.1 transport that connects only where ``policy`` allows."""
    context = ssl_context or httpx.create_ssl_context(trust_env=False)
    backend = SafeNetworkBackend(allow_private=policy.allow_private, resolver=resolver)

    def origin_pool() -> httpcore.AsyncConnectionPool:
        return httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=policy.max_per_host,
            max_keepalive_connections=policy.max_per_host,
            keepalive_expiry=policy.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )

    return SafeTransport(
        origin_pool, max_per_host=policy.max_per_host, max_connections=policy.max_connections
    )


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
