"""HttpSignatureAuth against fake servers (httpx.MockTransport): signing and the double-knock."""

from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.httpsig import (
    HttpSignatureAuth,
    Scheme,
    SchemeMemory,
    SignatureError,
    verify_request,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KEY_ID = "https://groups.example/groups/garden#main-key"
INBOX = "https://mastodon.example/inbox"
BODY = b'{"type": "Create"}'


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeServer:
    """Accepts only the listed schemes, and only signatures that really verify."""

    def __init__(self, key: rsa.RSAPrivateKey, accepts: set[Scheme]) -> None:
        self.public_key = key.public_key()
        self.accepts = accepts
        self.seen: list[Scheme | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        try:
            result = verify_request(
                request.method,
                str(request.url),
                request.headers,
                request.content,
                self.public_key,
                now=NOW,
            )
        except SignatureError as error:
            self.seen.append(None)
            return httpx.Response(401, text=error.reason)
        self.seen.append(result.scheme)
        if result.scheme not in self.accepts:
            return httpx.Response(401, text="unsupported signature scheme")
        return httpx.Response(202 if request.method == "POST" else 200)


def _client(server: FakeServer, auth: HttpSignatureAuth) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth)


def _auth(key: rsa.RSAPrivateKey, memory: SchemeMemory) -> HttpSignatureAuth:
    return HttpSignatureAuth(KEY_ID, key, memory, clock=lambda: NOW)


async def test_double_knock_switches_to_rfc9421_and_remembers(key: rsa.RSAPrivateKey) -> None:
    server = FakeServer(key, accepts={"rfc9421"})
    memory = SchemeMemory()
    async with _client(server, _auth(key, memory)) as client:
        # Given a server that refuses cavage, when we post, then we retry once with RFC 9421.
        response = await client.post(INBOX, content=BODY)
        assert response.status_code == 202
        assert server.seen == ["cavage", "rfc9421"]  # both really verified on the server side
        assert memory.get("mastodon.example") == "rfc9421"
        assert response.request.headers["signature-input"].startswith("sig1=(")
        assert "digest" not in response.request.headers  # cavage leftovers removed

        # The next request to that host starts with RFC 9421: one round trip.
        server.seen.clear()
        response = await client.get("https://mastodon.example/users/bob")
        assert response.status_code == 200
        assert server.seen == ["rfc9421"]


async def test_memory_is_per_host_and_shared_between_clients(key: rsa.RSAPrivateKey) -> None:
    memory = SchemeMemory()
    memory.remember("mastodon.example", "rfc9421")
    server = FakeServer(key, accepts={"cavage", "rfc9421"})
    async with _client(server, _auth(key, memory)) as client:
        await client.post(INBOX, content=BODY)
        await client.post("https://other.example/inbox", content=BODY)
    assert server.seen == ["rfc9421", "cavage"]
    assert list(memory) == ["mastodon.example"]


async def test_cavage_accepted_first_time_sends_once(key: rsa.RSAPrivateKey) -> None:
    server = FakeServer(key, accepts={"cavage"})
    memory = SchemeMemory()
    async with _client(server, _auth(key, memory)) as client:
        response = await client.post(INBOX, content=BODY)
    assert response.status_code == 202
    assert server.seen == ["cavage"]
    assert "mastodon.example" not in memory


async def test_remembered_rfc9421_falls_back_to_cavage(key: rsa.RSAPrivateKey) -> None:
    memory = SchemeMemory()
    memory.remember("mastodon.example", "rfc9421")
    server = FakeServer(key, accepts={"cavage"})
    async with _client(server, _auth(key, memory)) as client:
        response = await client.post(INBOX, content=BODY)
    assert response.status_code == 202
    assert server.seen == ["rfc9421", "cavage"]
    assert memory["mastodon.example"] == "cavage"
    assert "content-digest" not in response.request.headers


async def test_both_refused_retries_once_and_keeps_memory(key: rsa.RSAPrivateKey) -> None:
    server = FakeServer(key, accepts=set())
    memory = SchemeMemory()
    async with _client(server, _auth(key, memory)) as client:
        response = await client.post(INBOX, content=BODY)
    assert response.status_code == 401
    assert server.seen == ["cavage", "rfc9421"]  # exactly two attempts
    assert len(memory) == 0
    assert memory.get("mastodon.example") == "cavage"


def test_auth_works_with_a_sync_client_too(key: rsa.RSAPrivateKey) -> None:
    server = FakeServer(key, accepts={"rfc9421"})
    auth = _auth(key, SchemeMemory())
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        assert client.post(INBOX, content=BODY).status_code == 202
    assert server.seen == ["cavage", "rfc9421"]
