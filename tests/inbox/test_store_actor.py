"""``actors.remote.store_actor``: a fetched actor document becomes one row; key ids move."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from actors.models import RemoteActor
from actors.remote import store_actor
from tests.instances import Instance

ORIGIN = "https://peer.example"


def person(name: str, key_id: str) -> dict[str, Any]:
    """A Person whose key has the id ``key_id`` (the PEM is not parsed when storing)."""
    ap_id = f"{ORIGIN}/users/{name}"
    return {
        "id": ap_id,
        "type": "Person",
        "preferredUsername": name,
        "inbox": ap_id + "/inbox",
        "publicKey": {"id": key_id, "owner": ap_id, "publicKeyPem": f"PEM of {name}"},
    }


async def stored(instance: Instance) -> dict[str, str | None]:
    async with instance.ctx.sessions() as session:
        rows = await session.scalars(select(RemoteActor))
        return {row.preferred_username or "": row.key_id for row in rows}


async def test_a_key_id_moves_to_the_actor_now_publishing_it(instance: Instance) -> None:
    # Given two stored actors, each with its own key id ("new" stored first, so the
    # row that takes the key id is written before the one that gives it up, unless
    # the release is flushed first: the unique index on key ids must not trip)
    async with instance.ctx.sessions() as session:
        await store_actor(session, person("new", f"{ORIGIN}/keys/2"))
        await store_actor(session, person("old", f"{ORIGIN}/keys/1"))
        await session.commit()

    # When "new" is fetched again and now publishes the key id "old" held
    async with instance.ctx.sessions() as session:
        row = await store_actor(session, person("new", f"{ORIGIN}/keys/1"))
        await session.commit()

    # Then the key id belongs to "new" alone, and "new" kept its row
    assert await stored(instance) == {"old": None, "new": f"{ORIGIN}/keys/1"}
    assert row.public_key_pem == "PEM of new"


async def test_storing_an_actor_again_refreshes_its_one_row(instance: Instance) -> None:
    async with instance.ctx.sessions() as session:
        first = await store_actor(session, person("ana", f"{ORIGIN}/keys/a"))
        await session.commit()
        first_id = first.id
    doc = person("ana", f"{ORIGIN}/keys/a") | {"name": "Ana, renamed"}
    async with instance.ctx.sessions() as session:
        again = await store_actor(session, doc)
        await session.commit()
        assert (again.id, again.name) == (first_id, "Ana, renamed")
    assert await stored(instance) == {"ana": f"{ORIGIN}/keys/a"}
