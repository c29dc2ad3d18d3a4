"""The group profile page and the instance admin's domains page, over real HTTP.

A follower (a Sink) must receive the ``Update{Group}`` an organizer's save sends, and
its icon URL must serve the uploaded bytes; a domain blocked on the page must be refused
at the inbox.
"""

from __future__ import annotations

import struct
import zlib

import httpx

from actors.groups import get_group
from actors.icons import MAX_ICON_BYTES, GroupIcon
from outbox.models import Delivery
from tests.admin.support import add_account, count, csrf_of, log, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower

PROFILE = "/admin/groups/demo/profile"
NO_FILE = ("", b"", "application/octet-stream")  # what a browser sends with no file chosen


def png(size: int = 2, rgb: tuple[int, int, int] = (128, 128, 128)) -> bytes:
    """A real PNG image: a square of ``size`` pixels of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def profile_form(**changes: str) -> dict[str, str]:
    """The profile form as an organizer fills it in."""
    return {
        "action": "save",
        "display_name": "East Side Mutual Aid",
        "summary": "Food **every** Friday",
        "field_name_1": "Website",
        "field_value_1": "https://eastside.example",
        "posting": "approval",
        "announce_replies": "top-level",
        "discoverable": "on",
    } | changes


async def save(
    client: httpx.AsyncClient, data: dict[str, str], icon: tuple[str, bytes, str] = NO_FILE
) -> httpx.Response:
    """Send the profile form (multipart, as the page's form does) with its token."""
    token = csrf_of(await client.get(PROFILE))
    return await client.post(PROFILE, data={"csrf": token, **data}, files={"icon": icon})


async def test_an_organizer_saves_the_profile_and_followers_get_the_icon(
    instance: Instance,
) -> None:
    group = await add_group(instance, "demo", display_name="Demo")
    await add_account(instance, "ana", group, "organizer")
    image = png()
    async with Sink() as sink, signed_in(instance, "ana") as client:
        fan = sink.add_actor("fan")
        await add_follower(instance, group, fan)
        page = await client.get(PROFILE)
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' in page.text and 'value="Demo"' in page.text

        answer = await save(
            client, profile_form(posting="open"), icon=("avatar.png", image, "image/png")
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == PROFILE + "?saved=1"
        shown = await client.get(answer.headers["location"])
        assert "Saved." in shown.text and 'value="East Side Mutual Aid"' in shown.text
        await settle(instance)

    update = next(d.activity for d in sink.received if d.activity["type"] == "Update")
    actor = update["object"]
    assert (actor["type"], actor["name"]) == ("Group", "East Side Mutual Aid")
    assert "<strong>every</strong>" in actor["summary"]
    assert actor["attachment"][0]["name"] == "Website"
    icon_url = actor["icon"]["url"]
    assert icon_url.startswith(f"{instance.base_url}/groups/demo/icon?v=")
    async with httpx.AsyncClient() as anyone:
        served = await anyone.get(icon_url)
        again = await anyone.get(icon_url, headers={"If-None-Match": served.headers["etag"]})
    assert served.status_code == 200
    assert served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "max-age=" in served.headers["cache-control"]
    assert again.status_code == 304
    async with instance.ctx.sessions() as session:
        assert (await get_group(session, "demo")).posting == "open"
    assert await log(instance, "ana") == [
        ("profile updated", "display name, summary, profile fields, icon, posting: open", group.id)
    ]


async def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(
    instance: Instance,
) -> None:
    group = await add_group(instance, "demo", display_name="Demo")
    await add_account(instance, "ana", group, "organizer")
    page_script = b"<html><script>alert(1)</script></html>"
    async with Sink() as sink, signed_in(instance, "ana") as client:
        await add_follower(instance, group, sink.add_actor("fan"))
        refused = await save(client, profile_form(), icon=("cat.png", page_script, "image/png"))
        too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_ICON_BYTES
        large = await save(client, profile_form(), icon=("big.png", too_big, "image/png"))
        await settle(instance)

    assert refused.status_code == 400
    assert "not an image in a format we accept: use PNG, JPEG, WebP or GIF" in refused.text
    assert 'id="error-icon"' in refused.text and 'aria-describedby="error-icon' in refused.text
    assert 'value="East Side Mutual Aid"' in refused.text  # what was typed is kept
    assert large.status_code == 400
    assert "the image is too large: at most 2 MB" in large.text
    assert await count(instance, GroupIcon) == 0
    assert await count(instance, Delivery) == 0
    assert sink.received == []
    async with instance.ctx.sessions() as session:
        assert (await get_group(session, "demo")).display_name == "Demo"
    assert await log(instance, "ana") == []


async def test_bad_fields_are_shown_where_they_were_typed(instance: Instance) -> None:
    group = await add_group(instance, "demo", display_name="Demo")
    await add_account(instance, "ana", group, "organizer")
    async with signed_in(instance, "ana") as client:
        no_value = await save(client, profile_form(field_name_2="Meetings", field_value_2=" "))
        no_name = await save(client, profile_form(display_name="  "))
        bad_policy = await save(client, profile_form(posting="everyone"))

    assert no_value.status_code == 400
    assert "profile field &#39;Meetings&#39; needs a name and a value" in no_value.text
    assert 'id="error-fields"' in no_value.text and 'value="Meetings"' in no_value.text
    assert no_name.status_code == 400
    assert 'id="error-display_name"' in no_name.text
    assert "the display name cannot be empty" in no_name.text
    assert bad_policy.status_code == 400 and 'id="error-posting"' in bad_policy.text
    async with instance.ctx.sessions() as session:
        kept = await get_group(session, "demo")
    assert (kept.display_name, kept.fields, kept.posting) == ("Demo", [], "approval")


async def test_place_coordinates_topics_languages_and_the_directory_listing(
    instance: Instance,
) -> None:
    group = await add_group(instance, "demo", display_name="Demo")
    await add_account(instance, "ana", group, "organizer")
    where = profile_form(
        place="Lavapiés, Madrid",
        coordinates="40.4089,-3.7008",
        topics="#Food, housing  mutual_aid",
        languages="es,pt-br",
    )
    async with Sink() as sink, signed_in(instance, "ana") as client:
        await add_follower(instance, group, sink.add_actor("fan"))
        far = await save(client, where | {"coordinates": "91,-3.70"})
        saved = await save(client, where)
        shown = await client.get(PROFILE)
        unlisted = await save(client, {k: v for k, v in where.items() if k != "discoverable"})
        hidden = await client.get(PROFILE)
        await settle(instance)

    assert far.status_code == 400
    assert 'id="error-coordinates"' in far.text
    assert "the latitude must be between -90 and 90, not 91" in far.text
    assert 'aria-describedby="error-coordinates coordinates-hint"' in far.text
    assert 'value="91,-3.70"' in far.text and 'value="Lavapiés, Madrid"' in far.text
    assert saved.status_code == 303 and unlisted.status_code == 303
    for value in ("Lavapiés, Madrid", "40.41,-3.7", "food housing mutual_aid", "es pt-BR"):
        assert f'value="{value}"' in shown.text
    assert 'name="discoverable" checked' in shown.text
    assert 'name="discoverable" checked' not in hidden.text
    async with instance.ctx.sessions() as session:
        kept = await get_group(session, "demo")
    assert (kept.place, kept.latitude, kept.longitude) == ("Lavapiés, Madrid", 40.41, -3.7)
    assert (kept.topics, kept.languages) == (["food", "housing", "mutual_aid"], ["es", "pt-BR"])
    assert kept.discoverable is False
    actor = next(d.activity["object"] for d in sink.received if d.activity["type"] == "Update")
    place = {"type": "Place", "name": "Lavapiés, Madrid", "latitude": 40.41, "longitude": -3.7}
    assert actor["location"] == place
    assert [detail for _, detail, _ in await log(instance, "ana")] == [
        "display name, summary, profile fields, place, coordinates, topics, languages",
        "directory listing off",
    ]


async def test_removing_the_icon_tells_followers(instance: Instance) -> None:
    group = await add_group(instance, "demo")
    await add_account(instance, "ana", group, "organizer")
    async with Sink() as sink, signed_in(instance, "ana") as client:
        await add_follower(instance, group, sink.add_actor("fan"))
        await save(client, profile_form(), icon=("a.png", png(), "image/png"))
        page = await client.get(PROFILE)
        assert 'alt="The group\'s current icon"' in page.text
        removed = await post_form(client, PROFILE, {"action": "remove-icon"})
        assert removed.status_code == 303
        await settle(instance)
        async with httpx.AsyncClient() as anyone:
            gone = await anyone.get(f"{instance.base_url}/groups/demo/icon")

    updates = [d.activity["object"] for d in sink.received if d.activity["type"] == "Update"]
    assert "icon" in updates[0] and "icon" not in updates[-1]
    assert gone.status_code == 404
    assert [action for action, _, _ in await log(instance, "ana")] == [
        "profile updated",
        "icon removed",
    ]


async def test_renaming_the_group_keeps_its_address_and_tells_followers(
    instance: Instance,
) -> None:
    group = await add_group(instance, "demo", display_name="Demo")
    await add_group(instance, "taken")
    await add_account(instance, "ana", group, "organizer")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ben"))
        async with signed_in(instance, "ana") as client:
            taken = await save(client, profile_form(name="taken"))
            assert taken.status_code == 400
            assert 'id="error-name"' in taken.text and 'value="taken"' in taken.text
            renamed = await save(client, profile_form(name="eastside"))
            assert renamed.status_code == 303
            assert renamed.headers["location"] == "/admin/groups/eastside/profile?saved=1"
            assert (await client.get("/admin/groups/eastside/profile")).status_code == 200
        await settle(instance)
        updates = [d.activity for d in sink.received if d.activity["type"] == "Update"]
    assert updates[-1]["object"]["preferredUsername"] == "eastside"
    assert updates[-1]["object"]["id"] == instance.ctx.urls.group(group.uid)
    async with instance.client() as client:
        found = await client.get(
            "/.well-known/webfinger", params={"resource": f"acct:eastside@{instance.host}"}
        )
    assert found.status_code == 200
    assert ("profile updated", "handle, display name, summary, profile fields") in [
        (action, detail) for action, detail, _group in await log(instance, "ana")
    ]
