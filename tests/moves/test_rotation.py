"""``mutuals group rotate-key`` and ``mutuals instance rotate-key``: new signatures are
believed by peers that cached the old key, after they fetch the new one from its origin."""

from __future__ import annotations

from sqlalchemy import select

from actors.instance import instance_key_pair
from actors.keys import load_public_key
from actors.models import RemoteActor
from actors.remote import fetch_signed
from federation.httpsig import signature_key_id, verify_request
from outbox.delivery import DELIVERED
from outbox.models import Activity, Delivery
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.instances import Instance
from tests.moves.support import World
from tests.sharing.network import Cli


async def stored_key(instance: Instance, actor_id: str) -> str | None:
    """The public key ``instance`` keeps for the remote actor ``actor_id``."""
    async with instance.ctx.sessions() as session:
        return await session.scalar(
            select(RemoteActor.public_key_pem).where(RemoteActor.ap_id == actor_id)
        )


async def published_key(instance: Instance, actor_id: str) -> str:
    async with instance.client() as client:
        doc = (await client.get(actor_id, headers={"Accept": "application/activity+json"})).json()
    pem: str = doc["publicKey"]["publicKeyPem"]
    return pem


async def test_a_group_key_rotates_and_followers_believe_the_new_one(world: World) -> None:
    one, two, cli = world.one, world.two, world.cli
    old_pem = await published_key(one, world.old_id)
    # two verified old's Accept with this key, and keeps it.
    assert await stored_key(two, world.old_id) == old_pem

    out = await cli.ok(one, "group", "rotate-key", "old")
    assert out == "old has a new key; its followers will fetch it with the next signature\n"
    await world.settle()

    new_pem = await published_key(one, world.old_id)
    assert new_pem != old_pem
    # Mastodon got Update{Group} carrying the new key, signed with it.
    [received] = [r for r in world.mastodon.received if r.activity["type"] == "Update"]
    update = received.activity
    assert (update["actor"], update["object"]["id"]) == (world.old_id, world.old_id)
    assert update["object"]["publicKey"] == {
        "id": f"{world.old_id}#main-key",
        "owner": world.old_id,
        "publicKeyPem": new_pem,
    }
    assert signature_key_id("POST", received.headers) == f"{world.old_id}#main-key"
    url = world.mastodon.base_url + received.path
    verify_request("POST", url, received.headers, received.body, load_public_key(new_pem))
    # two, which had the old key, took the new signature (fetching the key again).
    async with one.ctx.sessions() as session:
        sent = await session.execute(
            select(Delivery.inbox, Delivery.status, Delivery.last_status)
            .join(Activity, Activity.id == Delivery.activity_id)
            .where(Activity.type == "Update")
        )
        assert sorted(sent.all()) == sorted(
            [
                (f"{two.base_url}/inbox", DELIVERED, 202),
                (world.mastodon.base_url + "/inbox", DELIVERED, 202),
            ]
        )
    assert await stored_key(two, world.old_id) == new_pem


async def test_the_instance_key_rotates(make_instance: InstanceFactory, cli: Cli) -> None:
    one, two = await make_instance(), await make_instance(authorized_fetch=True)
    await add_group(two, "private")
    target = two.ctx.urls.group("private")
    # two requires signed fetches: it verified one's instance key and keeps it.
    assert (await fetch_signed(one.ctx, target))["id"] == target
    old_pem = one.ctx.instance_public_pem
    assert await stored_key(two, one.ctx.urls.instance_actor) == old_pem

    out = await cli.ok(one, "instance", "rotate-key")
    assert "restart 'mutuals serve' and 'mutuals worker'" in out
    # What a restart does: read the instance key again.
    async with one.ctx.sessions() as session:
        one.ctx.instance_private_pem, one.ctx.instance_public_pem = await instance_key_pair(session)
    assert one.ctx.instance_public_pem != old_pem
    assert await published_key(one, one.ctx.urls.instance_actor) == one.ctx.instance_public_pem

    # Signed with the new key, believed by two once it fetched the key again.
    assert (await fetch_signed(one.ctx, target))["id"] == target
    assert await stored_key(two, one.ctx.urls.instance_actor) == one.ctx.instance_public_pem
