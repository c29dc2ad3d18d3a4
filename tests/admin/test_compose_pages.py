"""Writing as the group over real HTTP: each kind reaches a follower; bad input comes back."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import func, select

from accounts.models import AuditEntry
from outbox.models import Activity
from posts.models import Post
from sharing.models import Event, Offer
from tests.admin.support import add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower

BASE = "/admin/groups/eastside"
EVENT = {
    "title": "Repair café",
    "start": "2031-03-01T14:00",
    "end": "2031-03-01T17:00",
    "timezone": "Europe/Berlin",
    "place": "Community hall, 12 Main St",
    "online": "",
    "body": "Bring what is broken.",
    "repeat": "monthly",
    "language": "en",
}


async def count(instance: Instance, model: type[Any]) -> int:
    """How many rows ``model`` has."""
    async with instance.ctx.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def publish(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> str:
    """Submit a compose form; the uid of the post it published."""
    answer = await post_form(client, BASE + path, data)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(rf"{BASE}/posts\?sent=(\w+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return found[1]


async def test_an_editor_publishes_each_kind_and_a_follower_receives_it(
    instance: Instance,
) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    async with Sink() as sink, signed_in(instance, "ed") as client:
        await add_follower(instance, group, sink.add_actor("ana"))
        # Preview renders the Markdown as publishing does, and publishes nothing
        note = {"text": "Soup **tonight** at the #garden", "visibility": "public"}
        preview = await post_form(
            client, BASE + "/compose", {**note, "language": "en", "action": "preview"}
        )
        assert preview.status_code == 200
        assert "<strong>tonight</strong>" in preview.text
        assert "Soup **tonight** at the #garden</textarea>" in preview.text
        assert await count(instance, Activity) == await count(instance, Post) == 0

        uids = [
            await publish(client, "/compose", {**note, "language": "en", "action": "publish"}),
            await publish(client, "/compose", {"text": "Sopa hoy", "language": "es"}),
            await publish(
                client,
                "/compose/offer",
                {
                    "title": "Bike repair",
                    "body": "Saturdays",
                    "skills": "bikes, repair",
                    "area": "Eastside",
                    "until": "2031-01-31",
                    "language": "en",
                },
            ),
            await publish(client, "/compose/need", {"title": "A ladder", "language": "en"}),
            await publish(client, "/compose/event", EVENT),
            await publish(
                client,
                "/compose/poll",
                {
                    "question": "Which day?",
                    "options": "Saturday\n\nSunday\n",
                    "multiple": "on",
                    "closes": "2031-01-01T12:00",
                    "timezone": "UTC",
                    "language": "en",
                },
            ),
        ]
        listing = await client.get(BASE + "/posts?sent=" + uids[-1])
        await settle(instance)
    created = [d.activity for d in sink.received if d.activity["type"] == "Create"]
    objects = {doc["object"]["id"].rsplit("/", 1)[-1]: doc["object"] for doc in created}
    assert [objects[uid]["type"] for uid in uids] == [
        "Note", "Note", "Note", "Note", "Event", "Question",
    ]  # fmt: skip
    assert "<strong>tonight</strong>" in objects[uids[0]]["content"]
    assert list(objects[uids[1]]["contentMap"]) == ["es"]
    assert objects[uids[2]]["name"] == "Bike repair"
    assert [t["name"] for t in objects[uids[2]]["tag"]] == ["#bikes", "#repair"]
    assert objects[uids[4]]["startTime"] == "2031-03-01T14:00:00+01:00"
    assert objects[uids[4]]["location"]["name"] == "Community hall"
    assert [o["name"] for o in objects[uids[5]]["anyOf"]] == ["Saturday", "Sunday"]
    assert listing.status_code == 200
    for shown in ("Soup tonight at the #garden", "Bike repair", "A ladder", "Repair café"):
        assert shown in listing.text
    assert "Sent to the followers" in listing.text
    async with instance.ctx.sessions() as session:
        logged = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert list(logged)[-6:] == ["post", "post", "offer", "need", "event", "poll"]


BAD_INPUT = [
    ("/compose", {"text": "   ", "language": "en"}, "the text is empty"),
    ("/compose", {"text": "Hi", "language": "english!"}, "is not a language tag"),
    ("/compose", {"text": "Hi", "visibility": "secret", "language": "en"}, "unknown visibility"),
    ("/compose/offer", {"title": "Bikes", "until": "2001-01-01"}, "is in the past"),
    ("/compose/offer", {"title": "Bikes", "until": "soon"}, "is not a date"),
    ("/compose/offer", {"title": "", "skills": "bikes"}, "title"),
    ("/compose/event", EVENT | {"timezone": "Mars/Olympus"}, "unknown timezone"),
    ("/compose/event", EVENT | {"start": "next tuesday"}, "is not a date and time"),
    ("/compose/event", EVENT | {"end": "2031-03-01T13:00"}, "before it starts"),
    ("/compose/event", EVENT | {"start": ""}, "an event needs a start"),
    ("/compose/event", EVENT | {"online": "https://meet.example/x"}, "either in a place or online"),
    ("/compose/event", EVENT | {"repeat": "fortnightly-ish"}, "daily, weekly"),
    ("/compose/poll", {"question": "Which?", "options": "One"}, "a poll needs 2 to 20 options"),
    (
        "/compose/poll",
        {"question": "Which?", "options": "\n".join(f"o{i}" for i in range(21))},
        "21 given",
    ),
    ("/compose/poll", {"question": "Which?", "options": "A\na"}, "is given twice"),
    ("/compose/poll", {"question": "Which?", "options": "A\nB", "closes": "2001-01-01T00:00"},
     "is in the past"),
]  # fmt: skip


async def test_bad_input_comes_back_with_the_message_and_what_was_typed(
    instance: Instance,
) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "organizer")
    async with signed_in(instance, "ed") as client:
        for path, data, message in BAD_INPUT:
            answer = await post_form(client, BASE + path, data)
            assert answer.status_code == 400, (path, data, answer.text)
            error = re.search(
                r'<p class="error" role="alert" id="form-error">(.*?)</p>', answer.text
            )
            assert error and message in error[1], (path, message, answer.text)
            for name, value in data.items():
                if value.strip() and name != "visibility":
                    field = re.search(rf'<(input|textarea)[^>]* name="{name}"[^>]*>', answer.text)
                    assert field, (path, name)
                    assert (
                        f'value="{value}"' in field[0]
                        if field[1] == "input"
                        else f"{field[0]}{value}</textarea>" in answer.text
                    ), (path, name)
        preview = await post_form(client, BASE + "/compose", {"text": "", "action": "preview"})
        assert preview.status_code == 400 and "the text (en) is empty" in preview.text
    assert await count(instance, Post) == await count(instance, Activity) == 0


async def test_the_posts_page_deletes_closes_cancels_and_changes(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    async with Sink() as sink, signed_in(instance, "ed") as client:
        await add_follower(instance, group, sink.add_actor("ana"))
        note = await publish(client, "/compose", {"text": "Oops", "language": "en"})
        offer = await publish(client, "/compose/offer", {"title": "Bikes", "language": "en"})
        event = await publish(client, "/compose/event", EVENT)
        other = await publish(client, "/compose/event", EVENT | {"title": "Picnic"})
        posts = BASE + "/posts"

        async def act(action: str, uid: str) -> httpx.Response:
            return await post_form(client, posts, {"action": action, "post": uid})

        assert (await act("delete", note)).status_code == 303
        assert (await act("fulfilled", offer)).status_code == 303
        assert (await act("cancel", event)).status_code == 303
        # What the package refuses comes back as the message, never a 500
        refused = await act("withdrawn", offer)
        assert refused.status_code == 400
        assert f"offer {offer} is already fulfilled" in refused.text
        assert "is not an offer or need" in (await act("fulfilled", other)).text
        assert "unknown action" in (await act("explode", other)).text
        # Changing an event: the form comes filled in; the change goes out as an Update
        form = await client.get(BASE + f"/compose/event?edit={other}")
        assert form.status_code == 200
        assert 'value="Picnic"' in form.text and 'value="2031-03-01T14:00"' in form.text
        assert 'value="FREQ=MONTHLY"' in form.text
        changed = EVENT | {"title": "Picnic in the park", "start": "2031-03-02T12:00",
                           "end": "", "edit": other, "repeat": ""}  # fmt: skip
        answer = await post_form(client, BASE + "/compose/event", changed)
        assert answer.status_code == 303, answer.text
        cancelled = await post_form(client, BASE + "/compose/event", changed | {"edit": event})
        assert cancelled.status_code == 400 and "is cancelled" in cancelled.text
        unknown = await client.get(BASE + "/compose/event?edit=nope")
        assert unknown.status_code == 404 and "has no post" in unknown.text
        listing = await client.get(posts)
        await settle(instance)
    assert "Oops" not in listing.text
    assert "fulfilled" in listing.text and "(cancelled)" in listing.text
    assert "Picnic in the park" in listing.text
    kinds = [(d.activity["type"], d.activity["object"].get("type")) for d in sink.received]
    assert kinds.count(("Delete", "Tombstone")) == 1
    assert kinds.count(("Update", "Note")) == 1  # the offer, closed
    assert kinds.count(("Update", "Event")) == 2  # cancelled; changed
    async with instance.ctx.sessions() as session:
        row = await session.scalar(select(Event).where(Event.title == "Picnic in the park"))
        closed = await session.scalar(select(Offer))
        logged = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert row is not None and row.rrule is None and row.ends_at is None and row.sequence == 1
    assert closed is not None and closed.state == "fulfilled"
    assert list(logged)[-4:] == [
        "delete post",
        "close offer (fulfilled)",
        "cancel event",
        "edit event",
    ]


async def test_other_languages_reach_the_follower_and_mistakes_come_back(
    instance: Instance,
) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ed", group, "editor")
    spanish = {"tr-lang-0": "es", "tr-text-0": "Sopa **esta noche**"}
    async with Sink() as sink, signed_in(instance, "ed") as client:
        await add_follower(instance, group, sink.add_actor("ana"))
        note = {"text": "Soup **tonight**", "language": "en", **spanish}
        preview = await post_form(client, BASE + "/compose", note | {"action": "preview"})
        assert preview.status_code == 200
        assert '<div class="e-content" lang="en"><p>Soup <strong>tonight</strong>' in preview.text
        assert (
            '<div class="e-content" lang="es"><p>Sopa <strong>esta noche</strong>' in preview.text
        )
        post = await publish(client, "/compose", note | {"action": "publish"})
        event = await publish(
            client,
            "/compose/event",
            EVENT | {"tr-lang-1": "es", "tr-title-1": "Café de reparaciones",
                     "tr-body-1": "Trae lo que esté roto."},
        )  # fmt: skip
        # A translation without its text, a language twice, a bad tag: 400, all kept
        for extra, message in [
            ({"tr-lang-1": "fr"}, "no text in fr"),
            ({"tr-lang-1": "es", "tr-text-1": "Otra"}, "es is given twice"),
            ({"tr-lang-1": "", "tr-text-1": "Soupe"}, "needs its language tag"),
            ({"tr-lang-1": "français", "tr-text-1": "Soupe"}, "is not a language tag"),
        ]:
            answer = await post_form(client, BASE + "/compose", note | extra)
            assert answer.status_code == 400 and message in answer.text, (extra, answer.text)
            assert 'name="tr-lang-0" type="text" value="es"' in answer.text
            assert 'name="tr-text-0" rows="4">Sopa **esta noche**</textarea>' in answer.text
            for name, value in extra.items():
                if value and name.startswith("tr-text"):
                    assert f'name="{name}" rows="4">{value}</textarea>' in answer.text
                elif value:
                    assert f'name="{name}" type="text" value="{value}"' in answer.text
        # Changing the English text keeps the Spanish one
        edit = {"post": post, "text": "Soup **at seven**", "cw": ""}
        assert (await post_form(client, BASE + "/edit", edit)).status_code == 303
        await settle(instance)
    updated = next(d.activity["object"] for d in sink.received if d.activity["type"] == "Update")
    assert "<strong>at seven</strong>" in updated["contentMap"]["en"] == updated["content"]
    assert "<strong>esta noche</strong>" in updated["contentMap"]["es"]
    created = {
        d.activity["object"]["id"].rsplit("/", 1)[-1]: d.activity["object"]
        for d in sink.received
        if d.activity["type"] == "Create"
    }
    assert set(created) == {post, event}
    assert list(created[post]["contentMap"]) == ["en", "es"]
    assert "<strong>esta noche</strong>" in created[post]["contentMap"]["es"]
    assert created[event]["nameMap"] == {"en": "Repair café", "es": "Café de reparaciones"}
    assert list(created[event]["contentMap"]) == ["en", "es"]
    assert await count(instance, Post) == 2
