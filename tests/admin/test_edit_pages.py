"""A content warning on the compose page, and changing a status update on the edit page,
over real HTTP: a follower receives the Create and the Update; bad input comes back."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from accounts.models import AuditEntry
from outbox.models import Activity
from posts.models import Post
from tests.admin.support import add_account, post_form, signed_in
from tests.admin.test_compose_pages import count, publish
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower

BASE = "/admin/groups/eastside"
ERROR = re.compile(r'<p class="error" role="alert" id="form-error">(.*?)</p>')


def field_value(page: str, name: str) -> str:
    """What the form shows in the input or textarea ``name``, unescaped."""
    found = re.search(rf'<input[^>]* name="{name}" [^>]*value="([^"]*)"', page) or re.search(
        rf'<textarea[^>]* name="{name}"[^>]*>(.*?)</textarea>', page, re.S
    )
    assert found, (name, page)
    return html.unescape(found[1])


async def test_an_editor_warns_then_edits_and_the_follower_receives_both(
    instance: Instance,
) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    async with Sink() as sink, signed_in(instance, "ed") as client:
        await add_follower(instance, group, sink.add_actor("ana"))
        note = {"text": "Two **families** evicted", "cw": "Eviction <news>", "language": "en"}
        # The preview shows the warning (escaped) with the text behind it
        preview = await post_form(client, BASE + "/compose", {**note, "action": "preview"})
        assert preview.status_code == 200
        assert re.search(
            r'<details class="content-warning">\s*<summary>Eviction &lt;news&gt;</summary>\s*'
            r'<div class="e-content"[^>]*><p>Two <strong>families</strong> evicted</p>',
            preview.text,
        ), preview.text
        assert field_value(preview.text, "cw") == "Eviction <news>"
        assert await count(instance, Post) == 0
        uid = await publish(client, "/compose", {**note, "action": "publish"})

        # The posts page links each status update to its edit page, which comes filled in
        listing = await client.get(BASE + "/posts")
        assert f'href="{BASE}/edit?post={uid}"' in listing.text
        form = await client.get(f"{BASE}/edit?post={uid}")
        assert form.status_code == 200
        assert field_value(form.text, "text") == "Two **families** evicted"
        assert field_value(form.text, "cw") == "Eviction <news>"
        assert field_value(form.text, "post") == uid

        changed = {"post": uid, "text": "Three families evicted #housing", "cw": "Evictions"}
        answer = await post_form(
            client, BASE + "/edit", changed, from_page=f"{BASE}/edit?post={uid}"
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"{BASE}/posts?sent={uid}"
        # An empty warning removes it
        cleared = {"post": uid, "text": "All housed again", "cw": "  "}
        answer = await post_form(
            client, BASE + "/edit", cleared, from_page=f"{BASE}/edit?post={uid}"
        )
        assert answer.status_code == 303, answer.text
        await settle(instance)
    received = [d.activity for d in sink.at("/inbox")]
    assert [doc["type"] for doc in received] == ["Create", "Update", "Update"]
    objects = [doc["object"] for doc in received]
    assert [(o.get("summary"), o["sensitive"]) for o in objects] == [
        ("Eviction <news>", True),
        ("Evictions", True),
        (None, False),
    ]
    assert "<strong>families</strong>" in objects[0]["content"]
    assert "Three families evicted" in objects[1]["content"]
    assert [t["name"] for t in objects[1]["tag"]] == ["#housing"]
    assert "updated" in objects[1] and "All housed again" in objects[2]["content"]
    assert {o["id"] for o in objects} == {f"{instance.base_url}/groups/eastside/posts/{uid}"}
    async with instance.ctx.sessions() as session:
        logged = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        post = await session.scalar(select(Post))
    assert list(logged)[-3:] == ["post", "edit post", "edit post"]
    assert post is not None and post.source == "All housed again"


async def test_the_edit_page_without_a_post_points_to_the_posts_page(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    async with signed_in(instance, "ed") as client:
        page = await client.get(BASE + "/edit")
        unknown = await client.get(BASE + "/edit?post=nope")
    assert page.status_code == 200
    assert "Choose a post to change on the" in page.text
    assert f'<a href="{BASE}/posts">Posts</a>' in page.text
    assert unknown.status_code == 404
    assert "eastside has no post &#39;nope&#39;" in unknown.text


async def test_bad_input_comes_back_with_the_message_and_what_was_typed(
    instance: Instance,
) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "organizer")
    long = "w" * 501
    async with signed_in(instance, "ed") as client:
        uid = await publish(client, "/compose", {"text": "Soup", "language": "en"})
        offer = await publish(client, "/compose/offer", {"title": "Bikes", "language": "en"})
        before = await count(instance, Activity)
        edit_page = f"{BASE}/edit?post={uid}"
        cases = [
            ({"post": uid, "text": "  ", "cw": "Kept <cw>"}, "the text is empty"),
            ({"post": uid, "text": "Soup & bread", "cw": long}, "the content warning is too long"),
            ({"post": "nope", "text": "Soup", "cw": ""}, "eastside has no post"),
            ({"post": offer, "text": "Bikes!", "cw": ""}, "only status updates can be changed"),
        ]
        for data, message in cases:
            answer = await post_form(client, BASE + "/edit", data, from_page=edit_page)
            assert answer.status_code == 400, (data, answer.text)
            error = ERROR.search(answer.text)
            assert error and message in html.unescape(error[1]), (message, answer.text)
            for name, value in data.items():
                assert field_value(answer.text, name) == value, (name, answer.text)
        compose = {"text": "Soup", "cw": long, "language": "en"}
        for action in ("preview", "publish"):
            answer = await post_form(client, BASE + "/compose", compose | {"action": action})
            assert answer.status_code == 400
            assert "the content warning is too long" in answer.text
            assert field_value(answer.text, "cw") == long
        gone = await post_form(client, BASE + "/posts", {"action": "delete", "post": uid})
        assert gone.status_code == 303
        deleted = await post_form(
            client, BASE + "/edit", {"post": uid, "text": "x", "cw": ""}, from_page=BASE + "/edit"
        )
        assert deleted.status_code == 400 and "was deleted" in deleted.text
    assert await count(instance, Activity) == before + 1  # the Delete only
    async with instance.ctx.sessions() as session:
        post = await session.scalar(select(Post).where(Post.uid == uid))
    assert post is not None and post.source == "Soup" and "summary" not in post.document
