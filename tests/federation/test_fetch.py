"""fetch_document and FailureMemory: the rules on top of the safe client (posting:
test_delivery_client)."""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Sequence

import httpcore
import httpx
import pytest
from loopback_http import LoopbackServer, Reply

from federation.failure_memory import FailureMemory
from federation.fetch import AP_ACCEPT, JRD_ACCEPT, fetch_document
from federation.fetch_errors import (
    BadContentType,
    BadStatus,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    ForbiddenAddress,
    IdMismatch,
    InvalidDocument,
    RecentlyFailed,
    RedirectLoop,
    TooLarge,
    TooManyRedirects,
    UnsupportedURL,
)
from federation.netpolicy import IPAddress, parse_ip
from federation.safe_client import FetchPolicy, SafeNetworkBackend, SafeTransport, build_client

DEV = FetchPolicy(user_agent="t", allow_http=True, allow_private=True)
STRICT = FetchPolicy(user_agent="t")
TWO_MB = b" " * 2_000_000


def document(url: str, content_type: str = "application/activity+json", **extra: object) -> Reply:
    body = json.dumps({"id": url, "type": "Person", **extra}).encode()
    return Reply(body=body, content_type=content_type)


@pytest.fixture
async def server():  # type: ignore[no-untyped-def]
    async with LoopbackServer() as running:
        yield running


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    async with build_client(DEV) as dev_client:
        yield dev_client


# --- fetching that works ---------------------------------------------------------------


async def test_fetches_an_actor(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    url = server.url("/users/a")
    server.routes["/users/a"] = document(url, name="A")
    fetched = await fetch_document(client, url, policy=DEV)
    assert fetched.final_url == url
    assert fetched.data["name"] == "A"
    assert fetched.headers["content-type"] == "application/activity+json"
    assert server.received[0].headers["accept"] == AP_ACCEPT


async def test_key_id_with_fragment_matches_the_document_id(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    url = server.url("/users/a")
    server.routes["/users/a"] = document(url)
    fetched = await fetch_document(client, url + "#main-key", policy=DEV)
    assert fetched.final_url == url


async def test_ld_json_with_the_activitystreams_profile_is_accepted(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    url = server.url("/note")
    server.routes["/note"] = document(
        url, 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    )
    assert (await fetch_document(client, url, policy=DEV)).data["id"] == url


async def test_five_redirects_are_followed_and_the_id_is_the_final_url(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    for hop in range(5):
        server.routes[f"/r{hop}"] = Reply(302, headers={"Location": f"/r{hop + 1}"})
    server.routes["/r5"] = document(server.url("/r5"))
    fetched = await fetch_document(client, server.url("/r0"), policy=DEV)
    assert fetched.final_url == server.url("/r5")
    assert len(server.received) == 6


async def test_jrd_accepts_plain_json_and_has_no_id_rule(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    server.routes["/.well-known/webfinger"] = Reply(
        body=b'{"subject": "acct:a@x"}', content_type="application/json; charset=utf-8"
    )
    fetched = await fetch_document(
        client,
        server.url("/.well-known/webfinger?resource=acct:a@x"),
        policy=DEV,
        accept=JRD_ACCEPT,
        kind="jrd",
    )
    assert fetched.data == {"subject": "acct:a@x"}


async def test_auth_signs_every_request(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    class Stamp(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
            request.headers["Signature"] = f"for {request.url.path}"
            yield request

    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    server.routes["/new"] = document(server.url("/new"))
    await fetch_document(client, server.url("/old"), policy=DEV, auth=Stamp())
    assert [r.headers["signature"] for r in server.received] == ["for /old", "for /new"]


# --- redirects -------------------------------------------------------------------------


async def test_six_redirects_are_too_many(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    for hop in range(6):
        server.routes[f"/r{hop}"] = Reply(302, headers={"Location": f"/r{hop + 1}"})
    server.routes["/r6"] = document(server.url("/r6"))
    with pytest.raises(TooManyRedirects):
        await fetch_document(client, server.url("/r0"), policy=DEV)
    assert len(server.received) == 6


async def test_redirect_loop_refused(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    server.routes["/a"] = Reply(307, headers={"Location": "/b"})
    server.routes["/b"] = Reply(308, headers={"Location": server.url("/a")})
    with pytest.raises(RedirectLoop):
        await fetch_document(client, server.url("/a"), policy=DEV)
    assert len(server.received) == 2


async def test_redirect_to_a_file_url_refused(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    server.routes["/a"] = Reply(302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(UnsupportedURL, match="'file'"):
        await fetch_document(client, server.url("/a"), policy=DEV)


class PretendInternet(httpcore.AsyncNetworkBackend):
    """93.184.216.34 (a public address) is served by the loopback server in these tests."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.hosts: list[str] = []

    async def connect_tcp(  # type: ignore[override]
        self, host: str, port: int, *args: object, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        real = "127.0.0.1" if host == "93.184.216.34" else host
        return await self.inner.connect_tcp(real, port, *args, **kwargs)  # type: ignore[arg-type]


def strict_client_on_pretend_internet() -> tuple[httpx.AsyncClient, PretendInternet]:
    async def resolve(host: str, port: int) -> Sequence[IPAddress]:
        table = {"public.example": "93.184.216.34", "intranet.example": "10.1.2.3"}
        ip = parse_ip(table[host])
        assert ip is not None
        return [ip]

    network = PretendInternet()
    pool = httpcore.AsyncConnectionPool(
        network_backend=SafeNetworkBackend(resolver=resolve, inner=network)
    )
    policy = FetchPolicy(user_agent="t", allow_http=True)
    return build_client(policy, transport=SafeTransport(pool, max_per_host=2)), network


@pytest.mark.parametrize(
    "location", ["http://127.0.0.1:{port}/secret", "http://intranet.example:{port}/secret"]
)
async def test_redirect_from_a_public_host_to_a_private_address_refused(
    server: LoopbackServer, location: str
) -> None:
    policy = FetchPolicy(user_agent="t", allow_http=True)
    public_url = server.url("/actor", host="public.example")
    server.routes["/actor"] = document(public_url)
    server.routes["/hop"] = Reply(302, headers={"Location": location.format(port=server.port)})
    server.routes["/secret"] = document(server.url("/secret"))
    client, network = strict_client_on_pretend_internet()
    async with client:
        # Given a public host that really is reachable…
        assert (await fetch_document(client, public_url, policy=policy)).final_url == public_url
        # …when it redirects to a private address, the second hop is never connected.
        with pytest.raises(ForbiddenAddress):
            await fetch_document(client, server.url("/hop", host="public.example"), policy=policy)
    assert [r.target for r in server.received] == ["/actor", "/hop"]
    assert network.hosts == ["93.184.216.34"]  # the kept-alive connection, nothing else


# --- size, time, type, identity --------------------------------------------------------


@pytest.mark.parametrize("with_length", [True, False])
async def test_two_megabytes_is_too_large(
    server: LoopbackServer, client: httpx.AsyncClient, with_length: bool
) -> None:
    server.routes["/big"] = Reply(body=b'{"a": "' + TWO_MB + b'"}', content_length=with_length)
    with pytest.raises(TooLarge, match="Content-Length" if with_length else "body exceeds"):
        await fetch_document(client, server.url("/big"), policy=DEV)


async def test_dripping_server_cut_off_at_total_timeout(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    server.routes["/drip"] = Reply(body=b'{"id": "x", "padding": "......"}', drip=0.1)
    policy = FetchPolicy(user_agent="t", allow_http=True, allow_private=True, total_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        await fetch_document(client, server.url("/drip"), policy=policy)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",
        "application/json",
        "application/ld+json",
        'application/ld+json; profile="https://example.com/other"',
        None,
    ],
)
async def test_wrong_content_type_refused(
    server: LoopbackServer, client: httpx.AsyncClient, content_type: str | None
) -> None:
    url = server.url("/x")
    server.routes["/x"] = Reply(body=json.dumps({"id": url}).encode(), content_type=content_type)
    with pytest.raises(BadContentType):
        await fetch_document(client, url, policy=DEV)


async def test_jrd_refuses_html(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    server.routes["/wf"] = Reply(body=b"{}", content_type="text/html")
    with pytest.raises(BadContentType):
        await fetch_document(client, server.url("/wf"), policy=DEV, kind="jrd")


@pytest.mark.parametrize(
    "served_id", ["https://elsewhere.example/users/a", None, 42, "http://127.0.0.1:1/users/a"]
)
async def test_id_must_be_the_url_served_from(
    server: LoopbackServer, client: httpx.AsyncClient, served_id: object
) -> None:
    server.routes["/users/a"] = Reply(body=json.dumps({"id": served_id}).encode())
    with pytest.raises(IdMismatch):
        await fetch_document(client, server.url("/users/a"), policy=DEV)


async def test_id_of_the_redirecting_url_is_not_enough(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    server.routes["/old"] = Reply(302, headers={"Location": "/new"})
    server.routes["/new"] = document(server.url("/old"))
    with pytest.raises(IdMismatch):
        await fetch_document(client, server.url("/old"), policy=DEV)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"{not json", b"\xff\xfe"])
async def test_body_must_be_a_json_object(
    server: LoopbackServer, client: httpx.AsyncClient, body: bytes
) -> None:
    server.routes["/x"] = Reply(body=body)
    with pytest.raises(InvalidDocument):
        await fetch_document(client, server.url("/x"), policy=DEV)


async def test_error_status_is_bad_status(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    server.routes["/gone"] = Reply(410, b"", "text/plain")
    with pytest.raises(BadStatus) as caught:
        await fetch_document(client, server.url("/gone"), policy=DEV)
    assert caught.value.status_code == 410


async def test_connection_refused_is_connect_failed(client: httpx.AsyncClient) -> None:
    async with LoopbackServer() as closed:
        url = closed.url("/x")
    with pytest.raises(ConnectFailed):
        await fetch_document(client, url, policy=DEV)


# --- schemes, before any I/O -----------------------------------------------------------


def no_io_client(policy: FetchPolicy) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request should be sent, got {request.url}")

    return build_client(policy, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:application/activity+json,{}",
        "ftp://example.com/x",
        "gopher://example.com/",
        "http://example.com/actor",  # http is refused unless allow_http
        "https://user:pw@example.com/actor",
        "https:///nohost",
        "not a url",
    ],
)
async def test_unsupported_urls_refused_before_io(url: str) -> None:
    async with no_io_client(STRICT) as client:
        with pytest.raises(UnsupportedURL):
            await fetch_document(client, url, policy=STRICT)


async def test_https_redirect_to_http_refused_without_allow_http() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.scheme == "https"
        return httpx.Response(302, headers={"Location": "http://example.com/actor"})

    async with build_client(STRICT, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(UnsupportedURL, match="'http'"):
            await fetch_document(client, "https://example.com/actor", policy=STRICT)


async def test_mock_transport_still_gets_every_rule() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": str(request.url)}, headers={"Content-Type": "x/y"})

    async with build_client(STRICT, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(BadContentType):
            await fetch_document(client, "https://example.com/a", policy=STRICT)


async def test_every_failure_is_a_fetch_error(client: httpx.AsyncClient) -> None:
    # A refused address is a FetchError too, never an httpx exception.
    async with build_client(STRICT) as strict:
        with pytest.raises(FetchError):
            await fetch_document(strict, "https://127.0.0.1:1/x", policy=STRICT)


# --- FailureMemory ---------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failure_memory_remembers_then_forgets_a_url() -> None:
    clock = FakeClock()
    memory = FailureMemory(ttl=60, clock=clock)
    memory.record("https://a.example/users/x#main-key", BadStatus(404))
    with pytest.raises(RecentlyFailed, match="HTTP status 404"):
        memory.check("https://a.example/users/x")
    memory.check("https://a.example/users/y")  # other URLs on the host are fine
    clock.now += 59.9
    with pytest.raises(RecentlyFailed):
        memory.check("https://a.example/users/x")
    clock.now += 0.2
    memory.check("https://a.example/users/x")
    assert len(memory) == 0


def test_failure_memory_host_wide_failures_cover_the_host() -> None:
    clock = FakeClock()
    memory = FailureMemory(ttl=60, clock=clock)
    memory.record("https://down.example/users/x", FetchTimeout("slow"))
    with pytest.raises(RecentlyFailed):
        memory.check("https://down.example/users/other")
    memory.check("https://up.example/users/x")
    clock.now += 61
    memory.check("https://down.example/users/other")


def test_failure_memory_is_bounded() -> None:
    clock = FakeClock()
    memory = FailureMemory(ttl=60, max_entries=3, clock=clock)
    for n in range(5):
        clock.now += 1
        memory.record(f"https://h.example/{n}", BadStatus(500))
    assert len(memory) == 3
    memory.check("https://h.example/0")  # the oldest were dropped
    memory.check("https://h.example/1")
    with pytest.raises(RecentlyFailed):
        memory.check("https://h.example/4")


def test_failure_memory_refreshes_a_repeated_failure() -> None:
    clock = FakeClock()
    memory = FailureMemory(ttl=60, clock=clock)
    memory.record("https://h.example/a", BadStatus(500))
    clock.now += 10
    memory.record("https://h.example/b", BadStatus(500))
    clock.now += 20
    memory.record("https://h.example/a", BadStatus(500))
    clock.now += 45  # /a: 75 s after its first failure, 45 s after its second; /b: 65 s
    with pytest.raises(RecentlyFailed):
        memory.check("https://h.example/a")
    memory.check("https://h.example/b")
    assert len(memory) == 1
    clock.now += 16
    memory.check("https://h.example/a")
    assert len(memory) == 0
