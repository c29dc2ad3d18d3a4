"""The directory's map in a real browser: with ``MUTUALS_MAP_TILES`` aimed at a tile server
on loopback, Leaflet (from our own /static/leaflet/) replaces the drawing with one point
per group; a point opens its group's name, place and topics, names from elsewhere shown
as text; the filters reach the map; axe-core finds nothing serious.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.browser.support import (
    Screenshots,
    assert_accessible,
    assert_fits_the_width,
    assert_no_script_ran,
    visit,
)
from tests.browser.test_public_network_pages import PHONE
from tests.sharing.network import Cli
from tests.web.test_directory_map import ATTRIBUTION, HOSTILE, map_groups

TILE_PATH = re.compile(r"/\d+/\d+/\d+\.png")


def _tile_png(size: int = 256) -> bytes:
    """A pale tile with a darker edge, so the tiles show as a grid in the screenshot."""
    pale, edge = b"\xe8\xef\xe4", b"\xc4\xcf\xbd"
    inner = edge + pale * (size - 2) + edge
    rows = [b"\x00" + edge * size] + [b"\x00" + inner] * (size - 2) + [b"\x00" + edge * size]

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


@dataclass
class TileServer:
    """A tile server on loopback: the same tile for every ``/z/x/y.png``, each path recorded."""

    base_url: str
    requested: list[str] = field(default_factory=list)

    @property
    def template(self) -> str:
        return self.base_url + "/{z}/{x}/{y}.png"


@asynccontextmanager
async def tile_server() -> AsyncIterator[TileServer]:
    """Serve tiles on a free loopback port until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    tiles = TileServer(f"http://127.0.0.1:{sock.getsockname()[1]}")
    png = _tile_png()

    async def tile(request: Request) -> Response:
        tiles.requested.append(request.url.path)
        return Response(png, media_type="image/png")

    app = Starlette(routes=[Route("/{z:int}/{x:int}/{y:int}.png", tile)])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield tiles
    finally:
        server.should_exit = True
        await task


async def _popup_of(page: Page, marker: int) -> dict[str, str]:
    """Click the ``marker``-th point; what its popup shows (then closed again)."""
    await page.locator("#directory-map path.leaflet-interactive").nth(marker).click()
    popup = page.locator(".leaflet-popup-content")
    await expect(popup).to_be_visible()
    # Leaflet fades a popup in: axe-core would measure the contrast of a paler one.
    await expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    link = popup.get_by_role("link")
    shown = {
        "name": await link.inner_text(),
        "href": await link.get_attribute("href") or "",
        "text": " | ".join(line for line in (await popup.inner_text()).split("\n") if line),
    }
    await assert_accessible(page)
    await page.get_by_role("button", name="Close").click()
    await expect(popup).to_have_count(0)
    return shown


async def test_the_map_shows_one_point_per_group_over_the_tile_server(
    make_instance: Any, cli: Cli, page: Page, screenshot: Screenshots
) -> None:
    async with tile_server() as tiles:
        instance = await make_instance(map_tiles=tiles.template, map_attribution=ATTRIBUTION)
        await map_groups(instance, cli)
        await visit(page, f"{instance.base_url}/directory")

        # Leaflet's map takes the drawing's place: one point per group with coordinates
        region = page.get_by_role("region", name="Map of the groups")
        await expect(region).to_be_visible()
        await expect(region.locator("path.leaflet-interactive")).to_have_count(3)
        await expect(page.locator("figure.map > svg")).to_have_count(0)
        await expect(page.locator("figure.map figcaption")).to_contain_text("Select a point")
        await expect(page.locator("li.h-card")).to_have_count(4)
        # The tiles came from the loopback server, and its attribution shows as plain text
        await expect(region.locator("img.leaflet-tile-loaded").first).to_be_visible()
        assert tiles.requested and all(TILE_PATH.fullmatch(path) for path in tiles.requested)
        attribution = region.locator(".leaflet-control-attribution")
        await expect(attribution).to_contain_text("© Test <b>tiles</b> & contributors")
        await expect(region.get_by_role("button", name="Zoom in")).to_be_visible()
        await assert_accessible(page)
        await screenshot(page, "public-directory-map", publish=False)

        # Each point opens its group: the name as a link, the place and the topics
        popups = [await _popup_of(page, marker) for marker in range(3)]
        by_href = {shown["href"]: shown for shown in popups}
        base = f"{instance.base_url}/groups"
        assert set(by_href) == {f"{base}/eastside", f"{base}/tagus", f"{base}/bikes"}
        assert by_href[f"{base}/tagus"]["name"] == "Tagus"
        assert by_href[f"{base}/tagus"]["text"] == "Tagus | Where: Toledo | Topics: #river"
        # A name with markup in it is only text: no image, no script
        assert by_href[f"{base}/bikes"]["name"] == HOSTILE
        await assert_no_script_ran(page)
        assert await page.locator("#directory-map img:not(.leaflet-tile)").count() == 0
        await page.locator("#directory-map path.leaflet-interactive").first.click()
        await expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
        await screenshot(page, "public-directory-map-popup", publish=False)

        # The filters reach the map: only the group about food
        await page.get_by_label("Topic", exact=True).fill("food")
        await page.get_by_role("button", name="Filter").click()
        await expect(page.locator("li.h-card")).to_have_count(1)
        await expect(region.locator("path.leaflet-interactive")).to_have_count(1)
        assert (await _popup_of(page, 0))["href"] == f"{base}/eastside"

        # On a phone the map fits the width and still passes
        await page.set_viewport_size(PHONE)
        await assert_fits_the_width(page)
        await assert_accessible(page)


async def test_without_script_or_tiles_the_drawing_stays(
    make_instance: Any, cli: Cli, page: Page, browser: Browser
) -> None:
    # Nothing listens on the discard port: the tiles fail, the points and popups work
    instance = await make_instance(
        map_tiles="http://127.0.0.1:9/{z}/{x}/{y}.png", map_attribution=ATTRIBUTION
    )
    await map_groups(instance, cli)
    await visit(page, f"{instance.base_url}/directory")
    await expect(page.locator("#directory-map path.leaflet-interactive")).to_have_count(3)
    assert (await _popup_of(page, 0))["href"].startswith(f"{instance.base_url}/groups/")

    # Without script: the drawing made on the server, its points links, and no empty map
    context = await browser.new_context(java_script_enabled=False)
    try:
        plain = await context.new_page()
        await visit(plain, f"{instance.base_url}/directory")
        drawing = plain.locator("figure.map > svg")
        await expect(drawing.locator("circle")).to_have_count(3)
        await expect(drawing.get_by_role("link", name="Tagus")).to_be_visible()
        await expect(plain.locator("#directory-map")).to_be_hidden()
        # (axe-core needs script: tests/browser/test_public_directory.py checks the drawing.)
    finally:
        await context.close()
