"""The directory: this instance's groups and those it knows, filtered by place, topic and
language (``?near=LAT,LON&km=N&topic=TAG&language=CODE``, as ``mutuals directory``).

``/directory`` is the page: the filters, a drawing of the points (an inline SVG made
here, so nothing depends on an outside map service) and the list. With a tile server set
(``MUTUALS_MAP_TILES``) it also loads Leaflet, served from our own ``/static/leaflet/``,
and ``/static/directory-map.js``, which replaces the drawing with a map of the same
points. ``/directory.json`` is every entry; ``/directory.geojson`` those with
coordinates, as a GeoJSON (RFC 7946) ``FeatureCollection``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from documents.directory import (
    Entry,
    Filters,
    directory_json,
    drawing,
    feature_collection,
    filtered,
)
from documents.errors import UserError
from sharing.directory import directory
from web.negotiation import error_response, json_bytes
from web.pages import cached_page, render_page
from web.state import app_context, app_settings

WIDTH, HEIGHT = 640, 400
"""The drawing's size in its own units (it scales to the page's width)."""
FILTERS = ("near", "km", "topic", "language")


def _filters(request: Request) -> Filters:
    return Filters.parse(*(request.query_params.get(name, "") for name in FILTERS))


async def _entries(request: Request, filters: Filters) -> list[Entry]:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        return filtered(await directory(session, ctx), filters)


@cached_page
async def directory_page(request: Request) -> Response:
    """The list with its filters and the drawing of the points."""
    asked = {name: request.query_params.get(name, "").strip() for name in FILTERS}
    page_url = app_context(request).urls.base + "/directory"
    query = urlencode({name: value for name, value in asked.items() if value})
    try:
        filters = _filters(request)
    except UserError as error:
        # The form again, saying what to fix (the template translates the error).
        return render_page(
            request, "directory.html", 400, error=error, asked=asked, query=query,
            page_url=page_url,
        )  # fmt: skip
    entries = await _entries(request, filters)
    settings = app_settings(request)
    return render_page(
        request,
        "directory.html",
        error=None,
        tiles=settings.map_tiles,
        attribution=settings.map_attribution,
        entries=entries,
        dots=drawing(entries, WIDTH, HEIGHT),
        width=WIDTH,
        height=HEIGHT,
        asked=asked,
        query=query,
        filtered=filters.active,
        page_url=page_url,
    )


def _document(media_type: str, body: bytes) -> Response:
    # Read by maps and scripts on other sites: any origin may fetch it.
    return Response(body, media_type=media_type, headers={"Access-Control-Allow-Origin": "*"})


@cached_page
async def directory_json_document(request: Request) -> Response:
    """Every entry matching the filters, as JSON."""
    try:
        filters = _filters(request)
    except UserError as error:
        return error_response(400, str(error))
    entries = await _entries(request, filters)
    return _document("application/json", json_bytes(directory_json(entries)))


@cached_page
async def directory_geojson(request: Request) -> Response:
    """The entries with coordinates, as a GeoJSON FeatureCollection."""
    try:
        filters = _filters(request)
    except UserError as error:
        return error_response(400, str(error))
    entries = await _entries(request, filters)
    return _document("application/geo+json", json_bytes(feature_collection(entries)))


routes = [
    Route("/directory", directory_page, methods=["GET"]),
    Route("/directory.json", directory_json_document, methods=["GET"]),
    Route("/directory.geojson", directory_geojson, methods=["GET"]),
]
