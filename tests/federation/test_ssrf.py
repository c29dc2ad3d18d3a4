"""Issue 5's SSRF list, end to end through ``fetch_document`` with development mode off.

Each address is tried two ways: as a literal in the URL, and as the answer a hostile
DNS server gives for a public-looking name. Neither may ever reach the network; the
same URLs do go through when development mode allows private addresses, which proves
the refusal comes from the policy and not from something else failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import httpcore
import httpx
import pytest

from federation.fetch import fetch_document
from federation.fetch_errors import ConnectFailed, ForbiddenAddress, UnsupportedURL
from federation.netpolicy import IPAddress, parse_ip
from federation.safe_client import FetchPolicy, SafeNetworkBackend, SafeTransport, build_client
from web.runtime import fetch_policy
from web.settings import Settings

LISTED = [
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "::1",
    "fc00::1",
    "100.64.0.1",
    "64:ff9b::1",
    # and their neighbours a sloppy table would miss
    "::ffff:127.0.0.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 form of 169.254.169.254
    "0.0.0.0",
    "2002:a00:1::1",  # 6to4
    "2001:0:4136:e378::1",  # Teredo
]


class Unreachable(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records every connection attempt, completes none."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append(host)
        raise httpcore.ConnectError("the test network reaches nothing")


def client_for(policy: FetchPolicy, dns: dict[str, str], network: Unreachable) -> httpx.AsyncClient:
    async def resolve(host: str, port: int) -> Sequence[IPAddress]:
        ip = parse_ip(dns[host])
        assert ip is not None
        return [ip]

    backend = SafeNetworkBackend(
        allow_private=policy.allow_private, resolver=resolve, inner=network
    )
    pool = httpcore.AsyncConnectionPool(network_backend=backend)
    return build_client(policy, transport=SafeTransport(pool, max_per_host=2))


def literal_url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"https://{host}/users/a"


@pytest.mark.parametrize("address", LISTED)
@pytest.mark.parametrize("how", ["literal", "dns"])
async def test_refused_without_development_mode(address: str, how: str) -> None:
    policy = FetchPolicy(user_agent="t")
    network = Unreachable()
    url = literal_url(address) if how == "literal" else "https://public.example/users/a"
    async with client_for(policy, {"public.example": address}, network) as client:
        with pytest.raises(ForbiddenAddress):
            await fetch_document(client, url, policy=policy)
    assert network.attempts == []


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1"])
async def test_development_mode_is_the_only_way_through(address: str) -> None:
    policy = FetchPolicy(user_agent="t", allow_private=True)
    network = Unreachable()
    async with client_for(policy, {"public.example": address}, network) as client:
        with pytest.raises(ConnectFailed):  # got as far as the (fake) network
            await fetch_document(client, "https://public.example/users/a", policy=policy)
    assert network.attempts == [address]


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "data:application/activity+json,{}", "gopher://x.example/"]
)
@pytest.mark.parametrize("dev", [False, True])
async def test_file_and_data_urls_refused_even_in_development_mode(url: str, dev: bool) -> None:
    policy = FetchPolicy(user_agent="t", allow_private=dev, allow_http=dev)
    network = Unreachable()
    async with client_for(policy, {}, network) as client:
        with pytest.raises(UnsupportedURL):
            await fetch_document(client, url, policy=policy)
    assert network.attempts == []


def test_runtime_policy_allows_private_addresses_only_in_development_mode() -> None:
    production = fetch_policy(Settings(base_url="https://groups.example"))
    development = fetch_policy(Settings(base_url="http://127.0.0.1:8000", dev=True))
    assert (production.allow_private, production.allow_http) == (False, False)
    assert (development.allow_private, development.allow_http) == (True, True)
    assert (production.max_redirects, production.max_bytes) == (5, 1_000_000)
    assert (production.connect_timeout, production.total_timeout) == (5.0, 30.0)
