"""A survey's results: per question, the page's answers plus the fediverse's poll votes.

Free-text answers are listed as stored (plain text, sanitized when received) and only
to organizers; the CSV export has one row per option and one per text answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from documents.survey import TEXT
from sharing.models import Poll
from sharing.polls import results as poll_results
from sharing.survey_models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from sharing.surveys import is_closed, questions_of
from store.db import utcnow


@dataclass(frozen=True)
class Count:
    """How many chose one option: on the page, from the fediverse, both."""

    option: str
    page: int
    fediverse: int

    @property
    def total(self) -> int:
        """Both paths together."""
        return self.page + self.fediverse


@dataclass
class QuestionResults:
    """One question's counts (choice and scale) or texts (free text)."""

    question: SurveyQuestion
    counts: list[Count] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    fediverse_voters: int = 0


@dataclass(frozen=True)
class SurveyResults:
    """Every question's results and how many answered on the page."""

    survey: Survey
    questions: list[QuestionResults]
    page_answers: int
    closed: bool


async def _page_counts(session: AsyncSession, survey: Survey) -> dict[tuple[int, str], int]:
    found = await session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value, func.count())
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyQuestion.survey_id == survey.id, SurveyQuestion.kind != TEXT)
        .group_by(SurveyAnswer.question_id, SurveyAnswer.value)
    )
    return {(question, value): int(n) for question, value, n in found.all()}


async def _texts(session: AsyncSession, question: SurveyQuestion) -> list[str]:
    found = await session.scalars(
        select(SurveyAnswer.value)
        .where(SurveyAnswer.question_id == question.id)
        .order_by(SurveyAnswer.id)
    )
    return list(found)


async def survey_results(
    session: AsyncSession, survey: Survey, now: dt.datetime | None = None
) -> SurveyResults:
    """The combined results of ``survey``."""
    page = await _page_counts(session, survey)
    listed: list[QuestionResults] = []
    for question in await questions_of(session, survey):
        result = QuestionResults(question)
        if question.kind == TEXT:
            result.texts = await _texts(session, question)
            listed.append(result)
            continue
        poll = await session.get(Poll, question.poll_id) if question.poll_id else None
        voted = await poll_results(session, poll) if poll is not None else None
        tallies = voted.tallies if voted is not None else {}
        result.fediverse_voters = voted.voters if voted is not None else 0
        result.counts = [
            Count(option, page.get((question.id, option), 0), tallies.get(option, 0))
            for option in question.options
        ]
        listed.append(result)
    answered = await session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    )
    return SurveyResults(survey, listed, int(answered or 0), is_closed(survey, now or utcnow()))


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: keep answers as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def results_csv(results: SurveyResults) -> str:
    """The results as CSV: question, kind, answer, page, fediverse, total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question", "kind", "answer", "page", "fediverse", "total"])
    for result in results.questions:
        q = result.question
        for c in result.counts:
            writer.writerow([_cell(q.text), q.kind, _cell(c.option), c.page, c.fediverse, c.total])
        for text in result.texts:
            writer.writerow([_cell(q.text), q.kind, _cell(text), 1, 0, 1])
    return out.getvalue()
