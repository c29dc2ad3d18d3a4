"""Tables of needs surveys: the survey, its questions, the answers given on its page, and
the browsers that answered.

Answers from the fediverse are poll votes (``sharing.models.Vote``) on the poll each
choice question federates as (``poll_id``). Answers from the page are a
``survey_responses`` row with one ``survey_answers`` row per option chosen or text
written. ``survey_browsers`` only says that a browser answered, by a keyed hash of its
cookie token: no time, no id in order and no link to its answers, so an anonymous answer
cannot be traced back. Every row names its group, for counting.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


def _group_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)


def _survey_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)


class Survey(Base):
    """A group's survey; ``uid`` is the unguessable key of its answer page.

    ``post_id`` (the first post of its thread) stays empty until the survey opens: at
    once, or at ``opens_at`` when the periodic step publishes it.
    """

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    group_id: Mapped[int] = _group_fk()
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyQuestion(Base):
    """One question: ``kind`` one|many|scale|text; choice ones point at their poll."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = _survey_fk()
    group_id: Mapped[int] = _group_fk()
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    poll_id: Mapped[int | None] = mapped_column(
        ForeignKey("polls.id", ondelete="SET NULL"), nullable=True
    )


class SurveyResponse(Base):
    """One visitor's answers from the page; ``respondent`` (a name they chose to give)
    only on surveys that are not anonymous."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = _survey_fk()
    group_id: Mapped[int] = _group_fk()
    respondent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyAnswer(Base):
    """One option chosen, or the (sanitized, plain) text written, for one question."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = _group_fk()
    value: Mapped[str] = mapped_column(Text)


class SurveyBrowser(Base):
    """A browser has answered this survey: ``token_hash`` is an HMAC of its cookie token."""

    __tablename__ = "survey_browsers"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[int] = _group_fk()
