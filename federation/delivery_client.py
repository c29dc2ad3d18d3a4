"""Delivering activities: signed POSTs to inboxes over aiohttp, checked where they connect.

Deliveries are most of what an instance sends. Measured on the fan-out benchmark's sink
(benchmarks/README.md), httpx with httpcore cost 1.05 ms of CPU per POST beyond
signing, aiohttp 0.37 ms, with the same limits; fetches keep the httpx client of
``federation.safe_client`` (its redirect and document rules), this one only POSTs.

It keeps the fetching client's guarantees:

- The address is checked when connecting: the connector resolves names only through
  `SafeResolver`, which checks every address with ``checked_addresses`` and hands aiohttp
  only those, so there is no second lookup for DNS rebinding to win. aiohttp never
  resolves an IP literal, so a literal is checked before the request.
- No redirects, nothing from the environment (proxies, certificate paths), the policy's
  timeouts, at most ``max_per_host`` connections to a host and ``max_connections`` in
  all, at most `POST_RESPONSE_BYTES` of an answer read.
- The double knock of ``federation.httpsig.auth``: signed with the scheme the host is
  known to accept (draft-cavage first), signed again with the other one on a 401.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from federation.fetch import AP_ACCEPT, AP_CONTENT_TYPE, check_url
from federation.fetch_errors import ConnectFailed, FetchError, FetchTimeout
from federation.httpsig import PrivateKey, SchemeMemory, other_scheme, sign_request
from federation.httpsig.verify import Scheme
from federation.netpolicy import parse_ip
from federation.safe_backend import Resolver, checked_addresses, refuse_forbidden, system_resolver
from federation.safe_client import FetchPolicy

POST_RESPONSE_BYTES = 64 * 1024
"""Of an inbox's answer, what is read (Mastodon answers 202 with an empty body)."""


@dataclass(frozen=True)
class PostResult:
    """The answer to a POST: status, ``Retry-After`` and at most the body's head."""

    status_code: int
    retry_after: str | None
    body: bytes


class SafeResolver(AbstractResolver):
    """aiohttp's resolver: names resolve only to addresses the policy allows."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None) -> None:
        self._allow_private = allow_private
        self._resolve = resolver or system_resolver

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Every address of ``host``, checked (``ForbiddenAddress`` when one is not public)."""
        addresses = await checked_addresses(host, port, self._resolve, self._allow_private)
        return [
            ResolveResult(
                hostname=host,
                host=str(ip),
                port=port,
                family=socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in addresses
        ]

    async def close(self) -> None:
        """Nothing to release."""


class DeliveryClient:
    """Signed POSTs of activities, over one aiohttp session opened at the first one."""

    def __init__(
        self,
        policy: FetchPolicy,
        schemes: SchemeMemory,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._policy = policy
        self._schemes = schemes
        self._resolver = SafeResolver(allow_private=policy.allow_private, resolver=resolver)
        self._ssl: ssl.SSLContext | bool = ssl_context or True
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        if self._session is None:
            policy = self._policy
            connector = aiohttp.TCPConnector(
                limit=policy.max_connections,
                limit_per_host=policy.max_per_host,
                resolver=self._resolver,
                keepalive_timeout=policy.keepalive_expiry,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                headers={"User-Agent": policy.user_agent},
                timeout=aiohttp.ClientTimeout(
                    total=policy.total_timeout, sock_connect=policy.connect_timeout
                ),
            )
        return self._session

    async def post(
        self, url: str, body: bytes, *, key_id: str, private_key: PrivateKey
    ) -> PostResult:
        """POST ``body`` to the inbox ``url``, signed as ``key_id``; any status is returned.

        Raises ``UnsupportedURL`` or ``ForbiddenAddress`` (never sent), ``ConnectFailed``,
        ``FetchTimeout``, or ``FetchError`` for a connection broken on the way.
        """
        target = check_url(url, self._policy)
        if (literal := parse_ip(target.host)) is not None:
            # aiohttp does not resolve an IP literal: checked here, as the resolver would.
            refuse_forbidden(target.host, [literal], self._policy.allow_private)
        host = target.netloc.decode("ascii")
        first = self._schemes.get(host)
        result = await self._attempt(url, body, key_id, private_key, first)
        if result.status_code != 401:
            return result
        second = other_scheme(first)
        retried = await self._attempt(url, body, key_id, private_key, second)
        if retried.status_code != 401:
            self._schemes.remember(host, second)
        return retried

    async def _attempt(
        self, url: str, body: bytes, key_id: str, private_key: PrivateKey, scheme: Scheme
    ) -> PostResult:
        headers = {"Content-Type": AP_CONTENT_TYPE, "Accept": AP_ACCEPT}
        headers |= sign_request(
            "POST", url, headers, body, key_id=key_id, private_key=private_key, scheme=scheme
        )
        session = self._opened()
        try:
            async with asyncio.timeout(self._policy.total_timeout):
                # encoded=True: the path goes out exactly as signed.
                async with session.post(
                    URL(url, encoded=True), data=body, headers=headers, allow_redirects=False
                ) as response:
                    head = await _read_head(response.content, POST_RESPONSE_BYTES)
                    return PostResult(response.status, response.headers.get("Retry-After"), head)
        except TimeoutError as exc:
            reason = f"no answer within {self._policy.total_timeout:g} s"
            raise FetchTimeout(reason, url=url) from exc
        except aiohttp.ClientConnectorError as exc:
            raise ConnectFailed(f"cannot connect: {exc.os_error or exc}", url=url) from exc
        except aiohttp.ClientError as exc:
            raise FetchError(f"the connection failed: {exc!r}", url=url) from exc

    async def aclose(self) -> None:
        """Close the session and its keep-alive connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _read_head(stream: aiohttp.StreamReader, limit: int) -> bytes:
    body = bytearray()
    while len(body) < limit:
        chunk = await stream.read(limit - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)
