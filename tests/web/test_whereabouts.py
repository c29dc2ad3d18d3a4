"""Where a group is and what it is about: set and cleared with ``mutuals group update``,
published on its actor (``location``, ``tag``, ``language``) and to its followers in
``Update{Group}``, shown on its page and found by the front page's search; bad input is
refused with the reason, and nothing changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from actors.models import Group
from documents.whereabouts import language_codes, language_name, parse_coordinates
from tests.helpers import AP, add_group
from tests.instances import Instance, settle
from tests.sharing.network import Cli
from tests.sink import Sink, add_follower

PLACE = "Eastside, Springfield"
UPDATE = ("group", "update", "eastside")


@pytest.fixture
async def followed(instance: Instance) -> AsyncIterator[tuple[Group, Sink]]:
    """eastside, followed from a recording server."""
    group = await add_group(instance, "eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        yield group, sink


async def actor(instance: Instance) -> dict[str, Any]:
    """eastside's actor document, as served."""
    async with instance.client() as client:
        res = await client.get("/groups/eastside", headers={"Accept": AP})
    assert res.status_code == 200
    doc: dict[str, Any] = res.json()
    return doc


def updated_groups(sink: Sink) -> list[dict[str, Any]]:
    """The groups of the ``Update{Group}``s the follower received."""
    return [
        doc["object"]
        for doc in (delivered.activity for delivered in sink.at("/inbox"))
        if doc["type"] == "Update" and doc["object"]["type"] == "Group"
    ]


def whereabouts(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``location``, ``tag`` and ``language`` of an actor document, those it has."""
    return {key: doc[key] for key in ("location", "tag", "language") if key in doc}


async def test_the_command_line_publishes_them_and_followers_get_an_update(
    instance: Instance, followed: tuple[Group, Sink], cli: Cli
) -> None:
    _group, sink = followed
    out = await cli.ok(
        instance, *UPDATE, "--place", PLACE, "--coordinates", "40.71277, -74.00597",
        "--topic", "#MutualAid", "--topic", "food", "--topic", "mutualaid",
        "--language", "es", "--language", "EN", "--language", "pt-br",
    )  # fmt: skip
    assert out == "updated group eastside; its followers will see the new profile\n"
    base = instance.base_url
    expected = {
        # rounded to 2 decimals (about 1 km)
        "location": {"type": "Place", "name": PLACE, "latitude": 40.71, "longitude": -74.01},
        # hashtag keys, each once
        "tag": [
            {"type": "Hashtag", "href": f"{base}/tags/mutualaid", "name": "#mutualaid"},
            {"type": "Hashtag", "href": f"{base}/tags/food", "name": "#food"},
        ],
        # as Lemmy publishes a community's languages, in RFC 5646's case
        "language": [
            {"identifier": "es", "name": "español"},
            {"identifier": "en", "name": "English"},
            {"identifier": "pt-BR", "name": "português (Brasil)"},
        ],
    }
    doc = await actor(instance)
    assert whereabouts(doc) == expected
    terms = doc["@context"][-1]
    assert (terms["Hashtag"], terms["language"], terms["identifier"]) == (
        "as:Hashtag",
        "schema:inLanguage",
        "schema:identifier",
    )
    await settle(instance)
    assert [whereabouts(group) for group in updated_groups(sink)] == [expected]

    shown = await cli.ok(instance, "group", "show", "eastside")
    assert f"place:           {PLACE}\n" in shown
    assert "coordinates:     40.71,-74.01 (rounded to about 1 km)\n" in shown
    assert "topics:          #mutualaid #food\n" in shown
    assert "languages:       es en pt-BR\n" in shown


async def test_each_one_is_changed_and_cleared_on_its_own(
    instance: Instance, followed: tuple[Group, Sink], cli: Cli
) -> None:
    _group, sink = followed
    # A negative latitude is given with '=', or argparse takes it for an option
    await cli.ok(
        instance, *UPDATE, "--place", PLACE, "--coordinates=-33.92468,18.42406",
        "--topic", "food", "--language", "es",
    )  # fmt: skip
    steps: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        (("--place", ""), {"type": "Place", "latitude": -33.92, "longitude": 18.42}),
        (("--place", "Bo-Kaap", "--coordinates", ""), {"type": "Place", "name": "Bo-Kaap"}),
        (("--coordinates", "0.001,-0.004"), {"type": "Place", "name": "Bo-Kaap", "latitude": 0.0,
                                             "longitude": 0.0}),
        (("--place", "", "--coordinates", " "), None),
    ]  # fmt: skip
    for argv, location in steps:
        await cli.ok(instance, *UPDATE, *argv)
        assert (await actor(instance)).get("location") == location, argv
    doc = await actor(instance)
    assert [tag["name"] for tag in doc["tag"]] == ["#food"]
    assert doc["language"] == [{"identifier": "es", "name": "español"}]

    await cli.ok(instance, *UPDATE, "--topic", "Repair", "--topic", "bikes")
    assert [tag["name"] for tag in (await actor(instance))["tag"]] == ["#repair", "#bikes"]
    await cli.ok(instance, *UPDATE, "--clear-topics")
    doc = await actor(instance)
    assert "tag" not in doc and doc["language"] == [{"identifier": "es", "name": "español"}]
    await cli.ok(instance, *UPDATE, "--clear-languages")
    assert whereabouts(await actor(instance)) == {}

    # Every change told the follower, the last one with nothing left
    await settle(instance)
    updates = updated_groups(sink)
    assert len(updates) == 8
    assert sum(whereabouts(group) == {} for group in updates) == 1


async def test_the_page_shows_them_as_text(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    hostile = "<script>alert(1)</script>\u202eEastside"
    await cli.ok(
        instance, *UPDATE, "--place", hostile, "--coordinates", "40.4168,-3.7038",
        "--topic", "Food", "--topic", "mutual_aid", "--language", "es", "--language", "en",
    )  # fmt: skip
    async with instance.client() as client:
        page = await client.get("/groups/eastside", headers={"Accept": "text/html"})
        spanish = await client.get(
            "/groups/eastside", headers={"Accept": "text/html", "Accept-Language": "es"}
        )
    assert page.status_code == 200
    # The place is text: markup escaped, the right-to-left override dropped, the name isolated
    assert "<script>alert(1)" not in page.text and "\u202e" not in page.text
    assert (
        '<bdi class="p-locality">&lt;script&gt;alert(1)&lt;/script&gt;Eastside</bdi>' in page.text
    )
    assert (await actor(instance))["location"]["name"] == "<script>alert(1)</script>Eastside"
    # The coordinates as an h-geo inside the h-card, with how precise they are
    assert (
        '<span class="p-geo h-geo">(<data class="p-latitude" value="40.42">40.42</data>, '
        '<data class="p-longitude" value="-3.7">-3.7</data>)</span> '
        '<span class="hint">location shown to about 1 km</span>'
    ) in page.text
    # The topics link to their tag pages; each language is named in itself
    tags = instance.base_url + "/tags/"
    assert (
        f'Topics: <a class="p-category" href="{tags}food" rel="tag">#<bdi>food</bdi></a> '
        f'<a class="p-category" href="{tags}mutual_aid" rel="tag">#<bdi>mutual_aid</bdi></a>'
    ) in page.text
    assert 'Languages: <span lang="es">español</span>, <span lang="en">English</span>' in page.text
    for text in ("Dónde:", "ubicación mostrada con una precisión de 1 km aproximadamente",
                 "Temas:", "Idiomas:"):  # fmt: skip
        assert text in spanish.text


async def test_the_front_page_finds_groups_by_place_and_topic(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    await add_group(instance, "bikes")
    await cli.ok(instance, *UPDATE, "--place", PLACE, "--topic", "Food")
    await cli.ok(instance, "group", "update", "bikes", "--topic", "repair")

    async def found(query: str) -> list[str]:
        async with instance.client() as client:
            page = await client.get("/", params={"q": query})
        assert page.status_code == 200
        return [name for name in ("bikes", "eastside") if f"@{name}@{instance.host}" in page.text]

    assert await found("springfield") == ["eastside"]
    assert await found("FOOD") == ["eastside"]
    assert await found("#repair") == ["bikes"]
    assert await found("#food springfield") == ["eastside"]
    assert await found("#food bikes") == []


async def test_bad_input_is_refused_with_the_reason_and_nothing_changes(
    instance: Instance, followed: tuple[Group, Sink], cli: Cli
) -> None:
    _group, sink = followed
    await cli.ok(
        instance, *UPDATE, "--place", PLACE, "--coordinates", "40.71,-74.01",
        "--topic", "food", "--language", "es",
    )  # fmt: skip
    before = await actor(instance)
    not_coordinates = (
        "the coordinates %r are not a latitude and a longitude: write LAT,LON in decimal "
        "degrees, e.g. 40.42,-3.70"
    )
    not_hashtag = (
        "the topic %r must be a hashtag: one word of at most 100 letters, digits and _, "
        "e.g. mutual_aid"
    )
    not_language = "%r is not a language tag; use one like en, es or pt-BR"
    languages = ["en", "es", "fr", "de", "it", "pt", "nl", "ca", "eu", "gl", "sv"]
    refused: list[tuple[list[str], str]] = [
        (["--coordinates", "91,0"], "the latitude must be between -90 and 90, not 91"),
        (["--coordinates=-90.5,0"], "the latitude must be between -90 and 90, not -90.5"),
        (["--coordinates", "0, 180.01"], "the longitude must be between -180 and 180, not 180.01"),
        (["--coordinates", "abc"], not_coordinates % "abc"),
        (["--coordinates", "1,2,3"], not_coordinates % "1,2,3"),
        (["--coordinates", "40"], not_coordinates % "40"),
        (["--coordinates", "nan,0"], not_coordinates % "nan,0"),
        (["--coordinates", "0,inf"], not_coordinates % "0,inf"),
        (["--coordinates", "1e999,0"], not_coordinates % "1e999,0"),
        (["--topic", "food", "--topic", "mutual aid"], not_hashtag % "mutual aid"),
        (["--topic", "#"], not_hashtag % "#"),
        (["--topic", "x" * 101], not_hashtag % ("x" * 101)),
        ([f"--topic=t{n}x" for n in range(11)], "at most 10 topics; got 11"),
        (["--language", "english!"], not_language % "english!"),
        ([f"--language={code}" for code in languages], "at most 10 languages; got 11"),
        # A bad value refuses the whole command: the good ones with it change nothing
        (["--display-name", "Renamed", "--place", "Elsewhere", "--coordinates", "0,181"],
         "the longitude must be between -180 and 180, not 181"),
    ]  # fmt: skip
    for argv, reason in refused:
        assert await cli.fails(instance, *UPDATE, *argv) == f"error: {reason}", argv
    assert await actor(instance) == before
    await settle(instance)
    assert len(updated_groups(sink)) == 1


def test_coordinates_are_rounded_and_language_tags_cased() -> None:
    assert parse_coordinates("-0.004,179.996") == (0.0, 180.0)
    assert str(parse_coordinates(" -0.001 , 0.005 ")) == "(0.0, 0.01)"
    assert parse_coordinates("  ") is None
    assert language_codes(["ZH-hant-tw", "en-X-Abc", "es", "ES", "sr-latn"]) == [
        "zh-Hant-TW",
        "en-x-abc",
        "es",
        "sr-Latn",
    ]
    assert language_name("zz") == "zz"
    assert language_name("en-x-abc") == "en-x-abc"
