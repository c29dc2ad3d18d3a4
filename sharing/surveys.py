"""Needs surveys: publish one as a thread, take answers from its page.

A survey federates as a thread: a first post saying what it is and where its answer page
is, then one poll (``Question``) per choice or scale question in reply to it, so
Mastodon users answer in their timeline; their votes are counted by the poll code
(``inbox.votes``). On the page anyone with the link answers every question at once
(`record_answers`); results combine both (``sharing.survey_results``).

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

from sqlalchemy import select
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


def _opening_text(spec: SurveySpec, url: str) -> str:
    about = f"{spec.description}\n\n" if spec.description else ""
    return (
        f"**{spec.title}**\n\n{about}"
        f"Answer the questions in this thread, or all of them on this page: {url}"
    )


async def create_survey(
    session: AsyncSession, ctx: Context, group: Group, spec: SurveySpec, now: dt.datetime
) -> Survey:
    """Publish the survey's thread and store it; the caller commits."""
    if spec.closes_at is not None:
        require_future(spec.closes_at, now, "the closing time")
    survey = Survey(
        uid=secrets.token_urlsafe(16),
        group_id=group.id,
        title=spec.title,
        description=spec.description,
        anonymous=spec.anonymous,
        closes_at=spec.closes_at,
        created_at=now,
    )
    first = await publish_note(session, ctx, group, _opening_text(spec, answer_url(ctx, survey)))
    survey.post_id = first.id
    session.add(survey)
    await session.flush()
    count = len(spec.questions)
    for position, question in enumerate(spec.questions, 1):
        row = SurveyQuestion(
            survey_id=survey.id,
            group_id=group.id,
            position=position,
            kind=question.kind,
            text=question.text,
            options=list(question.choices),
        )
        if (poll := _numbered(question, position, count).poll(spec.closes_at)) is not None:
            published = await create_poll(
                session, ctx, group, poll, now, in_reply_to=first.document["id"]
            )
            row.poll_id = published.id
        session.add(row)
    await session.flush()
    return survey


def _numbered(question: QuestionSpec, position: int, count: int) -> QuestionSpec:
    """The question as its poll asks it: "(2/5) …", so the thread reads in order."""
    return QuestionSpec(question.kind, f"({position}/{count}) {question.text}", question.options)


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
    """The survey of an answer page and its group, if its post still stands."""
    found = await session.execute(
        select(Survey, Group)
        .join(Group, Group.id == Survey.group_id)
        .join(Post, Post.id == Survey.post_id)
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

    Refused as a whole, with what to fix: after closing, from a browser that already
    answered, with a required answer missing or an option the question does not have.
    """
    now = now or utcnow()
    if is_closed(survey, now):
        raise SurveyError("this survey has closed: answers are no longer taken")
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
