"""Needs surveys: publish one as a thread, take answers from its page.

A survey federates as a thread: a first post saying what it is and where its answer page
is, then one poll (``Question``) per choice or scale question in reply to it, so
Mastodon users answer in their timeline; their votes are counted by the poll code
(``inbox.votes``). The thread is published when the survey opens: at once, or at its
opening time by the periodic step (`open_due_surveys`); until then only the survey and
its questions are stored, and its page takes no answers. On the page anyone with the
link answers every question at once (`record_answers`); results combine both
(``sharing.survey_results``).

An anonymous survey stores nothing that identifies who answered: no account, no name,
no address. One answer per browser is kept by a random cookie token whose keyed hash is
stored apart from the answers (``survey_browsers``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.survey import MANY, TEXT, QuestionSpec, SurveyError, SurveySpec
from documents.when import require_future
from federation.content import clean_name, plain_text
from posts.models import Post
from posts.notes import publish_note
from sharing.polls import create_poll
from sharing.survey_models import (
    Survey,
    SurveyAnswer,
    SurveyBrowser,
    SurveyQuestion,
    SurveyResponse,
)
from store.db import utcnow

MAX_ANSWER = 2000
MAX_RESPONDENT = 200


def answer_url(ctx: Context, survey: Survey) -> str:
    """The address of the survey's answer page."""
    return f"{ctx.urls.base}/surveys/{survey.uid}"


def is_closed(survey: Survey, now: dt.datetime) -> bool:
    """True once the survey's closing time has passed."""
    return survey.closes_at is not None and survey.closes_at <= now


def opens_later(survey: Survey, now: dt.datetime) -> str:
    """While the survey waits to open (its thread is not published yet), when it opens
    as people read it: ``2027-03-01 08:00 UTC``; empty once it is open or closed."""
    if survey.post_id is not None or survey.opens_at is None or is_closed(survey, now):
        return ""
    return survey.opens_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _opening_text(survey: Survey, url: str) -> str:
    about = f"{survey.description}\n\n" if survey.description else ""
    return (
        f"**{survey.title}**\n\n{about}"
        f"Answer the questions in this thread, or all of them on this page: {url}"
    )


async def create_survey(
    session: AsyncSession, ctx: Context, group: Group, spec: SurveySpec, now: dt.datetime
) -> Survey:
    """Store the survey and its questions and, unless it opens later, publish its
    thread; the caller commits."""
    if spec.closes_at is not None:
        require_future(spec.closes_at, now, "the closing time")
    if spec.opens_at is not None:
        require_future(spec.opens_at, now, "the opening time")
    survey = Survey(
        uid=secrets.token_urlsafe(16),
        group_id=group.id,
        title=spec.title,
        description=spec.description,
        anonymous=spec.anonymous,
        opens_at=spec.opens_at,
        closes_at=spec.closes_at,
        created_at=now,
    )
    session.add(survey)
    await session.flush()
    for position, question in enumerate(spec.questions, 1):
        session.add(
            SurveyQuestion(
                survey_id=survey.id,
                group_id=group.id,
                position=position,
                kind=question.kind,
                text=question.text,
                options=list(question.choices),
            )
        )
    await session.flush()
    if spec.opens_at is None:
        await publish_survey(session, ctx, group, survey, now)
    return survey


async def publish_survey(
    session: AsyncSession, ctx: Context, group: Group, survey: Survey, now: dt.datetime
) -> None:
    """Open ``survey``: post its first post, then one poll per choice or scale question in
    reply to it; the caller commits."""
    first = await publish_note(session, ctx, group, _opening_text(survey, answer_url(ctx, survey)))
    survey.post_id = first.id
    questions = await questions_of(session, survey)
    for row in questions:
        if (poll := _numbered(row, len(questions)).poll(survey.closes_at)) is not None:
            published = await create_poll(
                session, ctx, group, poll, now, in_reply_to=first.document["id"]
            )
            row.poll_id = published.id
    await session.flush()


async def open_due_surveys(session: AsyncSession, ctx: Context, now: dt.datetime) -> int:
    """Publish the thread of each survey whose opening time has come (the worker's step);
    how many. A survey whose closing time passed first is never published."""
    due = (
        select(Survey, Group)
        .join(Group, Group.id == Survey.group_id)
        .where(
            Survey.post_id.is_(None),
            Survey.opens_at <= now,
            or_(Survey.closes_at.is_(None), Survey.closes_at > now),
        )
        .order_by(Survey.id)
        .limit(100)
        .with_for_update(skip_locked=True, of=Survey)
    )
    rows = (await session.execute(due)).all()
    for survey, group in rows:
        await publish_survey(session, ctx, group, survey, now)
    return len(rows)


def _numbered(row: SurveyQuestion, count: int) -> QuestionSpec:
    """The question as its poll asks it: "(2/5) …", so the thread reads in order."""
    return QuestionSpec(row.kind, f"({row.position}/{count}) {row.text}", tuple(row.options))


async def get_survey(session: AsyncSession, group: Group, survey_id: str | int) -> Survey:
    """One of ``group``'s surveys by its id; an error naming it otherwise."""
    number = int(survey_id) if str(survey_id).isdigit() else None
    survey = await session.get(Survey, number) if number is not None else None
    if survey is None or survey.group_id != group.id:
        raise SurveyError(
            "%(group)s has no survey %(id)r; `mutuals survey list %(group)s` lists them",
            group=group.name,
            id=str(survey_id),
        )
    return survey


async def list_surveys(session: AsyncSession, group: Group) -> list[Survey]:
    """``group``'s surveys, newest first."""
    found = await session.scalars(
        select(Survey).where(Survey.group_id == group.id).order_by(Survey.id.desc())
    )
    return list(found)


async def survey_by_uid(session: AsyncSession, uid: str) -> tuple[Survey, Group] | None:
    """The survey of an answer page and its group, unless its post was deleted."""
    found = await session.execute(
        select(Survey, Group)
        .join(Group, Group.id == Survey.group_id)
        .outerjoin(Post, Post.id == Survey.post_id)
        .where(Survey.uid == uid, Post.deleted_at.is_(None))
    )
    row = found.first()
    return None if row is None else (row[0], row[1])


async def questions_of(session: AsyncSession, survey: Survey) -> list[SurveyQuestion]:
    """The survey's questions in order."""
    found = await session.scalars(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id)
        .order_by(SurveyQuestion.position)
    )
    return list(found)


def browser_hash(ctx: Context, survey: Survey, token: str) -> str:
    """The keyed hash of a browser's cookie token, for this survey only."""
    key = hashlib.sha256(b"survey-browsers:" + ctx.instance_private_pem.encode()).digest()
    return hmac.new(key, f"{survey.id}:{token}".encode(), hashlib.sha256).hexdigest()


def _checked(question: SurveyQuestion, given: Sequence[str]) -> list[str]:
    """The values to store for ``question``; a `SurveyError` saying what is wrong."""
    values = [v for v in given if v.strip()]
    if question.kind == TEXT:
        text = plain_text(values[0]) if values else ""
        if len(text) > MAX_ANSWER:
            raise SurveyError(
                "the answer to question %(n)s is too long; the limit is %(limit)s characters",
                n=question.position,
                limit=MAX_ANSWER,
            )
        return [text] if text else []
    if not values:
        raise SurveyError("question %(n)s needs an answer", n=question.position)
    if any(v not in question.options for v in values) or len(set(values)) != len(values):
        raise SurveyError("question %(n)s has no such option", n=question.position)
    if len(values) > 1 and question.kind != MANY:
        raise SurveyError("question %(n)s takes one answer", n=question.position)
    return values


async def record_answers(
    session: AsyncSession,
    ctx: Context,
    survey: Survey,
    given: Mapping[int, Sequence[str]],
    *,
    browser_token: str,
    respondent: str = "",
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """Store one visitor's answers (``given``: question id → values); the caller commits.

    Refused as a whole, with what to fix: before opening, after closing, from a browser
    that already answered, with a required answer missing or an option the question does not have.
    """
    now = now or utcnow()
    if is_closed(survey, now):
        raise SurveyError("this survey has closed: answers are no longer taken")
    if survey.post_id is None:
        raise SurveyError(
            "this survey is not open yet: answers are taken from %(when)s",
            when=opens_later(survey, now),
        )
    token_hash = browser_hash(ctx, survey, browser_token)
    if await session.get(SurveyBrowser, (survey.id, token_hash)) is not None:
        raise SurveyError("this browser has already answered this survey")
    checked = [(q, _checked(q, given.get(q.id, ()))) for q in await questions_of(session, survey)]
    name = None if survey.anonymous else clean_name(respondent, max_length=MAX_RESPONDENT) or None
    response = SurveyResponse(
        survey_id=survey.id,
        group_id=survey.group_id,
        respondent=name,
        created_at=now,
    )
    session.add(response)
    session.add(SurveyBrowser(survey_id=survey.id, token_hash=token_hash, group_id=survey.group_id))
    await session.flush()
    for question, values in checked:
        for value in values:
            session.add(
                SurveyAnswer(
                    response_id=response.id,
                    question_id=question.id,
                    group_id=survey.group_id,
                    value=value,
                )
            )
    await session.flush()
    return response
