"""Replies to offers become responses; multilingual posts cross over; pages escape text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inbox.models import RemoteObject
from tests.helpers import AP
from tests.instances import settle
from tests.peer import running_peer
from tests.sharing.network import Cli, linked, post_by_uid


async def test_replies_to_a_need_are_listed_as_responses(make_instance: Any, cli: Cli) -> None:
    _one, two = await linked(make_instance)
    uid = (await cli.ok(two, "need", "beta", "A ladder", "--skill", "diy")).split()[1]
    need_id = (await post_by_uid(two, uid)).document["id"]
    inbox = f"{two.base_url}/groups/beta/inbox"
    async with running_peer() as peer:
        ana = peer.actor("ana")
        note = peer.note(ana, "<p>I have one <script>x</script></p>", inReplyTo=need_id)
        for _ in range(2):  # delivered twice: kept once
            create = peer.activity(ana, "Create", note)
            assert (await peer.post(inbox, create)).status_code == 202
        await settle(two)
    out = await cli.ok(two, "responses", "beta", uid)
    assert out == f"{ana.id}\t{note['id']}\tI have one\n"
    assert await cli.ok(two, "responses", "beta", uid) == out


async def test_a_multilingual_post_crosses_over(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    out = await cli.ok(
        two, "post", "beta", "Sopa el *viernes*", "--language", "es",
        "--lang", "en", "Soup on *Friday*", "--lang", "de", "Suppe am Freitag",
    )  # fmt: skip
    post = await post_by_uid(two, out.split()[1].rstrip(":"))
    await settle(one, two)
    async with one.ctx.sessions() as session:
        seen = await session.scalar(
            select(RemoteObject).where(RemoteObject.ap_id == post.document["id"])
        )
    assert seen is not None
    assert seen.document["content"] == "<p>Sopa el <em>viernes</em></p>"
    assert seen.document["contentMap"] == {
        "es": "<p>Sopa el <em>viernes</em></p>",
        "en": "<p>Soup on <em>Friday</em></p>",
        "de": "<p>Suppe am Freitag</p>",
    }


async def test_shared_posts_are_served_at_their_ids(make_instance: Any, cli: Cli) -> None:
    _one, two = await linked(make_instance)
    evil = "<b>Bad</b> & <script>alert(1)</script>"
    event = (await cli.ok(two, "event", "beta", evil, "--start", "2099-05-01 10:00")).split()[1]
    poll = (await cli.ok(two, "poll", "beta", "Q?", "--option", evil, "--option", "b")).split()[1]
    offer = (await cli.ok(two, "offer", "beta", evil)).split()[1]
    async with two.client() as client:
        for uid, type_ in ((event, "Event"), (poll, "Question"), (offer, "Note")):
            url = f"{two.base_url}/groups/beta/posts/{uid}"
            doc = (await client.get(url, headers={"Accept": AP})).json()
            assert doc["type"] == type_ and doc["id"] == url
            assert doc == {"@context": doc["@context"], **(await post_by_uid(two, uid)).document}
            page = await client.get(url, headers={"Accept": "text/html"})
            assert page.status_code == 200
            assert "<script>" not in page.text
            assert "&lt;b&gt;Bad&lt;/b&gt; &amp; &lt;script&gt;" in page.text
        page = (await client.get(f"{two.base_url}/groups/beta/posts/{event}")).text
        assert f"/groups/beta/events/{event}.ics" in page
