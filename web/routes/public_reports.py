"""``/groups/{uid}/transparency``: a group's published monthly transparency reports, newest
first, each with its figures and a link to the whole report (its post's page)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from sharing.transparency import published_reports
from web.negotiation import error_response
from web.pages import cached_page, render_page
from web.state import app_context


@cached_page
async def transparency_page(request: Request) -> Response:
    """The group's published reports (drafts are never shown)."""
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        if group is None:
            return error_response(404, "no such group")
        reports = await published_reports(session, group)
    return render_page(
        request,
        "transparency.html",
        group=group,
        reports=reports,
        page_url=f"{ctx.urls.group(group.uid)}/transparency",
    )


routes = [Route("/groups/{uid}/transparency", transparency_page, methods=["GET"])]
