"""The composition root: ``create_app(settings)`` wires packages, routes and workers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from web.ratelimit import inbox_limiter
from web.routes import (
    actors,
    admin,
    authorize,
    blocklist,
    calendars,
    collections,
    directory,
    discovery,
    feeds,
    health,
    inbox,
    interact,
    login,
    objects,
    public_network,
    public_reports,
    survey_pages,
    volunteer_pages,
)
from web.runtime import open_context
from web.settings import Settings, SettingsError
from web.signing import Signer
from web.workers import running_workers

LEAFLET = Path(__file__).parent / "assets" / "node_modules" / "leaflet" / "dist"
"""Leaflet's files, for the directory's map: ``npm ci`` in web/assets (``make install``;
the image's build stage) puts them there, and ``/static/leaflet/`` serves them."""


def create_app(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """A Starlette application serving one instance; workers run in it when configured."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_context(settings, transport=transport) as ctx:
            app.state.ctx = ctx
            app.state.settings = settings
            async with running_workers(ctx, enabled=settings.run_workers):
                yield

    static = StaticFiles(directory=str(Path(__file__).parent / "static"))
    routes = [
        *health.routes,
        *discovery.routes,
        *blocklist.routes,
        *actors.routes,
        *inbox.routes,
        *objects.routes,
        *collections.routes,
        *calendars.routes,
        *public_network.routes,
        *public_reports.routes,
        *directory.routes,
        *feeds.routes,
        *login.routes,
        *interact.routes,
        *survey_pages.routes,
        *volunteer_pages.routes,
        *authorize.routes,
        *admin.routes,
        *_leaflet(settings),
        Mount("/static", static, name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    # One limiter per process, shared by the group inboxes and the shared inbox.
    app.state.inbox_limiter = inbox_limiter(rate=settings.inbox_rate, burst=settings.inbox_burst)
    app.state.survey_limiter = survey_pages.survey_limiter()
    app.state.volunteer_limiter = volunteer_pages.form_limiter()
    app.state.signer = Signer(settings.secret_key, secure=not settings.dev)
    return app


def _leaflet(settings: Settings) -> list[Mount]:
    """``/static/leaflet/`` when the directory has a map (``MUTUALS_MAP_TILES``); nothing
    otherwise, so an instance without one needs no npm."""
    if not settings.map_tiles:
        return []
    if not (LEAFLET / "leaflet.js").is_file():
        raise SettingsError(
            f"MUTUALS_MAP_TILES is set but Leaflet is not installed in {LEAFLET}: "
            "run `make install` (or `npm ci` in web/assets)"
        )
    return [Mount("/static/leaflet", StaticFiles(directory=str(LEAFLET)), name="leaflet")]


def freeze_startup_objects() -> None:
    """Move every object alive now out of the garbage collector's reach (``gc.freeze``).

    Called once before serving: the modules, mappers and templates loaded at start-up
    live as long as the process, and a full collection that walks them all paused every
    request in flight for about 50 ms; without them it takes a few.
    """
    gc.collect()
    gc.freeze()
