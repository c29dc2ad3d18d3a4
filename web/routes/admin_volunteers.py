"""The organizers' Volunteers page: the skills inventory, matches with open needs, roles.

``/admin/groups/{name}/volunteers?skill=&area=`` is ``mutuals volunteers`` (with each
volunteer's availability, area, times helped, badges and mentor) and ``mutuals
volunteers match``; its forms do what ``mutuals volunteer add|helped|mentor|grant|listing``
and ``mutuals volunteers role`` do, through the same package functions: among them,
approving (or not) the requests to be listed sent with the public form, and taking
anyone off the public page. Organizers only:
availability and area are private. Every change is recorded in the group's log.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from accounts import audit
from actors.models import Group
from documents.errors import UserError
from sharing import volunteer_roles, volunteers
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.routes.admin_moderation import done, notice
from web.routes.volunteer_pages import split_skills
from web.state import app_context

NOTICES = {
    "add": N_("Volunteer recorded."),
    "helped": N_("Help recorded."),
    "mentor": N_("Mentor paired."),
    "grant": N_("Role granted: it shows as a badge if the volunteer is listed."),
    "role": N_("Role criteria saved."),
    "list": N_("Listed on the public volunteers page."),
    "unlist": N_("Not listed on the public volunteers page."),
}
"""What ``?done=KEY`` says on the page."""


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    skill = request.query_params.get("skill", "").strip()
    area = request.query_params.get("area", "").strip()
    async with app_context(request).sessions() as session:
        everyone = await volunteers.inventory(session, group)
        shown = await volunteers.inventory(session, group, skill=skill, area=area)
        matches = await volunteers.match_needs(session, group)
        counts = await volunteer_roles.help_counts(session, group)
        granted = await volunteer_roles.badges(session, group)
        roles = await volunteer_roles.list_roles(session, group)
    return render_form(
        request,
        "admin/volunteers.html",
        status,
        visitor=visitor,
        shown=shown,
        asking=[row for row in everyone if row.asked_to_be_listed],
        names={row.id: row.name for row in everyone},
        matches=matches,
        counts=counts,
        granted=granted,
        roles=roles,
        skill=skill,
        area=area,
        notice=notice(request, NOTICES),
        **values,
    )


async def _apply(session: AsyncSession, group: Group, action: str, form: FormData, by: str) -> str:
    """Do what the form asks; the detail the log keeps."""
    name = text_field(form, "volunteer")
    if action == "add":
        row = await volunteers.register(
            session, group, name, skills=split_skills(text_field(form, "skills")),
            availability=text_field(form, "availability"), area=text_field(form, "area"),
            listed=bool(text_field(form, "listed")),
        )  # fmt: skip
        return row.name
    if action in ("list", "unlist"):
        row = await volunteers.find_volunteer(session, group, name)
        volunteers.set_listing(row, action == "list", by=by)
        return row.name
    if action == "helped":
        row, count = await volunteer_roles.record_help(session, group, name, by=by)
        return f"{row.name} ({count})"
    if action == "mentor":
        newcomer, mentor = await volunteer_roles.pair_mentor(
            session, group, name, text_field(form, "mentor")
        )
        return f"{newcomer.name} by {mentor.name}"
    if action == "grant":
        row, role = await volunteer_roles.grant_role(
            session, group, name, text_field(form, "role"), by=by
        )
        return f"{row.name}: {role.name}"
    if action == "role":
        helped = text_field(form, "helped").strip() or "0"
        if not helped.isdigit():
            raise volunteers.VolunteerError("the times helped must be a whole number, such as 5")
        made = await volunteer_roles.define_role(
            session, group, text_field(form, "role"),
            criteria=text_field(form, "criteria"), helped=int(helped),
        )  # fmt: skip
        return made.name
    raise UserError("unknown action")


async def volunteers_page(request: Request, visitor: Visitor) -> Response:
    """The inventory, searchable by skill and area; matches with open needs; the forms."""
    if request.method == "GET":
        return await _page(request, visitor)
    group = visitor.group
    assert group is not None
    form = await request.form()
    action = text_field(form, "action")
    try:
        async with app_context(request).sessions() as session:
            by = visitor.account.username
            detail = await _apply(session, group, action, form, by)
            await audit.record(session, by, f"volunteer {action}", group, detail)
            await session.commit()
    except UserError as error:
        return await _page(request, visitor, 400, error=error, action=action)
    return done(request, action)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/volunteers", volunteers_page, "roles", ["GET", "POST"]),
]
"""The Volunteers page (organizers only): path, handler, permission, methods."""
