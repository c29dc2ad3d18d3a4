"""A third-party client (bovine) discovers a group, fetches it and verifies its key."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from bovine.crypto.signature_checker import SignatureChecker
from bovine.crypto.types import CryptographicIdentifier

from actors.keys import load_private_key
from federation.httpsig import sign_request
from tests.bovine_peer import BovinePeer, start_bovine_peer
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.instances import Instance


@pytest.fixture
async def peer() -> AsyncIterator[BovinePeer]:
    peer = await start_bovine_peer()
    yield peer
    await peer.stop()


async def test_bovine_resolves_fetches_and_verifies(
    make_instance: InstanceFactory, peer: BovinePeer
) -> None:
    instance = await make_instance(authorized_fetch=True)
    group = await add_group(instance, "demo")

    # WebFinger, as bovine resolves handles.
    actor_id = await peer.resolve(f"demo@{instance.host}", instance.base_url)
    assert actor_id == f"{instance.base_url}/groups/demo"

    # Authorized fetch is on: unsigned is refused, bovine's signed GET is served.
    unsigned = await peer.get(actor_id, signed=False)
    assert unsigned.status == 401
    signed = await peer.get(actor_id, signed=True)
    assert signed.status == 200
    actor = await signed.json(content_type=None)
    assert actor["id"] == actor_id

    # bovine verifies a request signed with the group's key against the published key.
    identifier = CryptographicIdentifier.from_public_key(actor["publicKey"])

    async def retrieve(key_id: str) -> CryptographicIdentifier | None:
        return identifier if key_id == actor["publicKey"]["id"] else None

    url = f"{peer.base_url}/inbox"
    body = b'{"type":"Note"}'
    headers = {"Content-Type": "application/activity+json"}
    headers.update(
        sign_request(
            "POST",
            url,
            headers,
            body,
            key_id=actor["publicKey"]["id"],
            private_key=load_private_key(group.private_key_pem),
        )
    )

    async def get_body() -> bytes:
        return body

    lowered = {k.lower(): v for k, v in headers.items()}
    checker = SignatureChecker(retrieve)
    assert await checker.validate_signature("post", url, lowered, get_body) == actor_id
    lowered["digest"] = "SHA-256=" + "A" * 43 + "="
    assert await checker.validate_signature("post", url, lowered, get_body) is None


async def test_unsigned_fetch_allowed_without_authorized_fetch(
    instance: Instance, peer: BovinePeer
) -> None:
    await add_group(instance, "demo")
    response = await peer.get(f"{instance.base_url}/groups/demo", signed=False)
    assert response.status == 200


async def test_public_documents_stay_unsigned_under_authorized_fetch(
    make_instance: InstanceFactory, peer: BovinePeer
) -> None:
    instance = await make_instance(authorized_fetch=True)
    await add_group(instance, "demo")
    for path in ("/actor", "/.well-known/nodeinfo", "/nodeinfo/2.1"):
        response = await peer.get(instance.base_url + path, signed=False)
        assert response.status == 200, path
    jrd = await peer.resolve(f"demo@{instance.host}", instance.base_url)
    assert jrd == f"{instance.base_url}/groups/demo"
