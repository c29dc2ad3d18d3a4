"""The directory (``/directory``, ``.json``, ``.geojson``, ``mutuals directory``): this
instance's groups and the groups they follow or are followed by, between real instances;
filtered by distance, topic and language; an unlisted group, a person, a remote group
saying ``discoverable: false`` and a blocked or silenced domain never listed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import geojson
import httpx

from actors.groups import get_group
from documents.event import EventSpec, Place
from follows import actions
from sharing import events
from tests.admin.support import add_account
from tests.admin.test_network_pages import en
from tests.helpers import add_group
from tests.inbox.support import follow
from tests.instances import Instance, settle
from tests.peer import PeerActor, running_peer
from tests.sharing.network import Cli

MADRID, TOLEDO, BARCELONA = "40.42,-3.70", "39.86,-4.02", "41.39,2.17"


async def get(instance: Instance, path: str, **headers: str) -> httpx.Response:
    async with instance.client() as client:
        return await client.get(path, headers=headers)


async def listed(instance: Instance, query: str = "") -> list[dict[str, Any]]:
    """The groups of ``/directory.json`` (with ``?query``)."""
    res = await get(instance, "/directory.json" + (f"?{query}" if query else ""))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "application/json"
    groups: list[dict[str, Any]] = res.json()["groups"]
    return groups


def handles(groups: list[dict[str, Any]]) -> list[str]:
    return [group["handle"] for group in groups]


async def _neighbours(make_instance: Any, cli: Cli) -> tuple[Instance, Instance]:
    """``eastside`` (Madrid) here, with a liaison and an event; it follows ``beta``
    (Toledo) on another instance, and ``gamma`` (Barcelona) there follows it."""
    one, two = await make_instance(), await make_instance()
    for instance, name in ((one, "eastside"), (two, "beta"), (two, "gamma")):
        await add_group(instance, name, display_name=name.title())
    await cli.ok(
        one, "group", "update", "eastside", "--place", "Lavapiés, Madrid",
        "--coordinates", MADRID, "--topic", "food", "--language", "es",
    )  # fmt: skip
    await cli.ok(
        two, "group", "update", "beta", "--place", "Toledo", "--coordinates", TOLEDO,
        "--topic", "food", "--topic", "bikes", "--language", "es-ES", "--language", "en",
    )  # fmt: skip
    await cli.ok(
        two, "group", "update", "gamma", "--coordinates", BARCELONA, "--topic", "bikes",
        "--language", "ca",
    )  # fmt: skip
    await add_account(two, "bea")
    await cli.ok(two, "account", "grant", "bea", "beta", "liaison", "--handle", "@bea@b.example")
    async with one.ctx.sessions() as session:
        eastside = await get_group(session, "eastside")
        await actions.follow(session, one.ctx, eastside, f"beta@{two.host}")
        madrid = ZoneInfo("Europe/Madrid")
        spec = EventSpec(
            en("Repair café"), dt.datetime(2099, 3, 4, 19, tzinfo=madrid), "Europe/Madrid",
            place=Place("Community hall"),
        )  # fmt: skip
        await events.create_event(session, one.ctx, eastside, spec)
        await session.commit()
    await add_account(one, "li")
    await cli.ok(one, "account", "grant", "li", "eastside", "liaison", "--handle", "@li@m.example")
    async with two.ctx.sessions() as session:
        gamma = await get_group(session, "gamma")
        await actions.follow(session, two.ctx, gamma, f"eastside@{one.host}")
        await session.commit()
    await settle(one, two)
    return one, two


async def test_own_followed_and_following_groups_are_listed(make_instance: Any, cli: Cli) -> None:
    one, two = await _neighbours(make_instance, cli)
    groups = await listed(one)
    eastside, beta, gamma = (f"@{name}@{i.host}" for name, i in
                             (("eastside", one), ("beta", two), ("gamma", two)))  # fmt: skip
    # Our own group first, then those it follows or is followed by
    assert handles(groups) == [eastside, beta, gamma]
    ours = groups[0]
    assert ours | {"next_event": None} == {
        "name": "Eastside", "handle": eastside, "url": f"{one.base_url}/groups/eastside",
        "local": True, "place": "Lavapiés, Madrid", "latitude": 40.42, "longitude": -3.7,
        "topics": ["food"], "languages": ["es"], "liaisons": ["@li@m.example"],
        "next_event": None,
    }  # fmt: skip
    assert ours["next_event"]["name"] == "Repair café"
    assert ours["next_event"]["start"] == "2099-03-04T19:00:00+01:00"
    assert ours["next_event"]["url"].startswith(f"{one.base_url}/groups/eastside/posts/")
    # What the other instance published on its actors: place, coordinates, tags, languages
    assert groups[1] == {
        "name": "Beta", "handle": beta, "url": f"{two.base_url}/groups/beta", "local": False,
        "place": "Toledo", "latitude": 39.86, "longitude": -4.02, "topics": ["food", "bikes"],
        "languages": ["es-ES", "en"], "liaisons": ["@bea@b.example"], "next_event": None,
    }  # fmt: skip
    assert (groups[2]["place"], groups[2]["latitude"], groups[2]["topics"]) == (
        None,
        41.39,
        ["bikes"],
    )

    # Near Madrid: nearest first, each with its distance; within 100 km, Toledo too
    near = await listed(one, f"near={MADRID}")
    assert handles(near) == [eastside, beta, gamma]
    assert [group["distance_km"] for group in near] == [0.0, 68.0, 504.9]
    assert handles(await listed(one, f"near={MADRID}&km=100")) == [eastside, beta]
    assert handles(await listed(one, f"near={BARCELONA}&km=10")) == [gamma]
    # Topics as hashtags, languages with their regions
    assert handles(await listed(one, "topic=%23Food")) == [eastside, beta]
    assert handles(await listed(one, "topic=bikes&language=ca")) == [gamma]
    assert handles(await listed(one, "language=es")) == [eastside, beta]
    assert handles(await listed(one, "language=es-ES")) == [beta]
    assert await listed(one, "topic=knitting") == []

    # The page: the filters, the drawing with a link per point, the list as h-cards
    page = await get(one, f"/directory?near={MADRID}&km=100")
    assert page.status_code == 200
    html = page.text
    canonical = f"{one.base_url}/directory?near=40.42%2C-3.70&amp;km=100"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert html.count("<circle ") == 2
    assert f'<a href="{one.base_url}/groups/eastside" class="here">' in html
    assert f'<a href="{two.base_url}/groups/beta" class="known">' in html
    assert html.count('<li class="h-card">') == 2
    assert '<bdi class="p-locality">Toledo</bdi>' in html
    assert "68.0 km away" in html
    assert '<span lang="es-ES">español (España)</span>' in html
    assert "Liaisons: <bdi>@li@m.example</bdi>" in html
    assert "Repair café" in html
    assert 'href="/directory?topic=bikes"' in html
    spanish = await get(one, "/directory", **{"Accept-Language": "es"})
    assert "<h1>Directorio de grupos</h1>" in spanish.text
    front = await get(one, "/")
    assert 'href="/directory"' in front.text

    # The GeoJSON: a valid FeatureCollection, a Point at [longitude, latitude] per group
    res = await get(one, "/directory.geojson")
    assert res.headers["content-type"] == "application/geo+json"
    collection = geojson.loads(res.text)
    assert collection.is_valid, collection.errors()
    first = collection["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [-3.7, 40.42]}
    assert {key: first["properties"][key] for key in ("name", "handle", "url", "liaisons")} == {
        "name": "Eastside", "handle": eastside, "url": f"{one.base_url}/groups/eastside",
        "liaisons": ["@li@m.example"],
    }  # fmt: skip
    assert first["properties"]["next_event"]["name"] == "Repair café"

    # The command line: one group a line, starting with its handle; --json as the page
    out = await cli.ok(one, "directory", f"--near={MADRID}", "--km", "100")
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [eastside, beta]
    assert lines[1].split("\t")[1:6] == [
        "Beta", f"{two.base_url}/groups/beta", "Toledo (39.86,-4.02) 68.0 km", "#food #bikes",
        "es-ES en",
    ]  # fmt: skip
    assert "liaison @li@m.example\tnext: Repair café 2099-03-04T19:00:00+01:00" in lines[0]
    as_json = await cli.ok(one, "directory", "--topic", "bikes", "--json")
    assert json.loads(as_json) == {"groups": await listed(one, "topic=bikes")}
    assert await cli.ok(one, "directory", "--topic", "knitting") == "no group matches\n"


@dataclass
class PlacedActor(PeerActor):
    """A peer actor whose document carries more (a location, tags, a hostile name…)."""

    extra: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return super().document() | self.extra


def placed(actor: PeerActor, **extra: Any) -> PlacedActor:
    return PlacedActor(**vars(actor), extra=extra)


async def test_unlisted_people_undiscoverable_and_blocked_are_left_out(
    instance: Instance, cli: Cli
) -> None:
    await add_group(instance, "eastside")
    async with running_peer("localhost") as peer:
        spot = {"type": "Place", "name": "Elsewhere", "latitude": 1.5, "longitude": 2.5}
        for name, kind, extra in (
            ("open", "Group", {"location": spot}),
            ("hidden", "Group", {"discoverable": False}),
            ("person", "Person", {"location": spot}),
        ):
            peer.actors[name] = placed(peer.actor(name, type=kind), **extra)
            await follow(instance, "eastside", peer.actors[name])
        # A request not accepted yet is no link
        peer.actors["asked"] = placed(peer.actor("asked", type="Group"))
        await follow(instance, "eastside", peer.actors["asked"], accepted=False)
        remote = "@open@" + peer.base_url.removeprefix("http://")
        assert handles(await listed(instance)) == [f"@eastside@{instance.host}", remote]

        await cli.ok(instance, "group", "update", "eastside", "--unlisted")
        assert handles(await listed(instance)) == [remote]
        assert "directory:       unlisted\n" in await cli.ok(instance, "group", "show", "eastside")
        await cli.ok(instance, "domain", "block", "localhost", "--silence")
        assert await listed(instance) == []
        page = await get(instance, "/directory")
        assert "No group is listed yet." in page.text and "<svg" not in page.text
        await cli.ok(instance, "domain", "unblock", "localhost")
        await cli.ok(instance, "group", "update", "eastside", "--listed")
        assert len(await listed(instance)) == 2
        await cli.ok(instance, "domain", "block", "localhost")
        assert handles(await listed(instance)) == [f"@eastside@{instance.host}"]


SCRIPT = "<script>window.pwned = 1</script>"
RLO = "\u202e"


async def test_a_hostile_remote_actor_is_trimmed_skipped_or_refused(
    instance: Instance, cli: Cli
) -> None:
    await add_group(instance, "eastside")
    async with running_peer() as peer:
        # Given an actor of 10 MB: never fetched, so never listed; the reason is said
        peer.actors["huge"] = placed(peer.actor("huge", type="Group"), name="x" * 10_000_000)
        error = await cli.fails(instance, "follow", "eastside", peer.actors["huge"].id)
        assert error.endswith(f"exceeds 1000000 bytes ({peer.actors['huge'].id})"), error
        # and others under the limit with a name and a place of markup and hundreds of
        # kilobytes, coordinates that are not numbers or out of range, 10,000 tags and
        # languages that are not language tags
        long_name = f"{SCRIPT}{RLO}gnp.exe " + "n" * 300_000
        tags = [{"type": "Hashtag", "name": f"#t{i}"} for i in range(10_000)]
        hostile = {
            "script": {
                "name": long_name,
                "location": {"type": "Place", "name": long_name, "latitude": "abc",
                             "longitude": 999},
                "language": [{"identifier": SCRIPT}, {"identifier": "es"}, "fr", None],
                "attachment": [{"type": "PropertyValue", "name": "Liaison",
                                "value": f"<p>{SCRIPT}{RLO}@li " + "l" * 1000 + "</p>"}] * 60,
            },
            "tags": {"tag": tags, "location": [{"type": "Place", "latitude": 999,
                                                 "longitude": 1}], "language": "es"},
            "odd": {"tag": "#nothing", "location": "Madrid", "language": {"identifier": 5}},
        }  # fmt: skip
        for name, extra in hostile.items():
            peer.actors[name] = placed(peer.actor(name, type="Group"), **extra)
            await follow(instance, "eastside", peer.actors[name])
        groups = {group["handle"].split("@")[1]: group for group in await listed(instance)}
    assert sorted(groups) == ["eastside", "odd", "script", "tags"]
    script = groups["script"]
    # Then names and places are trimmed to 200 characters of text, the override removed
    assert script["name"] == f"{SCRIPT}gnp.exe " + "n" * (200 - len(SCRIPT) - 8)
    assert script["place"] == script["name"]
    assert (script["latitude"], script["longitude"], script["languages"]) == (None, None, ["es"])
    # liaisons too: plain text, trimmed, at most 10
    assert len(script["liaisons"]) == 10
    for contact in script["liaisons"]:
        assert len(contact) <= 200 and "<" not in contact and RLO not in contact
    # only the first 50 tags are read, and 10 topics kept
    assert groups["tags"]["topics"] == [f"t{i}" for i in range(10)]
    assert groups["tags"]["latitude"] is None
    assert (groups["odd"]["topics"], groups["odd"]["place"], groups["odd"]["languages"]) == (
        [],
        None,
        [],
    )
    page = await get(instance, "/directory")
    assert page.status_code == 200
    assert SCRIPT not in page.text and RLO not in page.text
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;gnp.exe" in page.text
    assert "n" * 201 not in page.text
    collection = geojson.loads((await get(instance, "/directory.geojson")).text)
    assert collection.is_valid and collection["features"] == []


async def test_bad_filters_are_refused_with_the_reason(instance: Instance, cli: Cli) -> None:
    refused = {
        ("--km", "5"): "a distance needs a place to measure from: give near as LAT,LON",
        ("--near", "abc"): "the coordinates 'abc' are not a latitude and a longitude: write "
        "LAT,LON in decimal degrees, e.g. 40.42,-3.70",
        ("--near=0,0", "--km", "-5"): "the distance must be a number of kilometres above 0 "
        "and at most 20038, not '-5'",
        ("--near", "91,0"): "the latitude must be between -90 and 90, not 91",
        ("--topic", "two words"): "the topic 'two words' must be a hashtag: one word of at "
        "most 100 letters, digits and _, e.g. mutual_aid",
        ("--language", "<b>"): "'<b>' is not a language tag; use one like en, es or pt-BR",
    }
    for argv, reason in refused.items():
        assert await cli.fails(instance, "directory", *argv) == f"error: {reason}", argv
    assert await cli.ok(instance, "directory") == "no groups listed yet\n"
    # The page shows the form again with the reason, in the visitor's language
    page = await get(instance, "/directory?near=abc%25&km=5", **{"Accept-Language": "es"})
    assert page.status_code == 400
    assert "las coordenadas &#39;abc%&#39; no son una latitud y una longitud" in page.text
    assert 'value="abc%"' in page.text
    for path in ("/directory.json?km=x", "/directory.geojson?near=1,2&km=0"):
        res = await get(instance, path)
        assert res.status_code == 400, res.text
        assert res.text.startswith("the distance must be a number of kilometres"), res.text
