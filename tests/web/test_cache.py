"""The cache of served actor documents and WebFinger answers (web.cache)."""

from __future__ import annotations

from sqlalchemy import select

from actors.groups import rename_group
from actors.models import Group
from tests.helpers import AP, add_group
from tests.instances import Instance
from web.cache import DocumentCache


async def test_a_committed_change_is_served_at_once(instance: Instance) -> None:
    await add_group(instance, "eastside", display_name="Eastside")
    async with instance.client() as client:
        # Given both documents served (and so cached)…
        before = (await client.get("/groups/eastside", headers={"Accept": AP})).json()
        finger = f"acct:eastside@{instance.host}"
        webfinger = "/.well-known/webfinger"
        assert (await client.get(webfinger, params={"resource": finger})).status_code == 200
        # …when the group is renamed and the change committed…
        async with instance.ctx.sessions() as session:
            group = (await session.execute(select(Group))).scalar_one()
            group.display_name = "Eastside Aid"
            await rename_group(session, group, "eastside_aid")
            await session.commit()
        after = (await client.get("/groups/eastside", headers={"Accept": AP})).json()
        old = await client.get(webfinger, params={"resource": finger})
    # …then the next requests see it.
    assert before["name"] == "Eastside"
    assert after["name"] == "Eastside Aid"
    assert after["preferredUsername"] == "eastside_aid"
    assert old.status_code == 404


async def test_an_uncommitted_change_keeps_the_cache(instance: Instance) -> None:
    await add_group(instance, "eastside", display_name="Eastside")
    async with instance.client() as client:
        await client.get("/groups/eastside", headers={"Accept": AP})
        async with instance.ctx.sessions() as session:
            group = (await session.execute(select(Group))).scalar_one()
            group.display_name = "Never"
            await session.flush()
            await session.rollback()
        actor = (await client.get("/groups/eastside", headers={"Accept": AP})).json()
    assert actor["name"] == "Eastside"


def test_entries_expire() -> None:
    now = [100.0]
    cache = DocumentCache(ttl=5.0, clock=lambda: now[0])
    cache.put("k", b"doc")
    now[0] += 4.9
    assert cache.get("k") == b"doc"
    now[0] += 0.2
    assert cache.get("k") is None
