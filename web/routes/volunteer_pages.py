"""A group's public volunteer pages: the form to volunteer, and who agreed to be listed.

``/groups/{uid}/volunteer`` is the form (``sharing.volunteers.register``): a name,
skills, availability, area, and whether they ask to be listed. It proves nobody's
identity, so it refuses fediverse handles (a reply to the group's call proves those)
and "list me" waits for an organizer's approval. It carries a CSRF token and is
rate-limited per client address (the address is never stored).
``/groups/{uid}/volunteers`` lists the volunteers who agreed to be listed: their name,
skills and badges, nothing else.
"""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from actors.models import Group
from documents.errors import UserError
from sharing import volunteer_roles, volunteers
from web.forms import text_field
from web.guard import form_ok
from web.i18n import N_
from web.negotiation import error_response
from web.pages import render_form, render_page
from web.ratelimit import RateLimiter, limit
from web.routes.login import EXPIRED
from web.state import app_context

FORM_RATE = 1 / 120
"""A client address may send the form about once every two minutes…"""
FORM_BURST = 5
"""…after a first burst of five (a family registering together)."""
TOO_MANY = N_("Too many forms were sent from your address. Wait a few minutes and try again.")


def form_limiter() -> RateLimiter:
    """The form's limiter (``app.state.volunteer_limiter``), per client address."""
    return RateLimiter(rate=FORM_RATE, burst=FORM_BURST)


def _limiter(request: Request) -> RateLimiter:
    return cast(RateLimiter, request.app.state.volunteer_limiter)


def split_skills(text: str) -> list[str]:
    """The skills typed in one field: separated by commas (spaces inside one become
    ``_``), or by spaces when there is no comma."""
    items = text.split(",") if "," in text else text.split()
    return ["_".join(item.split()) for item in items if item.strip()]


async def _group(request: Request) -> Group | None:
    async with app_context(request).sessions() as session:
        return await find_group_by_uid(session, request.path_params["uid"])


def _form(request: Request, group: Group, status: int = 200, **values: object) -> Response:
    page_url = f"{app_context(request).urls.group(group.uid)}/volunteer"
    return render_form(request, "volunteer.html", status, group=group, page_url=page_url, **values)


async def volunteer_form(request: Request) -> Response:
    """``GET``: the form; ``POST``: register, then say what was recorded."""
    group = await _group(request)
    if group is None:
        return error_response(404, "no such group")
    if request.method == "GET":
        return _form(request, group, fields={})
    form = await request.form()
    fields = {name: text_field(form, name) for name in ("name", "skills", "availability", "area")}
    fields["listed"] = "yes" if text_field(form, "listed") else ""
    if not await form_ok(request):
        return _form(request, group, 400, fields=fields, error=UserError(EXPIRED))
    address = request.client.host if request.client else "?"
    if limit(_limiter(request), address) is not None:
        return _form(request, group, 429, fields=fields, error=UserError(TOO_MANY))
    async with app_context(request).sessions() as session:
        try:
            volunteers.check_form_name(fields["name"])
            row = await volunteers.register(
                session, group, fields["name"], skills=split_skills(fields["skills"]),
                availability=fields["availability"], area=fields["area"],
                asked_to_be_listed=bool(fields["listed"]), source="form",
            )  # fmt: skip
        except UserError as refused:
            return _form(request, group, 400, fields=fields, error=refused)
        await session.commit()
    return _form(request, group, done=row)


async def volunteers_page(request: Request) -> Response:
    """The volunteers who agreed to be listed: name, skills and badges."""
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        if group is None:
            return error_response(404, "no such group")
        listed = await volunteer_roles.listed_volunteers(session, group)
    return render_page(
        request,
        "volunteers.html",
        group=group,
        listed=listed,
        page_url=f"{ctx.urls.group(group.uid)}/volunteers",
    )


routes = [
    Route("/groups/{uid}/volunteer", volunteer_form, methods=["GET", "POST"]),
    Route("/groups/{uid}/volunteers", volunteers_page, methods=["GET"]),
]
