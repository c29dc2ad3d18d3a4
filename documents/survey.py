"""Surveys: a title and several questions (one choice, several choices, a scale, free text).

Pure and checked on construction, like :class:`documents.poll.PollSpec`: each choice or
scale question becomes a poll (a ``Question``) when the survey is published, so its
options obey the poll rules; a scale is the options ``"1"`` to ``"5"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from documents.common import require_text
from documents.errors import DocumentError
from documents.multilingual import Multilingual
from documents.poll import PollSpec
from documents.text import MAX_TEXT
from documents.when import require_aware

ONE, MANY, SCALE, TEXT = "one", "many", "scale", "text"
KINDS = (ONE, MANY, SCALE, TEXT)
SCALE_OPTIONS = ("1", "2", "3", "4", "5")
MAX_QUESTIONS = 20
"""Each choice question is a post in the followers' timelines: twenty is already many."""
MAX_QUESTION = 500
MAX_TITLE = 200


class SurveyError(DocumentError):
    """A survey that cannot be made or answered as given; the message says what to fix."""


@dataclass(frozen=True)
class QuestionSpec:
    """One question: ``kind`` is one of `KINDS`; ``options`` only for ``one`` and ``many``."""

    kind: str
    text: str
    options: tuple[str, ...] = ()

    @property
    def choices(self) -> tuple[str, ...]:
        """What may be answered: the options, the scale's numbers, nothing for free text."""
        return SCALE_OPTIONS if self.kind == SCALE else self.options

    def poll(self, closes_at: dt.datetime | None) -> PollSpec | None:
        """The poll this question federates as; None for a free-text question."""
        if self.kind == TEXT:
            return None
        question = Multilingual.single("en", self.text)
        return PollSpec(question, self.choices, self.kind == MANY, closes_at)


@dataclass(frozen=True)
class SurveySpec:
    """A survey as an organizer wrote it; a `SurveyError` (or a text error) when invalid."""

    title: str
    questions: tuple[QuestionSpec, ...]
    description: str = ""
    anonymous: bool = False
    closes_at: dt.datetime | None = None
    opens_at: dt.datetime | None = None
    """None: it opens (its thread is published) as soon as it is created."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", require_text(self.title, "title", MAX_TITLE))
        object.__setattr__(self, "description", self.description.strip())
        if len(self.description) > MAX_TEXT:
            raise SurveyError("the description is too long; the limit is %(n)s", n=MAX_TEXT)
        if not 1 <= len(self.questions) <= MAX_QUESTIONS:
            raise SurveyError(
                "a survey needs 1 to %(most)s questions; %(given)s given",
                most=MAX_QUESTIONS,
                given=len(self.questions),
            )
        if self.closes_at is not None:
            require_aware(self.closes_at, "closes_at")
        if self.opens_at is not None:
            require_aware(self.opens_at, "opens_at")
            if self.closes_at is not None and self.closes_at <= self.opens_at:
                raise SurveyError(
                    "the survey closes (%(closes)s) before it opens (%(opens)s): "
                    "make the opening time earlier than the closing time",
                    closes=self.closes_at.isoformat(" ", "minutes"),
                    opens=self.opens_at.isoformat(" ", "minutes"),
                )
        for number, question in enumerate(self.questions, 1):
            _check(number, question, self.closes_at)


def _check(number: int, question: QuestionSpec, closes_at: dt.datetime | None) -> None:
    if question.kind not in KINDS:
        raise SurveyError(
            "question %(n)s has an unknown kind %(kind)r", n=number, kind=question.kind
        )
    require_text(question.text, f"question {number}", MAX_QUESTION)
    if question.kind in (TEXT, SCALE) and question.options:
        raise SurveyError(
            "question %(n)s takes no options: only a choice question (--question) has them",
            n=number,
        )
    try:
        question.poll(closes_at)
    except DocumentError as exc:
        raise SurveyError("question %(n)s: %(problem)s", n=number, problem=str(exc)) from exc


def questions_in_order(items: Iterable[tuple[str, str]]) -> tuple[QuestionSpec, ...]:
    """Questions from flags in the order given: ``("question", text)``, ``("option", text)``
    (belongs to the question before it), ``("multiple", "")``, ``("scale", text)``,
    ``("text", text)``."""
    built: list[tuple[str, str, list[str]]] = []
    for flag, value in items:
        if flag in ("option", "multiple"):
            if not built or built[-1][0] not in (ONE, MANY):
                raise SurveyError(
                    "--%(flag)s %(value)s comes before any --question: put each --option "
                    "(and --multiple) after the question it belongs to",
                    flag=flag,
                    value=value,
                )
            if flag == "option":
                built[-1][2].append(value)
            else:
                built[-1] = (MANY, built[-1][1], built[-1][2])
        else:
            built.append(({"question": ONE, "scale": SCALE, "text": TEXT}[flag], value, []))
    return tuple(QuestionSpec(kind, text, tuple(options)) for kind, text, options in built)
