"""Status updates end to end: the Note and its Create, fan-out, edit, delete, profile update."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from actors.groups import get_group
from documents.errors import UserError
from outbox.models import Activity, Delivery
from posts import notes
from posts.models import Post
from tests.helpers import AP, add_group
from tests.instances import Instance, settle
from tests.signed import unsigned
from tests.sink import Sink, add_follower

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _by_type(sink: Sink, *types: str) -> list[dict[str, Any]]:
    """The activities received at the shared inbox, one per type asked for.

    Activities queued together are delivered concurrently, so their order is not fixed.
    """
    received = {d.activity["type"]: d.activity for d in sink.at("/inbox")}
    return [received[t] for t in types]


async def _publish(instance: Instance, text: str, visibility: str = "public") -> Post:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        post = await notes.publish_note(session, instance.ctx, group, text, visibility)  # type: ignore[arg-type]
        await session.commit()
    return post


async def test_note_and_create_shapes(instance: Instance) -> None:
    await add_group(instance, "eastside")
    post = await _publish(instance, "Food **distribution** moved, see https://example.org #Food")
    base = instance.base_url
    actor = f"{base}/groups/eastside"
    note_id = f"{actor}/posts/{post.uid}"
    async with instance.client() as client:
        note = (await client.get(note_id, headers={"Accept": AP})).json()
        create = (await client.get(f"{note_id}/activity", headers={"Accept": AP})).json()
    content = note["content"]
    assert "<strong>distribution</strong>" in content
    assert '<a href="https://example.org"' in content
    assert f'href="{base}/tags/food"' in content
    assert STAMP.fullmatch(note["published"])
    assert note == {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            {"sensitive": "as:sensitive", "Hashtag": "as:Hashtag"},
        ],
        "id": note_id,
        "type": "Note",
        "url": note_id,
        "attributedTo": actor,
        "published": note["published"],
        "to": [PUBLIC],
        "cc": [f"{actor}/followers"],
        "audience": actor,
        "sensitive": False,
        "content": content,
        "contentMap": {"en": content},
        "tag": [{"type": "Hashtag", "href": f"{base}/tags/food", "name": "#Food"}],
        "replies": f"{note_id}/replies",
    }
    embedded = {k: v for k, v in note.items() if k != "@context"}
    assert create == {
        "@context": note["@context"],
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor,
        "published": note["published"],
        "to": [PUBLIC],
        "cc": [f"{actor}/followers"],
        "object": embedded,
    }


async def test_addressing_of_each_visibility(instance: Instance) -> None:
    await add_group(instance, "eastside")
    followers = f"{instance.base_url}/groups/eastside/followers"
    expected = {
        "public": ([PUBLIC], [followers]),
        "unlisted": ([followers], [PUBLIC]),
        "followers": ([followers], []),
    }
    for visibility, (to, cc) in expected.items():
        post = await _publish(instance, f"a {visibility} post", visibility)
        assert (post.document["to"], post.document["cc"]) == (to, cc)
        async with instance.ctx.sessions() as session:
            create = await session.scalar(
                select(Activity).where(Activity.ap_id == f"{post.document['id']}/activity")
            )
        assert create is not None
        assert (create.document["to"], create.document["cc"]) == (to, cc)
        assert create.public is (visibility != "followers")


async def test_one_delivery_per_distinct_inbox_and_signed(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as big, Sink() as small:
        # Two followers behind one shared inbox, one with a personal inbox only,
        # and a pending follower who must not receive anything.
        for name in ("ana", "bo"):
            await add_follower(instance, group, big.add_actor(name))
        await add_follower(instance, group, small.add_actor("cy", shared=False))
        await add_follower(instance, group, big.add_actor("dee"), accepted=False)
        post = await _publish(instance, "Hello neighbours")
        async with instance.ctx.sessions() as session:
            inboxes = (await session.execute(select(Delivery.inbox))).scalars().all()
        assert sorted(inboxes) == sorted([big.shared_inbox, f"{small.base}/users/cy/inbox"])
        await settle(instance)
        for sink, path in ((big, "/inbox"), (small, "/users/cy/inbox")):
            [got] = sink.at(path)
            assert got.error is None
            assert got.signature is not None
            assert got.signature.key_id == f"{instance.base_url}/groups/eastside#main-key"
            assert got.headers["content-type"] == "application/activity+json"
            assert got.activity["type"] == "Create"
            assert unsigned(got.activity)["object"] == post.document
        async with instance.ctx.sessions() as session:
            rows = (await session.execute(select(Delivery))).scalars().all()
        assert {(row.status, row.last_status) for row in rows} == {("delivered", 202)}
        assert all(row.delivered_at is not None for row in rows)


async def test_edit_sends_update_with_updated(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        post = await _publish(instance, "Meeting at 6")
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            await notes.edit_note(session, instance.ctx, group, post.uid, "Meeting at 7 #change")
            await session.commit()
        await settle(instance)
        create, update = _by_type(sink, "Create", "Update")
    note = update["object"]
    assert update["type"] == "Update"
    assert update["id"].startswith(f"{instance.base_url}/groups/eastside/activities/")
    assert update["actor"] == f"{instance.base_url}/groups/eastside"
    assert (update["to"], update["cc"]) == (create["to"], create["cc"])
    assert note["id"] == post.document["id"]
    assert note["published"] == create["object"]["published"]
    assert STAMP.fullmatch(note["updated"])
    assert "Meeting at 7" in note["content"] and note["contentMap"] == {"en": note["content"]}
    assert note["tag"] == [
        {"type": "Hashtag", "href": f"{instance.base_url}/tags/change", "name": "#change"}
    ]
    async with instance.client() as client:
        served = (await client.get(note["id"], headers={"Accept": AP})).json()
        public = (await client.get(update["id"], headers={"Accept": AP})).json()
    assert served["updated"] == note["updated"]
    assert public == update


async def test_delete_sends_tombstone_and_answers_410(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        post = await _publish(instance, "Oops")
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            await notes.delete_note(session, instance.ctx, group, post.uid)
            await session.commit()
        await settle(instance)
        [deleted] = _by_type(sink, "Delete")
    note_id = post.document["id"]
    assert deleted["type"] == "Delete"
    assert deleted["actor"] == f"{instance.base_url}/groups/eastside"
    assert deleted["to"] == [PUBLIC]
    assert deleted["object"]["id"] == note_id
    assert deleted["object"]["type"] == "Tombstone"
    assert deleted["object"]["formerType"] == "Note"
    async with instance.client() as client:
        gone = await client.get(note_id, headers={"Accept": AP})
        gone_create = await client.get(f"{note_id}/activity", headers={"Accept": AP})
        page = await client.get(note_id, headers={"Accept": "text/html"})
        outbox = await client.get(
            "/groups/eastside/outbox", params={"page": "true"}, headers={"Accept": AP}
        )
    assert gone.status_code == 410
    assert gone.json() == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": note_id,
        "type": "Tombstone",
        "formerType": "Note",
        "deleted": deleted["object"]["deleted"],
    }
    assert gone_create.status_code == 410 and gone_create.json()["formerType"] == "Create"
    assert page.status_code == 410
    assert outbox.json()["orderedItems"] == []
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        with pytest.raises(UserError, match="was deleted"):
            await notes.edit_note(session, instance.ctx, group, post.uid, "again")


async def test_post_page_for_browsers(instance: Instance) -> None:
    await add_group(instance, "eastside", display_name="Eastside")
    post = await _publish(instance, "Soup <script>alert(1)</script> on *Friday*")
    async with instance.client() as client:
        page = await client.get(post.document["id"], headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<em>Friday</em>" in page.text
    assert "<script>alert(1)" not in page.text
    assert "@eastside@" in page.text


async def test_followers_only_post_is_hidden_from_strangers(instance: Instance) -> None:
    await add_group(instance, "eastside")
    post = await _publish(instance, "members only", "followers")
    note_id = post.document["id"]
    async with instance.client() as client:
        for accept in (AP, "text/html"):
            assert (await client.get(note_id, headers={"Accept": accept})).status_code == 404
        assert (await client.get(f"{note_id}/activity", headers={"Accept": AP})).status_code == 404
        outbox = await client.get(
            "/groups/eastside/outbox", params={"page": "true"}, headers={"Accept": AP}
        )
    assert outbox.json()["orderedItems"] == []


async def test_group_update_reaches_followers(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        async with instance.ctx.sessions() as session:
            group = await get_group(session, "eastside")
            await notes.update_group_profile(
                session,
                instance.ctx,
                group,
                display_name="Eastside Aid",
                summary="We fix **bikes**",
                manual_approval=True,
            )
            await session.commit()
        await settle(instance)
        [got] = sink.at("/inbox")
    update = got.activity
    assert got.signature is not None
    assert update["type"] == "Update"
    assert update["to"] == [PUBLIC]
    assert update["@context"][0] == "https://www.w3.org/ns/activitystreams"
    actor = update["object"]
    assert "@context" not in actor
    assert actor["type"] == "Group"
    assert actor["id"] == update["actor"] == f"{instance.base_url}/groups/eastside"
    assert actor["name"] == "Eastside Aid"
    assert "<strong>bikes</strong>" in actor["summary"]
    assert actor["manuallyApprovesFollowers"] is True
    async with instance.client() as client:
        served = (await client.get(actor["id"], headers={"Accept": AP})).json()
    assert served["name"] == "Eastside Aid"


async def test_empty_text_is_refused(instance: Instance) -> None:
    await add_group(instance, "eastside")
    with pytest.raises(UserError, match="empty"):
        await _publish(instance, "   ")
    async with instance.ctx.sessions() as session:
        assert (await session.execute(select(Post))).first() is None
