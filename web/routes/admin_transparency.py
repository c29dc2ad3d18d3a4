"""The organizers' page of monthly transparency reports: draft a month's report from the
figures, change its text, publish it (what ``mutuals transparency draft|edit|publish``
does, with the same functions in ``sharing.transparency``); each change is in the log.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from documents.errors import UserError
from sharing.transparency import (
    draft_report,
    edit_report,
    figure_lines,
    find_report,
    publish_report,
)
from sharing.transparency_figures import parse_month, previous_month
from sharing.transparency_models import TransparencyReport
from store.db import utcnow
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.routes.admin_moderation import notice
from web.state import app_context

NOTICES = {
    "drafted": N_("The draft shows the figures as they are now."),
    "saved": N_("The draft is saved."),
    "published": N_("The report is published: followers received it."),
}
"""What ``?done=KEY`` says on the page."""


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    now = utcnow()
    chosen = request.query_params.get("month", "")
    async with app_context(request).sessions() as session:
        rows = await session.scalars(
            select(TransparencyReport)
            .where(TransparencyReport.group_id == group.id)
            .order_by(TransparencyReport.month.desc())
        )
        reports = list(rows.all())
        report = None
        if chosen:
            try:
                report = await find_report(session, group, parse_month(chosen, now))
            except UserError:
                report = None
    return render_form(
        request,
        "admin/transparency.html",
        status,
        visitor=visitor,
        reports=reports,
        report=report,
        lines=figure_lines(report.figures) if report else [],
        default_month=previous_month(now).label,
        done=notice(request, NOTICES),
        **values,
    )


async def transparency(request: Request, visitor: Visitor) -> Response:
    """The reports page; its forms draft, save and publish a month's report."""
    group = visitor.group
    assert group is not None
    if request.method == "GET":
        return await _page(request, visitor)
    form = await request.form()
    action, typed = text_field(form, "action"), text_field(form, "month")
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            month = parse_month(typed, utcnow())
            if action == "save":
                await edit_report(session, group, month, text_field(form, "text"))
            elif action == "publish":
                await publish_report(session, ctx, group, month)
            else:
                await draft_report(session, group, month)
                action = "drafted"
        except UserError as error:
            return await _page(request, visitor, 400, error=error, typed_month=typed)
        done = {"save": "saved", "publish": "published"}.get(action, action)
        await audit.record(
            session, visitor.account.username, f"transparency report {done}", group, month.label
        )
        await session.commit()
    target = f"{request.url.path}?month={month.label}&done={done}"
    return RedirectResponse(target, status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/transparency", transparency, "transparency", ["GET", "POST"]),
]
"""The transparency page: path, handler, the permission it needs, methods."""
