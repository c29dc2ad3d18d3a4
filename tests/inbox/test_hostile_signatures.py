"""Done-when list 1 through the real inbox: every broken or forged signature is 401 and
nothing is stored. (Unsigned, wrong key, digest mismatch, signer ≠ actor, another path
and replays are in test_receive.py; the scheme details in tests/federation.)"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from actors.keys import generate_key_pair, load_private_key
from federation.httpsig import cavage, sign_request
from federation.httpsig.fields import normalize_headers
from moderation.domains import block_domain
from tests.helpers import add_group
from tests.inbox.support import count_items, inbox_url
from tests.instances import Instance
from tests.peer import AP, Peer, PeerActor


def follow_body(peer: Peer, instance: Instance) -> bytes:
    activity = peer.activity(peer.actor("alice"), "Follow", f"{instance.base_url}/groups/demo")
    return json.dumps(activity).encode()


def signed(
    actor: PeerActor, url: str, body: bytes, *, method: str = "POST", **options: Any
) -> dict[str, str]:
    """Headers of ``body`` signed by ``actor`` as if sent with ``method`` to ``url``."""
    headers = {"Content-Type": AP}
    key = options.pop("private_key", actor.private_key)
    return headers | sign_request(
        method, url, headers, body, key_id=actor.key_id, private_key=key, **options
    )


async def refused(instance: Instance, peer: Peer, body: bytes, headers: dict[str, str]) -> str:
    """POST to the demo inbox; assert 401 with nothing stored; the reason."""
    res = await peer.post(inbox_url(instance), body=body, headers=headers)
    assert res.status_code == 401, res.text
    assert await count_items(instance) == 0
    return res.text


@pytest.fixture
async def demo(instance: Instance) -> Instance:
    await add_group(instance, "demo")
    return instance


async def test_malformed_signature_header(demo: Instance, peer: Peer) -> None:
    body = follow_body(peer, demo)
    headers = signed(peer.actor("alice"), inbox_url(demo), body)
    headers["Signature"] = 'keyId="x",,signature=='
    assert "malformed" in await refused(demo, peer, body, headers)


async def test_bad_base64(demo: Instance, peer: Peer) -> None:
    body = follow_body(peer, demo)
    headers = signed(peer.actor("alice"), inbox_url(demo), body)
    start = headers["Signature"].index('signature="') + len('signature="')
    headers["Signature"] = headers["Signature"][:start] + "%%%not-base64%%%" + '"'
    assert "base64" in await refused(demo, peer, body, headers)


async def test_wrong_key_is_refetched_once_then_401(demo: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    body = follow_body(peer, demo)
    wrong = load_private_key(generate_key_pair()[0])
    await refused(demo, peer, body, signed(alice, inbox_url(demo), body, private_key=wrong))
    # The key was fetched, failed, and fetched once more from its origin; no more.
    assert peer.fetched == ["/users/alice", "/users/alice"]


@pytest.mark.parametrize(
    ("shift", "reason"),
    [(dt.timedelta(hours=-13), "too old"), (dt.timedelta(hours=2), "in the future")],
)
async def test_date_outside_the_window(
    demo: Instance, peer: Peer, shift: dt.timedelta, reason: str
) -> None:
    body = follow_body(peer, demo)
    when = dt.datetime.now(dt.UTC) + shift
    headers = signed(peer.actor("alice"), inbox_url(demo), body, now=when)
    assert reason in await refused(demo, peer, body, headers)


async def test_post_without_digest_signed(demo: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    body = follow_body(peer, demo)
    headers = signed(alice, inbox_url(demo), body)  # Date, Host, Digest set
    covered = ["(request-target)", "host", "date", "content-type"]
    headers["Signature"] = cavage.sign(
        covered,
        "POST",
        "/groups/demo/inbox",
        normalize_headers(headers),
        key_id=alice.key_id,
        private_key=alice.private_key,  # type: ignore[arg-type]
    )
    assert "digest" in await refused(demo, peer, body, headers)


@pytest.mark.parametrize(
    "signed_as",
    [
        pytest.param(("PUT", "{inbox}"), id="method"),
        pytest.param(("POST", "{inbox}?as=other"), id="query"),
        pytest.param(("POST", "http://evil.example/groups/demo/inbox"), id="host"),
    ],
)
async def test_signature_for_another_request(
    demo: Instance, peer: Peer, signed_as: tuple[str, str]
) -> None:
    method, url = signed_as
    body = follow_body(peer, demo)
    headers = signed(peer.actor("alice"), url.format(inbox=inbox_url(demo)), body, method=method)
    await refused(demo, peer, body, headers)


async def test_key_from_a_blocked_domain_is_403_before_any_fetch(
    demo: Instance, peer: Peer
) -> None:
    async with demo.ctx.sessions() as session:
        await block_domain(session, "127.0.0.1")
        await session.commit()
    body = follow_body(peer, demo)

    res = await peer.post(
        inbox_url(demo), body=body, headers=signed(peer.actor("alice"), inbox_url(demo), body)
    )

    assert res.status_code == 403
    assert "127.0.0.1 is blocked" in res.text
    assert peer.fetched == []  # the key was never fetched
    assert await count_items(demo) == 0


async def test_key_id_on_our_own_origin_is_403(demo: Instance, peer: Peer) -> None:
    body = follow_body(peer, demo)
    headers = signed(peer.actor("alice"), inbox_url(demo), body)
    spoofed = demo.base_url.upper().replace("HTTP://", "http://") + "/groups/demo#main-key"
    headers["Signature"] = headers["Signature"].replace(peer.actor("alice").key_id, spoofed)

    res = await peer.post(inbox_url(demo), body=body, headers=headers)

    assert res.status_code == 403
    assert await count_items(demo) == 0
