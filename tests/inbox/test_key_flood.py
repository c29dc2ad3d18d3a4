"""A flood of POSTs naming one key on a peer that hangs or resets: one fetch, 401 each,
and the instance keeps answering everyone else meanwhile."""

from __future__ import annotations

import asyncio
import json
from typing import Literal

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from federation.httpsig import sign_request
from tests.helpers import add_group
from tests.inbox.bad_peer import BadPeer
from tests.inbox.support import count_items, inbox_url
from tests.instances import Instance
from tests.peer import AP, Peer

FLOOD = 200


def forged_post(
    instance: Instance, key: PrivateKeyTypes, bad: BadPeer, n: int
) -> tuple[bytes, dict[str, str]]:
    """A Follow by an actor on ``bad``, signed with ``key`` under a key id on ``bad`` (any
    key will do: the key is never obtained)."""
    actor = bad.url("/users/ghost")
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": bad.url(f"/activities/{n}"),
        "type": "Follow",
        "actor": actor,
        "object": f"{instance.base_url}/groups/demo",
    }
    body = json.dumps(activity).encode()
    headers = {"Content-Type": AP}
    headers |= sign_request(
        "POST",
        inbox_url(instance),
        headers,
        body,
        key_id=actor + "#main-key",
        private_key=key,  # type: ignore[arg-type]
    )
    return body, headers


async def webfinger(instance: Instance) -> httpx.Response:
    """Look up the demo group by its handle."""
    async with instance.client() as client:
        resource = f"acct:demo@{instance.host}"
        return await client.get("/.well-known/webfinger", params={"resource": resource})


@pytest.mark.parametrize("mode", ["hang", "reset"])
async def test_a_flood_naming_one_bad_key_costs_one_fetch(
    instance: Instance, peer: Peer, mode: Literal["hang", "reset"]
) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    limits = httpx.Limits(max_connections=FLOOD, max_keepalive_connections=FLOOD)
    async with BadPeer(mode) as bad, httpx.AsyncClient(limits=limits, timeout=120) as client:
        # Given 200 POSTs at once, each naming a key on a peer that never serves it
        key = peer.actor("mallory").private_key
        posts = [forged_post(instance, key, bad, n) for n in range(FLOOD)]
        flood = [
            asyncio.create_task(client.post(inbox_url(instance), content=body, headers=headers))
            for body, headers in posts
        ]
        await bad.arrived.wait()
        if mode == "hang":
            # When the peer holds the key request open, others are answered meanwhile:
            # WebFinger, and a well-signed Follow from a peer never seen before
            found = await webfinger(instance)
            assert found.status_code == 200, found.text
            follow = peer.activity(alice, "Follow", f"{instance.base_url}/groups/demo")
            accepted = await peer.post(inbox_url(instance), follow)
            assert accepted.status_code == 202, accepted.text
            assert bad.open == 1 and not any(task.done() for task in flood)
            bad.release()
        answers = await asyncio.gather(*flood)

        # Then every flooded POST got 401 with the reason, after one request for the key
        assert [a.status_code for a in answers] == [401] * FLOOD
        assert all("could not fetch key" in a.text for a in answers), answers[0].text
        assert bad.requests == ["GET /users/ghost HTTP/1.1"]
        assert bad.connections == 1

        # And one more POST naming it is refused from memory, without a request
        body, headers = forged_post(instance, key, bad, FLOOD)
        again = await client.post(inbox_url(instance), content=body, headers=headers)
        assert again.status_code == 401 and "moments ago" in again.text, again.text
        assert bad.connections == 1
    assert await count_items(instance) == (1 if mode == "hang" else 0)
