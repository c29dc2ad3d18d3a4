"""The moderators' pages about reports: the list (with its status filter) and making a
report; one report's page: its mediator, private notes, and closing it with an outcome.

Each action calls what the matching ``mutuals report …`` command calls
(``moderation.reports``, ``moderation.grievances``), which writes it to the group's log.
A done action redirects back with a fixed notice (``?done=…``); a refused one shows the
page again, 400, with the reason and what was typed.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from moderation.grievances import (
    CLOSED,
    STATUSES,
    add_note,
    assign,
    close,
    get_grievance,
    grievances,
    mediators,
    notes_of,
    parse_number,
)
from moderation.reports import make_report
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.routes.admin_moderation import done, notice
from web.state import app_context

REPORT_NOTICES = {
    "report": N_("Report recorded."),
    "forward": N_("Report recorded, and a Flag sent to the account's server."),
    "assign": N_("Mediator assigned: the report is in mediation."),
    "note": N_("Note added."),
    "resolved": N_("Report resolved."),
    "dismissed": N_("Report dismissed."),
}
"""What ``?done=KEY`` says on the reports pages (never text from the request)."""


async def _reports_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    shown = request.query_params.get("status")
    shown = shown if shown in STATUSES else None
    async with app_context(request).sessions() as session:
        rows = await grievances(session, group, shown)
    return render_form(
        request,
        "admin/reports.html",
        status,
        visitor=visitor,
        reports=rows,
        statuses=STATUSES,
        shown=shown,
        notice=notice(request, REPORT_NOTICES),
        **values,
    )


async def reports(request: Request, visitor: Visitor) -> Response:
    """Reports made and received, by status; making one (optionally sent on to the
    account's server, optionally telling the person who brought it)."""
    if request.method == "GET":
        return await _reports_page(request, visitor)
    group = visitor.group
    assert group is not None
    form = await request.form()
    fields = {name: text_field(form, name) for name in ("account", "reason", "posts", "notify")}
    forward = text_field(form, "forward") == "on"
    posts = [line.strip() for line in fields["posts"].splitlines() if line.strip()]
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            _made, inbox = await make_report(
                ctx,
                session,
                group,
                fields["account"],
                reason=fields["reason"],
                post_ids=posts,
                forward=forward,
                notify=fields["notify"],
                by=visitor.account.username,
            )
            await session.commit()
    except UserError as error:
        return await _reports_page(request, visitor, 400, error=error, forward=forward, **fields)
    return done(request, "forward" if inbox else "report")


async def _report_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    if "id" not in request.query_params:
        return render_form(request, "admin/report.html", visitor=visitor, grievance=None)
    async with app_context(request).sessions() as session:
        try:
            report_id = parse_number(request.query_params["id"])
            grievance = await get_grievance(session, group, report_id)
        except UserError as missing:
            return render_form(
                request, "admin/report.html", 404, visitor=visitor, grievance=None, error=missing
            )
        notes = await notes_of(session, grievance.case)
        names = await mediators(session, group, grievance.case)
    return render_form(
        request,
        "admin/report.html",
        status,
        visitor=visitor,
        grievance=grievance,
        notes=notes,
        mediators=names,
        closed=grievance.case.status in CLOSED,
        notice=notice(request, REPORT_NOTICES),
        **values,
    )


async def _act(
    session: AsyncSession, ctx: Context, group: Group, by: str, report_id: int, form: dict[str, str]
) -> str:
    """Carry out the report page's ``action`` as ``mutuals report ACTION`` does; the notice."""
    action = form["action"]
    if action == "assign":
        await assign(session, ctx, group, report_id, form["mediator"], by=by)
    elif action == "note":
        await add_note(session, group, report_id, form["text"], by=by)
    elif action in CLOSED:
        await close(session, ctx, group, report_id, action, form["outcome"], by=by)
    else:
        raise UserError("unknown action")
    return action


async def report(request: Request, visitor: Visitor) -> Response:
    """One report (``?id=N``; without it, a box to open one by number): its details and
    notes; assigning, noting, resolving, dismissing."""
    if request.method == "GET":
        return await _report_page(request, visitor)
    group = visitor.group
    assert group is not None
    data = await request.form()
    form = {name: text_field(data, name) for name in ("action", "mediator", "text", "outcome")}
    ctx = app_context(request)
    try:
        report_id = parse_number(request.query_params.get("id", ""))
        async with ctx.sessions() as session:
            key = await _act(session, ctx, group, visitor.account.username, report_id, form)
            await session.commit()
    except UserError as error:
        return await _report_page(
            request, visitor, 400, error=error, error_at=form["action"], **form
        )
    return RedirectResponse(f"{request.url.path}?id={report_id}&done={key}", status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/reports", reports, "moderate", ["GET", "POST"]),
    ("/admin/groups/{name}/report", report, "moderate", ["GET", "POST"]),
]
"""The pages about reports: path, handler, permission, methods."""
