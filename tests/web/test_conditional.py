"""Outbox pages and public pages from the per-process cache: ETag, Last-Modified, 304."""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime

from actors.groups import get_group
from posts.notes import publish_note
from tests.helpers import AP, add_group
from tests.instances import Instance

PAGE = "/groups/eastside/outbox?page=true"


async def publish(instance: Instance, text: str) -> None:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        await publish_note(session, instance.ctx, group, text)
        await session.commit()


async def test_an_outbox_page_answers_304_until_the_group_publishes(instance: Instance) -> None:
    await add_group(instance, "eastside")
    await publish(instance, "First news")
    async with instance.client() as client:
        first = await client.get(PAGE, headers={"Accept": AP})
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = await client.get(PAGE, headers={"Accept": AP})
        same = await client.get(PAGE, headers={"Accept": AP, "If-None-Match": etag})
        listed = await client.get(PAGE, headers={"Accept": AP, "If-None-Match": f'"x", {etag}'})
        by_date = await client.get(PAGE, headers={"Accept": AP, "If-Modified-Since": modified})
        garbled = await client.get(PAGE, headers={"Accept": AP, "If-Modified-Since": "soon"})
        await publish(instance, "Second news")
        changed = await client.get(PAGE, headers={"Accept": AP, "If-None-Match": etag})
    assert first.status_code == 200 and first.headers["content-type"].startswith(
        "application/activity+json"
    )
    assert parsedate_to_datetime(modified).timestamp() > 0
    assert (again.status_code, again.content, again.headers["etag"]) == (200, first.content, etag)
    assert (again.headers["content-type"], again.headers["vary"]) == (
        first.headers["content-type"], first.headers["vary"]
    )  # fmt: skip
    for unchanged in (same, listed, by_date):
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == etag
    assert garbled.status_code == 200
    # A commit that adds a post drops the cached page: the new one is served, new tag
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    items = changed.json()["orderedItems"]
    assert "Second news" in items[0]["object"]["content"]


async def test_each_kind_of_answer_is_cached_apart(instance: Instance) -> None:
    await add_group(instance, "eastside")
    await publish(instance, "News")
    ld = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    async with instance.client() as client:
        activity = await client.get(PAGE, headers={"Accept": AP})
        linked = await client.get(PAGE, headers={"Accept": ld})
        collection = await client.get("/groups/eastside/outbox", headers={"Accept": AP})
        old = formatdate(0, usegmt=True)
        stale = await client.get(PAGE, headers={"Accept": AP, "If-Modified-Since": old})
    assert activity.headers["content-type"].startswith("application/activity+json")
    assert linked.headers["content-type"].startswith("application/ld+json")
    assert collection.json()["type"] == "OrderedCollection"
    assert activity.json()["type"] == "OrderedCollectionPage"
    assert stale.status_code == 200 and stale.content == activity.content


async def test_a_group_page_is_cached_per_language_until_the_group_publishes(
    instance: Instance,
) -> None:
    await add_group(instance, "eastside")
    await publish(instance, "First news")
    html = {"Accept": "text/html"}
    spanish = {**html, "Accept-Language": "es"}
    async with instance.client() as client:
        first = await client.get("/groups/eastside", headers=html)
        etag = first.headers["etag"]
        same = await client.get("/groups/eastside", headers={**html, "If-None-Match": etag})
        in_spanish = await client.get("/groups/eastside", headers=spanish)
        await publish(instance, "Second news")
        changed = await client.get("/groups/eastside", headers={**html, "If-None-Match": etag})
    assert first.status_code == 200 and "First news" in first.text
    assert first.headers["vary"] == "Accept, Accept-Language"
    assert same.status_code == 304
    # Each interface language is its own entry, with its own tag
    assert '<html lang="es">' in in_spanish.text and in_spanish.headers["etag"] != etag
    assert changed.status_code == 200 and "Second news" in changed.text


async def test_a_post_page_is_cached_and_a_followers_only_post_stays_hidden(
    instance: Instance,
) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        public = await publish_note(session, instance.ctx, group, "For everyone")
        private = await publish_note(
            session, instance.ctx, group, "For followers", visibility="followers"
        )
        await session.commit()
    html = {"Accept": "text/html"}
    async with instance.client() as client:
        first = await client.get(public.document["id"], headers=html)
        again = await client.get(
            public.document["id"], headers={**html, "If-None-Match": first.headers["etag"]}
        )
        hidden = [(await client.get(private.document["id"], headers=html)) for _ in range(2)]
    assert first.status_code == 200 and "For everyone" in first.text
    assert again.status_code == 304
    assert [page.status_code for page in hidden] == [404, 404]
    assert all("For followers" not in page.text for page in hidden)
