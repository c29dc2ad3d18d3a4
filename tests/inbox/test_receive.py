"""The receive pipeline through the real inbox routes: what is answered and what is stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from actors.keys import generate_key_pair, load_private_key
from inbox.models import InboxItem
from tests.helpers import add_group
from tests.inbox.support import count_items, inbox_url, only_item, rows
from tests.instances import Instance
from tests.peer import Peer


def follow_of(peer: Peer, instance: Instance, actor: str = "alice") -> dict[str, object]:
    return peer.activity(peer.actor(actor), "Follow", f"{instance.base_url}/groups/demo")


async def test_signed_activity_is_stored_and_accepted(instance: Instance, peer: Peer) -> None:
    group = await add_group(instance, "demo")
    activity = follow_of(peer, instance)

    res = await peer.post(inbox_url(instance), activity)

    assert (res.status_code, res.text) == (202, "accepted\n")
    item = await only_item(instance)
    assert item.activity_ap_id == activity["id"]
    assert item.actor_ap_id == peer.actor("alice").id
    assert item.group_id == group.id
    assert item.payload == activity
    assert item.status == "pending"


async def test_shared_inbox_stores_without_a_group(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    res = await peer.post(inbox_url(instance, None), follow_of(peer, instance))
    assert res.status_code == 202
    assert (await only_item(instance)).group_id is None


async def test_replay_is_accepted_once(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    activity = follow_of(peer, instance)
    first = await peer.post(inbox_url(instance), activity)
    again = await peer.post(inbox_url(instance, None), activity)
    assert first.status_code == again.status_code == 202
    assert again.text == "already received\n"
    assert await count_items(instance) == 1


async def test_concurrent_duplicates_store_one_item(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    activity = follow_of(peer, instance)

    answers = await asyncio.gather(*(peer.post(inbox_url(instance), activity) for _ in range(8)))

    assert {res.status_code for res in answers} == {202}
    assert await count_items(instance) == 1


async def test_unknown_group_is_404(instance: Instance, peer: Peer) -> None:
    res = await peer.post(inbox_url(instance, "nobody"), follow_of(peer, instance))
    assert res.status_code == 404
    assert await count_items(instance) == 0


async def test_unsigned_post_is_401(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    res = await peer.post(
        inbox_url(instance), follow_of(peer, instance), headers={"Content-Type": "application/json"}
    )
    assert res.status_code == 401
    assert "no signature" in res.text
    assert await count_items(instance) == 0


async def test_wrong_key_is_401(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    activity = follow_of(peer, instance)
    body = json.dumps(activity).encode()
    other_key = load_private_key(generate_key_pair()[0])
    headers = peer.signed_headers(alice, inbox_url(instance), body, key=other_key)

    res = await peer.post(inbox_url(instance), body=body, headers=headers)

    assert res.status_code == 401
    assert res.text.startswith("signature refused")
    assert await count_items(instance) == 0


async def test_digest_mismatch_is_401(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    signed = follow_of(peer, instance)
    headers = peer.signed_headers(alice, inbox_url(instance), json.dumps(signed).encode())
    sent = {**signed, "object": f"{instance.base_url}/groups/other"}

    res = await peer.post(inbox_url(instance), body=json.dumps(sent).encode(), headers=headers)

    assert res.status_code == 401
    assert "digest" in res.text.lower()
    assert await count_items(instance) == 0


async def test_signer_must_be_the_actor(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    mallory = peer.actor("mallory")
    activity = follow_of(peer, instance, "alice")  # in alice's name…

    res = await peer.post(inbox_url(instance), activity, actor=mallory)  # …signed by mallory

    assert (res.status_code, res.text) == (401, "signer is not the actor\n")
    assert await count_items(instance) == 0


async def test_signature_covers_the_public_url(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    await add_group(instance, "other")
    activity = follow_of(peer, instance)
    body = json.dumps(activity).encode()
    headers = peer.signed_headers(peer.actor("alice"), inbox_url(instance, "other"), body)

    res = await peer.post(inbox_url(instance), body=body, headers=headers)

    assert res.status_code == 401
    assert await count_items(instance) == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "the body is not JSON"),
        (b"\xff\xfe", "the body is not JSON"),
        (b"[1, 2]", "the body must be a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"id": 5, "type": "Follow", "actor": "https://a.example/u"}', "an id must be a string"),
        (b'{"id": "urn:x:1", "type": "Follow", "actor": "https://a.example/u"}', "http(s) URL"),
        (
            b'{"id": "https://a.example/1", "type": 7, "actor": "https://a.example/u"}',
            "a type must be a string",
        ),
        (
            b'{"id": "https://a.example/1", "type": "Follow", "actor": ["https://a.example/u"]}',
            "exactly one actor",
        ),
        (
            b'{"id": "https://a.example/1", "type": "Follow", "actor": {"name": "x"}}',
            "needs an actor",
        ),
        (b'{"id": "https://a.example/1", "type": "Follow"}', "needs an actor"),
    ],
)
async def test_malformed_body_is_400(
    instance: Instance, peer: Peer, body: bytes, reason: str
) -> None:
    await add_group(instance, "demo")
    res = await peer.post(inbox_url(instance), body=body, actor=peer.actor("alice"))
    assert res.status_code == 400
    assert reason in res.text
    assert await count_items(instance) == 0


async def test_too_large_is_413(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    activity = {**follow_of(peer, instance), "padding": "x" * 1_000_001}
    res = await peer.post(inbox_url(instance), activity)
    assert res.status_code == 413
    assert await count_items(instance) == 0


async def test_too_large_without_content_length_is_413(instance: Instance) -> None:
    await add_group(instance, "demo")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100_000

    async with instance.client() as client:
        res = await client.post("/groups/demo/inbox", content=chunks())
    assert res.status_code == 413
    assert await count_items(instance) == 0


async def test_unknown_type_is_stored_and_acknowledged(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    activity = peer.activity(alice, "Flurb", {"type": "Gizmo", "id": peer.new_id(alice)})

    res = await peer.post(inbox_url(instance), activity)
    assert res.status_code == 202
    assert await instance.step() == 1

    item = await only_item(instance)
    assert (item.status, item.attempts, item.error) == ("done", 0, None)
    assert item.processed_at is not None


async def test_database_failure_is_503_with_retry_after(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    async with instance.ctx.sessions() as session:
        await session.execute(text("ALTER TABLE inbox_items RENAME TO inbox_items_away"))
        await session.commit()

    res = await peer.post(inbox_url(instance), follow_of(peer, instance))

    assert res.status_code == 503
    assert int(res.headers["retry-after"]) > 0
    async with instance.ctx.sessions() as session:
        await session.execute(text("ALTER TABLE inbox_items_away RENAME TO inbox_items"))
        await session.commit()
    assert await rows(instance, InboxItem) == []
