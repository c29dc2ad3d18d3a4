"""The directory's map (``MUTUALS_MAP_TILES``): without the setting the page loads nothing
of Leaflet and keeps its own drawing; with it, the page links Leaflet from our own
``/static/leaflet/`` (served, as npm installed it) and the script that draws the map.
The settings are checked as the others are. The map itself, in a browser:
tests/browser/test_public_directory_map.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import web.app
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli
from tests.web.test_directory import BARCELONA, MADRID, TOLEDO, get
from web.app import create_app
from web.settings import Settings, SettingsError, load_settings

NO_FILE = Path("/nonexistent/.env")
ATTRIBUTION = "© Test <b>tiles</b> & contributors"
HOSTILE = '<img src=x onerror="window.pwned=1">Bikes'


async def map_groups(instance: Instance, cli: Cli) -> None:
    """Three groups here with coordinates, places and topics (one named with markup, as
    another server might), and one without coordinates."""
    groups = (
        ("eastside", "Eastside", "Lavapiés, Madrid", MADRID, "food"),
        ("tagus", "Tagus", "Toledo", TOLEDO, "river"),
        ("bikes", HOSTILE, "Gràcia, Barcelona", BARCELONA, "bikes"),
    )
    for name, display_name, place, coordinates, topic in groups:
        await add_group(instance, name, display_name=display_name)
        await cli.ok(
            instance, "group", "update", name, "--place", place, "--coordinates", coordinates,
            "--topic", topic,
        )  # fmt: skip
    await add_group(instance, "nowhere", display_name="Nowhere")


def _leaflet_tags(html: str) -> list[str]:
    return re.findall(r"<(?:script|link)[^>]*leaflet[^>]*>", html, flags=re.I)


async def test_without_tiles_the_page_draws_the_points_and_loads_no_leaflet(
    make_instance: Any, cli: Cli
) -> None:
    instance = await make_instance()
    await map_groups(instance, cli)
    page = await get(instance, "/directory")
    assert page.status_code == 200
    assert "leaflet" not in page.text.lower()
    assert "directory-map" not in page.text
    assert "<script" not in page.text
    assert page.text.count("<circle ") == 3
    # Nothing of Leaflet is served either: an instance without a map needs no npm
    assert (await get(instance, "/static/leaflet/leaflet.js")).status_code == 404


async def test_with_tiles_the_page_links_our_own_leaflet(make_instance: Any, cli: Cli) -> None:
    tiles = "https://tiles.example/{z}/{x}/{y}.png?style=plain&lang=es"
    instance = await make_instance(map_tiles=tiles, map_attribution=ATTRIBUTION)
    await map_groups(instance, cli)
    page = await get(instance, "/directory?topic=food")
    assert page.status_code == 200
    html = page.text
    assert _leaflet_tags(html) == [
        '<link rel="stylesheet" href="/static/leaflet/leaflet.css">',
        '<script src="/static/leaflet/leaflet.js" defer>',
    ]
    assert '<script src="/static/directory-map.js" defer>' in html
    # The map's settings, escaped; the points with the page's own filters
    assert 'data-points="/directory.geojson?topic=food"' in html
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png?style=plain&amp;lang=es"' in html
    assert 'data-attribution="© Test &lt;b&gt;tiles&lt;/b&gt; &amp; contributors"' in html
    assert 'role="region" aria-label="Map of the groups" hidden' in html
    # The drawing stays in the page: it is what shows without script
    assert html.count("<circle ") == 1

    # The files are ours, served with their types
    for path, media_type, sample in (
        ("/static/leaflet/leaflet.js", "javascript", b"Leaflet 1.9.4"),
        ("/static/leaflet/leaflet.css", "text/css", b".leaflet-container"),
        ("/static/directory-map.js", "javascript", b"textContent"),
    ):
        res = await get(instance, path)
        assert res.status_code == 200, path
        assert media_type in res.headers["content-type"], (path, res.headers["content-type"])
        assert sample in res.content, path
    js = (await get(instance, "/static/leaflet/leaflet.js")).headers["content-type"]
    assert js.split(";")[0] in {"text/javascript", "application/javascript"}

    # In Spanish, the labels the script shows are Spanish too
    es = await get(instance, "/directory", **{"Accept-Language": "es"})
    assert 'aria-label="Mapa de los grupos"' in es.text
    assert 'data-topics="Temas:"' in es.text


async def test_with_tiles_but_no_point_nothing_of_leaflet_loads(make_instance: Any) -> None:
    instance = await make_instance(
        map_tiles="https://tiles.example/{z}/{x}/{y}.png", map_attribution=ATTRIBUTION
    )
    await add_group(instance, "nowhere", display_name="Nowhere")
    page = await get(instance, "/directory")
    assert page.status_code == 200
    assert _leaflet_tags(page.text) == []
    assert "<script" not in page.text


def _production(**more: str) -> dict[str, str]:
    return {
        "MUTUALS_BASE_URL": "https://groups.example.org",
        "MUTUALS_SECRET_KEY": "s" * 32,
        "MUTUALS_MAP_ATTRIBUTION": "© OpenStreetMap contributors",
        **more,
    }


def test_map_settings_are_read_and_checked() -> None:
    osm = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    settings = load_settings(_production(MUTUALS_MAP_TILES=f" {osm} "), NO_FILE)
    assert (settings.map_tiles, settings.map_attribution) == (osm, "© OpenStreetMap contributors")
    assert load_settings(_production(), NO_FILE).map_tiles == ""
    subdomains = "https://{s}.tiles.example/{z}/{x}/{y}{r}.png"
    assert load_settings(_production(MUTUALS_MAP_TILES=subdomains), NO_FILE).map_tiles


@pytest.mark.parametrize(
    ("tiles", "complaint"),
    [
        ("tile.openstreetmap.org/{z}/{x}/{y}.png", "is not a tile URL template"),
        ("ftp://tiles.example/{z}/{x}/{y}.png", "is not a tile URL template"),
        ("https://tiles.example/{z}/{x}.png", "with {z}, {x} and {y}"),
        ("https://[oops/{z}/{x}/{y}.png", "is not a tile URL template"),
        ("https://tiles.example/{z}/{x}/{y}.png?key={apikey}", r"has \{apikey\}"),
        ("http://tiles.example/{z}/{x}/{y}.png", "must start with https:// in production"),
    ],
)
def test_bad_tile_templates_are_refused(tiles: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings(_production(MUTUALS_MAP_TILES=tiles), NO_FILE)


def test_tiles_need_their_attribution() -> None:
    env = _production(MUTUALS_MAP_TILES="https://tiles.example/{z}/{x}/{y}.png")
    env["MUTUALS_MAP_ATTRIBUTION"] = " "
    with pytest.raises(SettingsError, match="MUTUALS_MAP_ATTRIBUTION is missing"):
        load_settings(env, NO_FILE)
    # In development a loopback tile server over http will do
    dev = {"MUTUALS_DEV": "1", "MUTUALS_MAP_ATTRIBUTION": "Test"}
    dev["MUTUALS_MAP_TILES"] = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    assert load_settings(dev, NO_FILE).map_tiles.startswith("http://")


def test_tiles_without_leaflet_installed_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web.app, "LEAFLET", tmp_path / "missing")
    settings = Settings(
        base_url="http://127.0.0.1:8000",
        dev=True,
        map_tiles="http://127.0.0.1:9/{z}/{x}/{y}.png",
        map_attribution="Test",
    ).validate()
    with pytest.raises(SettingsError, match=r"Leaflet is not installed.*make install"):
        create_app(settings)
    create_app(Settings(base_url="http://127.0.0.1:8000", dev=True).validate())
