"""A group's surveys in the admin interface: ``mutuals survey create|list|results``.

``/admin/groups/{name}/surveys`` lists them and creates one (up to `SLOTS` questions
per form); ``…/survey?id=N`` shows the combined results and the free-text answers, to
organizers only, and ``…/survey?id=N&format=csv`` exports them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from documents.errors import UserError
from documents.survey import KINDS, MANY, ONE, QuestionSpec, SurveySpec
from documents.when import parse_local_datetime, zone
from sharing import surveys
from sharing.survey_results import results_csv, survey_results
from store.db import utcnow
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

SLOTS = 6
"""Question slots on the form; the command line takes up to ``MAX_QUESTIONS``."""
KIND_NAMES = {
    ONE: N_("One choice"),
    MANY: N_("Several choices"),
    "scale": N_("Scale from 1 to 5"),
    "text": N_("Free text"),
}
FIELDS = ("title", "description", "opens", "closes", "timezone")


def _questions(form: FormData) -> tuple[QuestionSpec, ...]:
    """The filled question slots, in order; empty ones are skipped."""
    found = []
    for n in range(1, SLOTS + 1):
        text = text_field(form, f"q{n}-text").strip()
        if not text:
            continue
        kind = text_field(form, f"q{n}-kind")
        lines = text_field(form, f"q{n}-options").splitlines()
        options = tuple(line.strip() for line in lines if line.strip())
        found.append(QuestionSpec(kind if kind in KINDS else ONE, text, options))
    return tuple(found)


def _when(form: FormData, name: str, tz: ZoneInfo) -> dt.datetime | None:
    """The time typed in field ``name`` (in ``tz``), or None when left empty."""
    text = text_field(form, name).strip()
    return parse_local_datetime(text, tz) if text else None


def _spec(form: FormData) -> SurveySpec:
    tz = zone(text_field(form, "timezone") or "UTC")
    return SurveySpec(
        text_field(form, "title"),
        _questions(form),
        text_field(form, "description"),
        form.get("anonymous") is not None,
        _when(form, "closes", tz),
        opens_at=_when(form, "opens", tz),
    )


async def _list_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    assert visitor.group is not None
    ctx = app_context(request)
    async with ctx.sessions() as session:
        found = await surveys.list_surveys(session, visitor.group)
    now = utcnow()
    listed = [(s, surveys.answer_url(ctx, s), surveys.opens_later(s, now)) for s in found]
    return render_form(
        request,
        "admin/surveys.html",
        status,
        visitor=visitor,
        surveys=listed,
        slots=range(1, SLOTS + 1),
        kinds=KIND_NAMES,
        **values,
    )


async def surveys_page(request: Request, visitor: Visitor) -> Response:
    """The group's surveys, and the form that creates one."""
    group = visitor.group
    assert group is not None
    if request.method == "GET":
        return await _list_page(request, visitor, typed={"timezone": "UTC"})
    form = await request.form()
    typed = {name: text_field(form, name) for name in form}
    ctx = app_context(request)
    try:
        spec = _spec(form)
        async with ctx.sessions() as session:
            await surveys.create_survey(session, ctx, group, spec, utcnow())
            await session.commit()
    except UserError as error:
        return await _list_page(request, visitor, 400, typed=typed, error=error)
    return RedirectResponse(f"/admin/groups/{group.name}/surveys", status_code=303)


async def results_page(request: Request, visitor: Visitor) -> Response:
    """One survey's combined results and free-text answers (organizers only); as CSV
    with ``format=csv``; the list of surveys without an ``id``."""
    group = visitor.group
    assert group is not None
    survey_id = request.query_params.get("id", "").strip()
    if not survey_id:
        return await _list_page(request, visitor, typed={"timezone": "UTC"})
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            survey = await surveys.get_survey(session, group, survey_id)
        except UserError as error:
            return await _list_page(request, visitor, 404, typed={}, error=error)
        found = await survey_results(session, survey)
    if request.query_params.get("format") == "csv":
        return PlainTextResponse(
            results_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="survey-{survey.id}.csv"',
                "Cache-Control": "no-store",
            },
        )
    return render_form(
        request,
        "admin/survey.html",
        visitor=visitor,
        found=found,
        url=surveys.answer_url(ctx, survey),
        opens=surveys.opens_later(survey, utcnow()),
    )


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/surveys", surveys_page, "publish", ["GET", "POST"]),
    ("/admin/groups/{name}/survey", results_page, "audit", ["GET"]),
]
"""The survey pages: path, handler, permission, methods (added to ``admin.PAGES``)."""
