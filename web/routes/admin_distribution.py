"""The Distribution page: the group's private log, limits, waiting list and criteria.

``/admin/groups/{name}/distribution`` is ``mutuals distribution`` for organizers and
moderators only: record what went to whom, list it with filters, set limits per
recipient, keep the waiting list and serve it, publish the criteria. Same package
functions as the commands; every change is in the group's log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from documents.when import parse_date
from sharing import distribution, distribution_waiting
from sharing.distribution import DistributionError
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

FILTERS = ("item", "recipient", "since")
"""The list's filters, as query parameters."""
DONE = {
    "record": N_("Recorded."),
    "limit": N_("The limit is saved."),
    "unlimit": N_("The limit is lifted."),
    "wait": N_("Added to the waiting list."),
    "serve": N_("Served %(count)s waiting recipients."),
    "criteria": N_("The criteria are published on the group's page."),
    "uncriteria": N_("The criteria are taken off the group's page."),
}
"""What the page says after each action."""


def _number(form: FormData, name: str) -> int:
    text = text_field(form, name).strip()
    if not text.lstrip("-").isdigit():
        raise DistributionError("write a whole number, not %(typed)r", typed=text[:50])
    return int(text)


Action = Callable[[AsyncSession, Context, Group, FormData, str], Awaitable[int]]


async def _record(
    session: AsyncSession, ctx: Context, group: Group, form: FormData, by: str
) -> int:
    need = text_field(form, "need").strip() or None
    await distribution.record(
        session, ctx, group, text_field(form, "recipient"), text_field(form, "item"),
        _number(form, "quantity"), by=by, need=need,
    )  # fmt: skip
    return 1


async def _limit(
    session: AsyncSession, _ctx: Context, group: Group, form: FormData, by: str
) -> int:
    item = text_field(form, "item")
    per, days = _number(form, "per_recipient"), _number(form, "days")
    await distribution.set_limit(session, group, item, per, days, by=by)
    return 1


async def _unlimit(
    session: AsyncSession, _ctx: Context, group: Group, form: FormData, by: str
) -> int:
    await distribution.remove_limit(session, group, text_field(form, "item"), by=by)
    return 1


async def _wait(session: AsyncSession, _ctx: Context, group: Group, form: FormData, by: str) -> int:
    recipient, item = text_field(form, "recipient"), text_field(form, "item")
    await distribution_waiting.wait(
        session, group, recipient, item, _number(form, "quantity"), by=by
    )
    return 1


async def _serve(
    session: AsyncSession, _ctx: Context, group: Group, form: FormData, by: str
) -> int:
    item, quantity = text_field(form, "item"), _number(form, "quantity")
    return len(await distribution_waiting.serve(session, group, item, quantity, by=by))


async def _criteria(
    session: AsyncSession, _ctx: Context, group: Group, form: FormData, by: str
) -> int:
    await distribution.set_criteria(session, group, text_field(form, "criteria"), by=by)
    return 1


async def _uncriteria(
    session: AsyncSession, _ctx: Context, group: Group, _form: FormData, by: str
) -> int:
    await distribution.clear_criteria(session, group, by=by)
    return 1


ACTIONS: dict[str, Action] = {
    "record": _record,
    "limit": _limit,
    "unlimit": _unlimit,
    "wait": _wait,
    "serve": _serve,
    "criteria": _criteria,
    "uncriteria": _uncriteria,
}


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    shown = {name: request.query_params.get(name, "").strip() for name in FILTERS}
    async with app_context(request).sessions() as session:
        try:
            since = parse_date(shown["since"]) if shown["since"] else None
            rows = await distribution.list_distributions(
                session, group, category=shown["item"] or None,
                recipient=shown["recipient"] or None, since=since,
            )  # fmt: skip
        except UserError as bad_filter:
            rows, status, values["error"] = [], 400, bad_filter
        values.setdefault("criteria", await distribution.criteria_text(session, group))
        return render_form(
            request,
            "admin/distribution.html",
            status,
            visitor=visitor,
            rows=rows,
            filters=shown,
            totals=await distribution.totals(session, group),
            limits=await distribution.list_limits(session, group),
            waiting=await distribution_waiting.waiting(session, group),
            **values,
        )


async def distribution_page(request: Request, visitor: Visitor) -> Response:
    """The log with filters and the forms to record, limit, wait, serve and publish criteria."""
    group = visitor.group
    assert group is not None
    if request.method == "GET":
        done = DONE.get(request.query_params.get("done", ""))
        served = request.query_params.get("count", "")
        return await _page(
            request, visitor, done=done, count=int(served) if served.isdigit() else 0
        )
    form = await request.form()
    action = text_field(form, "action")
    ctx = app_context(request)
    try:
        if action not in ACTIONS:
            raise UserError("unknown action")
        async with ctx.sessions() as session:
            count = await ACTIONS[action](session, ctx, group, form, visitor.account.username)
            await session.commit()
    except UserError as error:
        typed = {name: text_field(form, name) for name in form if name != "csrf"}
        return await _page(request, visitor, 400, error=error, form_name=action, typed=typed)
    return RedirectResponse(f"{request.url.path}?done={action}&count={count}", status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/distribution", distribution_page, "moderate", ["GET", "POST"]),
]
"""The distribution page (``web.routes.admin`` serves it): organizers and moderators."""
