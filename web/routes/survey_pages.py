"""``/surveys/{uid}``: the page where anyone with the link answers a survey.

The page gives the browser a random token in a cookie; the answers are stored with a
keyed hash of it kept apart (``sharing.surveys``), so a browser answers once and an
anonymous answer cannot be traced. Posting is rate-limited per client address, which
is held in memory only (``web.ratelimit``). The form is CSRF-protected like every other.
"""

from __future__ import annotations

import secrets
from typing import cast

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from documents.errors import UserError
from documents.survey import SurveyError
from sharing import surveys
from store.db import utcnow
from web.forms import text_field
from web.guard import form_ok
from web.i18n import N_
from web.pages import render_form
from web.ratelimit import RateLimiter, limit
from web.state import app_context, app_signer

SURVEY_COOKIE = "mutuals_survey"
NOT_FOUND = N_("There is no survey at this address: check the link you were given.")
NO_COOKIE = N_(
    "Your browser did not keep this page's cookie: allow cookies for this site, reload "
    "the page and answer again."
)
EXPIRED = N_("This form has expired or did not come from this site: reload the page and try again.")


def survey_limiter() -> RateLimiter:
    """Per client address: bursts of 10 answers, then one a minute."""
    return RateLimiter(rate=1 / 60, burst=10)


async def _page(
    request: Request,
    uid: str,
    status: int = 200,
    *,
    error: UserError | None = None,
    given: dict[int, list[str]] | None = None,
    done: bool = False,
) -> Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        found = await surveys.survey_by_uid(session, uid)
        questions = await surveys.questions_of(session, found[0]) if found else []
    if found is None:
        return render_form(request, "survey.html", 404, survey=None, error=UserError(NOT_FOUND))
    survey, group = found
    now = utcnow()
    response = render_form(
        request,
        "survey.html",
        status,
        survey=survey,
        group=group,
        questions=questions,
        closed=surveys.is_closed(survey, now),
        opens=surveys.opens_later(survey, now),
        error=error,
        given=given or {},
        done=done,
    )
    if not request.cookies.get(SURVEY_COOKIE):
        token = secrets.token_urlsafe(32)
        app_signer(request).set_cookie(response, SURVEY_COOKIE, token, max_age=400 * 86400)
    return response


async def survey_page(request: Request) -> Response:
    """``GET``: the questions; ``POST``: the answers, stored or refused with the reason."""
    uid = request.path_params["uid"]
    if request.method == "GET":
        return await _page(request, uid)
    address = request.client.host if request.client else "?"
    limiter = cast(RateLimiter, request.app.state.survey_limiter)
    if (too_many := limit(limiter, address)) is not None:
        return too_many
    if not await form_ok(request):
        return await _page(request, uid, 403, error=UserError(EXPIRED))
    form = await request.form()
    token = request.cookies.get(SURVEY_COOKIE)
    ctx = app_context(request)
    async with ctx.sessions() as session:
        found = await surveys.survey_by_uid(session, uid)
        if found is None:
            return await _page(request, uid)
        questions = await surveys.questions_of(session, found[0])
        given = {
            q.id: [v for v in form.getlist(f"q{q.id}") if isinstance(v, str)] for q in questions
        }
        if not token:
            return await _page(request, uid, 400, error=UserError(NO_COOKIE), given=given)
        try:
            await surveys.record_answers(
                session,
                ctx,
                found[0],
                given,
                browser_token=token,
                respondent=text_field(form, "respondent"),
            )
            await session.commit()
        except SurveyError as error:
            return await _page(request, uid, 400, error=error, given=given)
        except IntegrityError:  # the same browser, twice at once: the other one counted
            twice = SurveyError("this browser has already answered this survey")
            return await _page(request, uid, 400, error=twice, given=given)
    return await _page(request, uid, done=True)


routes = [Route("/surveys/{uid}", survey_page, methods=["GET", "POST"])]
