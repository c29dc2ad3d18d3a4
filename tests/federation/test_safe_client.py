"""The connect-time address check, against a real server on a loopback port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence

import httpcore
import httpx
import pytest
from loopback_http import LoopbackServer, Reply, self_signed

from federation.fetch import fetch_document
from federation.fetch_errors import ConnectFailed, ForbiddenAddress
from federation.netpolicy import IPAddress, parse_ip
from federation.safe_client import FetchPolicy, SafeNetworkBackend, build_client

STRICT = FetchPolicy(user_agent="Mutuals-test/1", allow_http=True)
DEV = FetchPolicy(user_agent="Mutuals-test/1", allow_http=True, allow_private=True)


def resolver_for(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """A fake DNS: names map to fixed addresses, anything else does not exist."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> Sequence[IPAddress]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ip for ip in map(parse_ip, table[host]) if ip is not None]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def doc(url: str) -> Reply:
    return Reply(body=b'{"id": "%s", "type": "Group"}' % url.encode())


@pytest.fixture
async def server():  # type: ignore[no-untyped-def]
    async with LoopbackServer() as running:
        running.routes["/actor"] = doc(running.url("/actor"))
        yield running


async def test_loopback_literal_refused_at_connect(server: LoopbackServer) -> None:
    async with build_client(STRICT) as client:
        with pytest.raises(ForbiddenAddress, match="loopback"):
            await client.get(server.url("/actor"))
    assert server.connections == 0


async def test_same_server_reachable_in_development_mode(server: LoopbackServer) -> None:
    async with build_client(DEV) as client:
        response = await client.get(server.url("/actor"))
    assert response.status_code == 200
    assert server.received[0].headers["user-agent"] == "Mutuals-test/1"


async def test_public_looking_name_resolving_to_loopback_refused(server: LoopbackServer) -> None:
    resolve = resolver_for({"public.example": ["127.0.0.1"]})
    async with build_client(STRICT, resolver=resolve) as client:
        with pytest.raises(ForbiddenAddress, match=r"public\.example is 127\.0\.0\.1"):
            await fetch_document(client, server.url("/actor", host="public.example"), policy=STRICT)
    assert resolve.calls == ["public.example"]  # type: ignore[attr-defined]
    assert server.connections == 0


async def test_one_private_address_among_public_ones_refuses(server: LoopbackServer) -> None:
    resolve = resolver_for({"mixed.example": ["93.184.216.34", "10.0.0.7"]})
    async with build_client(STRICT, resolver=resolve) as client:
        with pytest.raises(ForbiddenAddress, match=r"10\.0\.0\.7"):
            await client.get(server.url("/actor", host="mixed.example"))


async def test_numeric_host_forms_are_judged_by_the_resolved_address(
    server: LoopbackServer,
) -> None:
    # 2130706433 is 127.0.0.1 written as one number; the system resolver accepts it.
    async with build_client(STRICT) as client:
        with pytest.raises(ForbiddenAddress, match=r"127\.0\.0\.1"):
            await client.get(server.url("/actor", host="2130706433"))
    assert server.connections == 0


async def test_ipv6_loopback_literal_refused() -> None:
    async with build_client(STRICT) as client:
        with pytest.raises(ForbiddenAddress, match="::1"):
            await client.get("http://[::1]:9/")


async def test_unresolvable_name_is_connect_failed() -> None:
    resolve = resolver_for({})
    async with build_client(STRICT, resolver=resolve) as client:
        with pytest.raises(ConnectFailed, match="cannot resolve"):
            await fetch_document(client, "http://gone.example/actor", policy=STRICT)


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records where connections go, reaches nothing."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(  # type: ignore[override]
        self, host: str, port: int, *args: object, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        raise httpcore.ConnectError("unreachable in tests")


async def test_connects_to_the_checked_address_not_the_name_again() -> None:
    resolve = resolver_for({"peer.example": ["93.184.216.34", "2606:2800:220:1::1"]})
    network = RecordingBackend()
    backend = SafeNetworkBackend(resolver=resolve, inner=network)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("peer.example", 443, timeout=1)
    assert network.hosts == ["93.184.216.34", "2606:2800:220:1::1"]
    assert resolve.calls == ["peer.example"]  # type: ignore[attr-defined]


async def test_slow_resolver_is_a_connect_timeout() -> None:
    async def stuck(host: str, port: int) -> Sequence[IPAddress]:
        await asyncio.sleep(10)
        return []

    backend = SafeNetworkBackend(resolver=stuck, inner=RecordingBackend())
    with pytest.raises(httpcore.ConnectTimeout):
        await backend.connect_tcp("slow.example", 443, timeout=0.05)


async def test_unix_sockets_refused() -> None:
    with pytest.raises(ForbiddenAddress):
        await SafeNetworkBackend().connect_unix_socket("/run/docker.sock")


async def test_tls_verifies_the_host_name_while_connecting_to_the_address() -> None:
    server_tls, client_tls = self_signed("fedi.example")
    seen_sni: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, ctx: seen_sni.append(name)  # type: ignore[assignment,misc,func-returns-value]
    resolve = resolver_for({"fedi.example": ["127.0.0.1"]})
    async with LoopbackServer(ssl_context=server_tls) as server:
        url = server.url("/actor", host="fedi.example", scheme="https")
        server.routes["/actor"] = doc(url)
        policy = FetchPolicy(user_agent="t", allow_private=True)
        async with build_client(policy, resolver=resolve, ssl_context=client_tls) as client:
            fetched = await fetch_document(client, url, policy=policy)
            assert fetched.data["type"] == "Group"
            # Same server by address: the certificate does not name 127.0.0.1.
            with pytest.raises(ConnectFailed, match="CERTIFICATE_VERIFY_FAILED"):
                await fetch_document(client, server.url("/actor", scheme="https"), policy=policy)
    assert seen_sni[0] == "fedi.example"


async def test_keep_alive_reuses_one_connection(server: LoopbackServer) -> None:
    async with build_client(DEV) as client:
        for _ in range(3):
            await fetch_document(client, server.url("/actor"), policy=DEV)
    assert server.connections == 1


async def test_per_host_limit_bounds_concurrency(server: LoopbackServer) -> None:
    server.routes["/slow"] = Reply(body=b"{}", delay=0.05)
    policy = FetchPolicy(user_agent="t", allow_http=True, allow_private=True, max_per_host=2)
    async with build_client(policy) as client:
        responses = await asyncio.gather(*(client.get(server.url("/slow")) for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert server.max_in_flight == 2
    assert server.connections == 2


async def test_client_does_not_follow_redirects(server: LoopbackServer) -> None:
    server.routes["/moved"] = Reply(302, headers={"Location": "/actor"})
    async with build_client(DEV) as client:
        response = await client.get(server.url("/moved"))
    assert response.status_code == 302
    assert [r.target for r in server.received] == ["/moved"]


async def test_proxy_variables_are_ignored(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would bypass the address check. httpx mounts none from the environment
    # when given a transport, and build_client turns trust_env off as well.
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.invalid:3128")
    async with build_client(STRICT) as client:
        with pytest.raises(ForbiddenAddress):
            await client.get(server.url("/actor"))


async def test_transport_errors_surface_as_httpx_errors(server: LoopbackServer) -> None:
    # A server that hangs up mid-body: the custom transport maps httpcore's error.
    server.routes["/cut"] = Reply(
        body=b"{}", headers={"Content-Length": "50"}, content_length=False
    )
    async with build_client(DEV) as client:
        with pytest.raises(httpx.TransportError):
            await client.get(server.url("/cut"))


def test_policy_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="positive"):
        FetchPolicy(user_agent="t", max_bytes=0)
