"""Content warnings: the Note's ``summary`` with ``sensitive`` true, as Mastodon reads them,
from ``mutuals post``/``edit --cw`` and the package functions, to a follower's inbox."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from actors.groups import get_group
from documents.errors import UserError
from documents.multilingual import Multilingual
from posts import notes
from posts.models import Post
from posts.multilingual import publish_multilingual_note
from tests.helpers import AP, add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower
from web.cli import main


async def _publish(instance: Instance, text: str, cw: str | None) -> Post:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        post = await notes.publish_note(session, instance.ctx, group, text, cw=cw)
        await session.commit()
    return post


async def _edit(instance: Instance, post: Post, text: str, cw: str | None) -> None:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        await notes.edit_note(session, instance.ctx, group, post.uid, text, cw=cw)
        await session.commit()


async def _served(instance: Instance, post: Post) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Note and its Create, as another server fetches them."""
    async with instance.client() as client:
        note = (await client.get(post.document["id"], headers={"Accept": AP})).json()
        create = await client.get(f"{post.document['id']}/activity", headers={"Accept": AP})
    return note, create.json()


async def test_a_warning_is_the_summary_of_a_sensitive_note(instance: Instance) -> None:
    await add_group(instance, "eastside")
    warned = await _publish(instance, "Two families were evicted today.", "Eviction news")
    plain = await _publish(instance, "Soup tonight", None)
    note, create = await _served(instance, warned)
    assert note["summary"] == "Eviction news"
    assert note["sensitive"] is True
    assert "evicted" in note["content"]
    assert note["@context"] == [
        "https://www.w3.org/ns/activitystreams",
        {"sensitive": "as:sensitive", "Hashtag": "as:Hashtag"},
    ]
    assert create["object"] == {k: v for k, v in note.items() if k != "@context"}
    # Without a warning there is no summary, and sensitive stays false (as Mastodon sends)
    note, create = await _served(instance, plain)
    assert "summary" not in note and "summary" not in create["object"]
    assert note["sensitive"] is False and create["object"]["sensitive"] is False


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Food\n  insecurity\t", "Food insecurity"),
        ("Hunger\u202e news\u200b", "Hunger news"),
        ("<b>Police</b> & <script>x</script>", "<b>Police</b> & <script>x</script>"),
        ("   ", None),
        ("", None),
    ],
)
async def test_a_warning_is_one_line_of_plain_text(
    instance: Instance, typed: str, kept: str | None
) -> None:
    await add_group(instance, "eastside")
    post = await _publish(instance, "text", typed)
    assert post.document.get("summary") == kept
    assert post.document["sensitive"] is (kept is not None)


async def test_a_warning_too_long_is_refused(instance: Instance) -> None:
    await add_group(instance, "eastside")
    assert notes.content_warning("w" * notes.MAX_WARNING) == "w" * notes.MAX_WARNING
    with pytest.raises(UserError, match="the content warning is too long; the limit is 500"):
        await _publish(instance, "text", "w" * (notes.MAX_WARNING + 1))
    async with instance.ctx.sessions() as session:
        assert (await session.scalars(select(Post))).all() == []


async def test_a_follower_receives_the_warning_and_its_edits(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        post = await _publish(instance, "Two families were evicted.", "Eviction news")
        await settle(instance)
        await _edit(instance, post, "Three families were evicted.", "Eviction, updated")
        await settle(instance)
        await _edit(instance, post, "Three families; the text stays warned.", None)
        await settle(instance)
        await _edit(instance, post, "All is well now.", "")
        await settle(instance)
    received = [d.activity for d in sink.at("/inbox")]
    assert [doc["type"] for doc in received] == ["Create", "Update", "Update", "Update"]
    shown = [
        (doc["object"].get("summary"), doc["object"]["sensitive"], doc["object"]["content"].strip())
        for doc in received
    ]
    assert shown == [
        ("Eviction news", True, "<p>Two families were evicted.</p>"),
        ("Eviction, updated", True, "<p>Three families were evicted.</p>"),
        ("Eviction, updated", True, "<p>Three families; the text stays warned.</p>"),
        (None, False, "<p>All is well now.</p>"),
    ]
    assert "summary" not in received[-1]["object"]


async def test_a_multilingual_post_carries_the_warning(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        text = Multilingual({"es": "Desalojo hoy", "en": "Eviction today"}, "es")
        post = await publish_multilingual_note(session, instance.ctx, group, text, cw="Desalojo")
        await session.commit()
    assert (post.document["summary"], post.document["sensitive"]) == ("Desalojo", True)
    assert list(post.document["contentMap"]) == ["es", "en"]


async def test_the_commands_take_cw(
    instance: Instance, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", instance.base_url)
    monkeypatch.setenv("MUTUALS_DATABASE_URL", instance.settings.database_url)
    await add_group(instance, "eastside")

    async def run(*argv: str) -> Post:
        assert await asyncio.to_thread(main, list(argv)) == 0, capsys.readouterr().err
        async with instance.ctx.sessions() as session:
            return (await session.scalars(select(Post).order_by(Post.id.desc()))).first()  # type: ignore[return-value]

    post = await run("post", "eastside", "Hard news", "--cw", "Eviction")
    assert (post.document["summary"], post.document["sensitive"]) == ("Eviction", True)
    post = await run("edit", "eastside", post.uid, "Harder news")
    assert (post.document["summary"], post.document["content"]) == (
        "Eviction",
        "<p>Harder news</p>\n",
    )
    post = await run("edit", "eastside", post.uid, "Harder news", "--cw", "Evictions")
    assert post.document["summary"] == "Evictions"
    post = await run("edit", "eastside", post.uid, "Good news", "--cw", "")
    assert "summary" not in post.document and post.document["sensitive"] is False
    post = await run("post", "eastside", "Hola", "--language", "es", "--cw", "Aviso")
    assert (post.document["summary"], list(post.document["contentMap"])) == ("Aviso", ["es"])
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["post", "eastside", "x", "--cw", "w" * 501]) == 1
    assert "the content warning is too long" in capsys.readouterr().err
    # An offer is not a status update: `edit` would overwrite its text, so it refuses
    assert await asyncio.to_thread(main, ["offer", "eastside", "Bike repair"]) == 0
    offer_uid = capsys.readouterr().out.split()[1].rstrip(":")
    assert await asyncio.to_thread(main, ["edit", "eastside", offer_uid, "x"]) == 1
    assert "only status updates can be changed this way" in capsys.readouterr().err


async def test_the_public_pages_hide_the_text_behind_the_warning(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        post = await notes.publish_note(
            session, instance.ctx, group, "Eviction at **Elm St**", cw="Eviction <news>"
        )
        await session.commit()
    async with instance.client(headers={"accept": "text/html"}) as client:
        for path in ("/groups/eastside", str(post.document["id"]).removeprefix(instance.base_url)):
            page = (await client.get(path)).text
            assert (
                '<details class="content-warning" lang="en">'
                "<summary>Eviction &lt;news&gt;</summary>"
                '<div class="e-content">'
            ) in page
            assert "<strong>Elm St</strong>" in page
