"""What a POST to the inbox can never make us fetch: a key on a private address (in
production), or a JSON-LD ``@context`` on a peer."""

from __future__ import annotations

import json

import httpx

from actors.models import Follower, RemoteActor
from federation.httpsig import sign_request
from forum.models import Message
from tests.conftest import InstanceFactory
from tests.forum.support import mastodon_post
from tests.helpers import add_group
from tests.inbox.bad_peer import BadPeer
from tests.inbox.support import count_items, rows
from tests.instances import Instance, settle
from tests.peer import AP, AS_CONTEXT, Peer

PUBLIC_BASE = "https://groups.example"


def private_key_ids(listener: BadPeer) -> list[str]:
    """Key ids on loopback (one by name) and on private networks: https, as production
    refuses plain http before any address is looked at."""
    return [
        f"https://127.0.0.1:{listener.port}/users/x#main-key",
        f"https://localhost:{listener.port}/users/x#main-key",
        "https://10.0.0.1/users/x#main-key",
        "https://192.168.1.1/users/x#main-key",
        "https://[::1]/users/x#main-key",
    ]


async def post_signed_by(instance: Instance, peer: Peer, key_id: str) -> httpx.Response:
    """POST a Follow by the owner of ``key_id`` to the production instance's shared inbox,
    addressed (and signed) as its public URL but sent over loopback."""
    actor = key_id.removesuffix("#main-key")
    activity = {
        "@context": AS_CONTEXT,
        "id": actor + "/follows/1",
        "type": "Follow",
        "actor": actor,
        "object": f"{PUBLIC_BASE}/groups/demo",
    }
    body = json.dumps(activity).encode()
    headers = {"Content-Type": AP}
    key = peer.actor("mallory").private_key
    headers |= sign_request(
        "POST",
        f"{PUBLIC_BASE}/inbox",
        headers,
        body,
        key_id=key_id,
        private_key=key,  # type: ignore[arg-type]
    )
    # Its base URL names the public host; the server itself listens on loopback.
    port = instance.server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://127.0.0.1:{port}/inbox", content=body, headers=headers)


async def test_production_refuses_key_ids_on_private_addresses_without_connecting(
    make_instance: InstanceFactory, peer: Peer
) -> None:
    # Given an instance in production mode (development setting off)
    instance = await make_instance(base_url=PUBLIC_BASE, dev=False)
    assert not instance.ctx.policy.allow_private
    await add_group(instance, "demo")
    async with BadPeer("hang") as listener:
        for key_id in private_key_ids(listener):
            # When a POST names a key on a loopback or private address
            answer = await post_signed_by(instance, peer, key_id)

            # Then it is refused with 401 and the reason
            assert answer.status_code == 401, (key_id, answer.text)
            assert "refusing to connect" in answer.text, answer.text
        # And nothing connected to the listener, nothing was stored
        assert listener.connections == 0
    assert await count_items(instance) == 0
    assert await rows(instance, RemoteActor) == []


async def test_a_context_url_on_a_peer_is_never_fetched(instance: Instance, peer: Peer) -> None:
    group = await add_group(instance, "demo")
    group_id = instance.ctx.urls.group(group.uid)
    alice = peer.actor("alice")
    contexts = ["/contexts/litepub-0.1.jsonld", "/schemas/note.jsonld"]
    for path in contexts:
        peer.serve({"@context": {"as": AS_CONTEXT}}, path=path)
    # Given a Follow whose @context names a document on the peer (as Pleroma's does) …
    follow = peer.activity(alice, "Follow", group_id)
    follow["@context"] = [AS_CONTEXT, peer.base_url + contexts[0], {"@language": "en"}]
    # … and a message to the group given by reference, its Note served with another
    create = mastodon_post(peer, alice, group_id, "demo", "Hello", direct=True)
    note = create["object"]
    peer.serve(note | {"@context": [AS_CONTEXT, peer.base_url + contexts[1]]})
    create["object"] = note["id"]
    create["@context"] = peer.base_url + contexts[0]

    # When both are delivered and handled
    for activity in (follow, create):
        answer = await peer.post(f"{group_id}/inbox", activity)
        assert answer.status_code == 202, answer.text
    await settle(instance)

    # Then both took effect: the Note was fetched, and no @context ever was
    assert len(await rows(instance, Follower)) == 1
    assert [message.object_ap_id for message in await rows(instance, Message)] == [note["id"]]
    note_path = note["id"].removeprefix(peer.base_url)
    assert note_path in peer.fetched
    assert not set(contexts) & set(peer.fetched), peer.fetched
