"""The delivery client: signed POSTs over aiohttp, with the fetching client's rules.

Against a raw loopback server (``loopback_http``) that records exactly what arrives;
the SSRF list of ``test_ssrf`` is tried on this path too, with a resolver playing a
hostile DNS server, and must never reach the network.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence

import pytest
from loopback_http import LoopbackServer, Received, Reply
from test_ssrf import LISTED, literal_url

from actors.keys import generate_key_pair, load_private_key, load_public_key
from federation.delivery_client import POST_RESPONSE_BYTES, DeliveryClient
from federation.fetch_errors import ConnectFailed, FetchTimeout, ForbiddenAddress, UnsupportedURL
from federation.httpsig import SchemeMemory, verify_request
from federation.netpolicy import IPAddress, parse_ip
from federation.safe_client import FetchPolicy

DEV = FetchPolicy(user_agent="t", allow_http=True, allow_private=True)
STRICT = FetchPolicy(user_agent="t")
PRIVATE_PEM, PUBLIC_PEM = generate_key_pair()
KEY_ID = "https://groups.example/groups/g#main-key"
BODY = b'{"type":"Follow"}'


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer() as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[DeliveryClient]:
    delivery = DeliveryClient(DEV, SchemeMemory())
    yield delivery
    await delivery.aclose()


async def post(client: DeliveryClient, url: str) -> int:
    result = await client.post(url, BODY, key_id=KEY_ID, private_key=load_private_key(PRIVATE_PEM))
    return result.status_code


async def test_posts_the_body_signed(server: LoopbackServer, client: DeliveryClient) -> None:
    server.routes["/inbox"] = Reply(202, b"", None)
    assert await post(client, server.url("/inbox")) == 202
    received = server.received[0]
    assert (received.method, received.target, received.body) == ("POST", "/inbox", BODY)
    assert received.headers["content-type"] == "application/activity+json"
    assert received.headers["user-agent"] == "t"
    signed = verify_request(
        "POST", server.url("/inbox"), received.headers, received.body, load_public_key(PUBLIC_PEM)
    )
    assert signed.key_id == KEY_ID


async def test_the_path_goes_out_as_signed(server: LoopbackServer, client: DeliveryClient) -> None:
    server.routes["/users/a%2Fb/inbox"] = Reply(202, b"", None)
    url = server.url("/users/a%2Fb/inbox")
    assert await post(client, url) == 202
    received = server.received[0]
    assert received.target == "/users/a%2Fb/inbox"
    verify_request("POST", url, received.headers, received.body, load_public_key(PUBLIC_PEM))


async def test_a_401_is_answered_with_the_other_scheme_once_and_remembered(
    server: LoopbackServer,
) -> None:
    def rfc9421_only(request: Received) -> Reply:
        return Reply(202 if "signature-input" in request.headers else 401, b"", None)

    server.routes["/inbox"] = rfc9421_only
    schemes = SchemeMemory()
    client = DeliveryClient(DEV, schemes)
    try:
        assert await post(client, server.url("/inbox")) == 202
        assert await post(client, server.url("/inbox")) == 202
    finally:
        await client.aclose()
    # cavage refused, RFC 9421 accepted; then RFC 9421 straight away
    assert ["signature-input" in r.headers for r in server.received] == [False, True, True]
    assert schemes.get(f"127.0.0.1:{server.port}") == "rfc9421"


async def test_does_not_follow_redirects(server: LoopbackServer, client: DeliveryClient) -> None:
    server.routes["/inbox"] = Reply(307, headers={"Location": "/elsewhere"})
    assert await post(client, server.url("/inbox")) == 307
    assert [r.target for r in server.received] == ["/inbox"]


async def test_reads_only_the_head_of_a_huge_answer(server: LoopbackServer) -> None:
    # A body that never ends: only its head is read, then the connection is dropped.
    server.routes["/inbox"] = Reply(
        400, b" " * 2_000_000, "text/plain", content_length=False, hang=True
    )
    policy = FetchPolicy(user_agent="t", allow_http=True, allow_private=True, total_timeout=3)
    client = DeliveryClient(policy, SchemeMemory())
    started = time.monotonic()
    try:
        result = await client.post(
            server.url("/inbox"), BODY, key_id=KEY_ID, private_key=load_private_key(PRIVATE_PEM)
        )
    finally:
        await client.aclose()
    assert time.monotonic() - started < 1
    assert (result.status_code, len(result.body)) == (400, POST_RESPONSE_BYTES)


async def test_has_a_total_deadline(server: LoopbackServer) -> None:
    server.routes["/inbox"] = Reply(202, b"x" * 100, drip=0.1)
    policy = FetchPolicy(user_agent="t", allow_http=True, allow_private=True, total_timeout=0.3)
    client = DeliveryClient(policy, SchemeMemory())
    try:
        with pytest.raises(FetchTimeout):
            await post(client, server.url("/inbox"))
    finally:
        await client.aclose()


async def test_retry_after_is_returned(server: LoopbackServer, client: DeliveryClient) -> None:
    server.routes["/inbox"] = Reply(503, b"", None, headers={"Retry-After": "120"})
    result = await client.post(
        server.url("/inbox"), BODY, key_id=KEY_ID, private_key=load_private_key(PRIVATE_PEM)
    )
    assert (result.status_code, result.retry_after) == (503, "120")


async def test_a_closed_port_is_a_connect_failure(client: DeliveryClient) -> None:
    with pytest.raises(ConnectFailed):
        await post(client, "http://127.0.0.1:1/inbox")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/inbox", "http://example.com/inbox",
            "https://user:pw@example.com/inbox", "not a url"],
)  # fmt: skip
async def test_unsupported_urls_refused_before_io(url: str) -> None:
    client = DeliveryClient(STRICT, SchemeMemory())
    try:
        with pytest.raises(UnsupportedURL):
            await post(client, url)
    finally:
        await client.aclose()


def hostile_dns(answer: str, asked: list[str]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> Sequence[IPAddress]:
        asked.append(host)
        ip = parse_ip(answer)
        assert ip is not None
        return [ip]

    return resolve


@pytest.mark.parametrize("address", LISTED)
@pytest.mark.parametrize("how", ["literal", "dns"])
async def test_the_ssrf_list_is_refused_on_the_delivery_path(
    address: str, how: str, server: LoopbackServer
) -> None:
    # The server listens on 127.0.0.1: a refusal that failed would reach it.
    asked: list[str] = []
    policy = FetchPolicy(user_agent="t")
    client = DeliveryClient(policy, SchemeMemory(), resolver=hostile_dns(address, asked))
    url = literal_url(address) if how == "literal" else "https://public.example/inbox"
    try:
        with pytest.raises(ForbiddenAddress):
            await post(client, url)
    finally:
        await client.aclose()
    assert server.received == []
    assert asked == ([] if how == "literal" else ["public.example"])


async def test_development_mode_is_the_only_way_to_a_private_address(
    server: LoopbackServer,
) -> None:
    server.routes["/inbox"] = Reply(202, b"", None)
    url = f"http://public.example:{server.port}/inbox"
    for policy, outcome in ((FetchPolicy(user_agent="t", allow_http=True), "refused"), (DEV, 202)):
        client = DeliveryClient(policy, SchemeMemory(), resolver=hostile_dns("127.0.0.1", []))
        try:
            if outcome == "refused":
                with pytest.raises(ForbiddenAddress):
                    await post(client, url)
            else:
                assert await post(client, url) == outcome
        finally:
            await client.aclose()
    assert len(server.received) == 1
