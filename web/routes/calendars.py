"""iCalendar (RFC 5545) feeds: a group's events, one event, and the group's network.

Calendar apps subscribe to these URLs without signing anything, so only public
events are listed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from documents.ical import CalendarEntry, build_calendar
from sharing import calendars
from store.db import utcnow
from web.negotiation import error_response
from web.state import app_context

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _calendar(entries: list[CalendarEntry], name: str, filename: str) -> Response:
    body = build_calendar(entries, name=name, now=utcnow())
    disposition = f'inline; filename="{filename}"'
    return Response(
        body, headers={"Content-Type": CALENDAR_TYPE, "Content-Disposition": disposition}
    )


async def _group_feed(request: Request, network: bool) -> Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        if group is None:
            return error_response(404, "no such group")
        if network:
            entries = await calendars.network_entries(session, group)
        else:
            entries = await calendars.group_entries(session, group)
    name = group.display_name or group.name
    if network:
        return _calendar(entries, f"{name}: network", f"{group.name}-network.ics")
    return _calendar(entries, name, f"{group.name}.ics")


async def group_events(request: Request) -> Response:
    """Every public event of the group."""
    return await _group_feed(request, network=False)


async def network_events(request: Request) -> Response:
    """Events of the groups and accounts the group follows."""
    return await _group_feed(request, network=True)


async def one_event(request: Request) -> Response:
    """One public event of the group (a calendar app's "add to calendar")."""
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        entry = None
        if group is not None:
            entry = await calendars.event_entry(session, group, request.path_params["post"])
    if entry is None:
        return error_response(404, "no such event")
    return _calendar([entry], entry.title, f"{request.path_params['post']}.ics")


routes = [
    Route("/groups/{uid}/events.ics", group_events, methods=["GET"]),
    Route("/groups/{uid}/network.ics", network_events, methods=["GET"]),
    Route("/groups/{uid}/events/{post}.ics", one_event, methods=["GET"]),
]
