"""outbox, followers, following and featured as paged OrderedCollections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from actors.groups import get_group
from actors.models import Follower, Following, Group, RemoteActor
from posts import collections, notes
from tests.helpers import AP, add_group
from tests.instances import Instance


async def _get(instance: Instance, path: str, **params: str) -> Any:
    async with instance.client() as client:
        res = await client.get(path, params=params, headers={"Accept": AP})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == AP
    return res.json()


async def _fake_actors(instance: Instance, group: Group, count: int, table: Any) -> list[str]:
    """Rows as the inbox would leave them (remote actors need no server here)."""
    ids = []
    async with instance.ctx.sessions() as session:
        for n in range(count):
            ap_id = f"https://peer{n}.example/users/{table.__name__.lower()}{n}"
            actor = RemoteActor(ap_id=ap_id, domain=f"peer{n}.example", inbox=f"{ap_id}/inbox")
            session.add(actor)
            await session.flush()
            session.add(
                table(
                    group_id=group.id,
                    actor_id=actor.id,
                    follow_ap_id=f"{ap_id}#follow/{table.__name__}",
                    accepted=n % 10 != 4,  # every tenth is still pending
                )
            )
            ids.append(ap_id)
        await session.commit()
    return ids


async def test_outbox_pages_newest_first(instance: Instance) -> None:
    await add_group(instance, "eastside")
    count = collections.OUTBOX_PAGE + 3
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        for n in range(count):
            await notes.publish_note(session, instance.ctx, group, f"post {n}")
        await notes.publish_note(session, instance.ctx, group, "private", "followers")
        await notes.publish_note(session, instance.ctx, group, "quiet", "unlisted")
        await session.commit()
    outbox_id = f"{instance.base_url}/groups/eastside/outbox"
    top = await _get(instance, "/groups/eastside/outbox")
    assert top == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": outbox_id,
        "type": "OrderedCollection",
        "totalItems": count + 1,
        "first": f"{outbox_id}?page=true",
    }
    first = await _get(instance, "/groups/eastside/outbox", page="true")
    assert first["type"] == "OrderedCollectionPage"
    assert first["id"] == f"{outbox_id}?page=true"
    assert first["partOf"] == outbox_id
    items = first["orderedItems"]
    assert len(items) == collections.OUTBOX_PAGE
    assert [i["type"] for i in items] == ["Create"] * len(items)
    assert "quiet" in items[0]["object"]["content"]
    assert "post 22" in items[1]["object"]["content"]
    assert all(i["id"] == i["object"]["id"] + "/activity" for i in items)
    assert all("@context" not in i and "@context" not in i["object"] for i in items)
    assert first["next"].startswith(f"{outbox_id}?page=true&max_id=")
    second = await _get(instance, "/groups/eastside/outbox", **_query(first["next"]))
    assert second["id"] == first["next"]
    assert len(second["orderedItems"]) == count + 1 - collections.OUTBOX_PAGE
    assert "post 0" in second["orderedItems"][-1]["object"]["content"]
    assert "next" not in second
    texts = [i["object"]["content"] for i in items + second["orderedItems"]]
    assert not any("private" in text for text in texts)


def _query(url: str) -> dict[str, str]:
    query = url.split("?", 1)[1]
    return dict(part.split("=", 1) for part in query.split("&"))


async def test_followers_and_following_pages(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    followers = await _fake_actors(instance, group, 50, Follower)
    await _fake_actors(instance, group, 3, Following)
    accepted = [ap_id for n, ap_id in enumerate(followers) if n % 10 != 4]
    base = f"{instance.base_url}/groups/eastside/followers"
    top = await _get(instance, "/groups/eastside/followers")
    assert top == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": base,
        "type": "OrderedCollection",
        "totalItems": len(accepted),
        "first": f"{base}?page=1",
    }
    page1 = await _get(instance, "/groups/eastside/followers", page="1")
    assert page1["id"] == f"{base}?page=1"
    assert page1["partOf"] == base
    assert page1["totalItems"] == len(accepted)
    assert page1["next"] == f"{base}?page=2"
    page2 = await _get(instance, "/groups/eastside/followers", page="2")
    assert "next" not in page2
    assert page1["orderedItems"] + page2["orderedItems"] == accepted[::-1]
    following = await _get(instance, "/groups/eastside/following", page="1")
    assert following["totalItems"] == 3
    assert len(following["orderedItems"]) == 3


async def test_hidden_collections_show_only_their_size(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await _fake_actors(instance, group, 5, Follower)
    async with instance.ctx.sessions() as session:
        await session.execute(update(Group).values(hide_collections=True))
        await session.commit()
    top = await _get(instance, "/groups/eastside/followers")
    assert top["totalItems"] == 5 - 1  # one of five is pending
    assert "first" not in top
    async with instance.client() as client:
        page = await client.get("/groups/eastside/followers?page=1", headers={"Accept": AP})
    assert page.status_code == 403


async def test_featured_is_empty(instance: Instance) -> None:
    await add_group(instance, "eastside")
    featured = await _get(instance, "/groups/eastside/featured")
    assert featured == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{instance.base_url}/groups/eastside/featured",
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }


async def test_errors_and_browsers(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.client() as client:
        missing = await client.get("/groups/nobody/outbox", headers={"Accept": AP})
        bad = await client.get("/groups/eastside/followers?page=0", headers={"Accept": AP})
        browser = await client.get("/groups/eastside/followers", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert bad.status_code == 400 and "page must be a positive number" in bad.text
    assert browser.status_code == 303
    assert browser.headers["location"] == f"{instance.base_url}/groups/eastside"


async def test_authorized_fetch_requires_a_signature(make_instance: Any) -> None:
    instance = await make_instance(authorized_fetch=True)
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        post = await notes.publish_note(session, instance.ctx, group, "hi")
        await session.commit()
    async with instance.client() as client:
        for path in ("/groups/eastside/outbox", "/groups/eastside/followers", post.document["id"]):
            res = await client.get(path, headers={"Accept": AP})
            assert res.status_code == 401, path
