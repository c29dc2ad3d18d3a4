"""``mutuals survey create|list|results``: needs surveys from the command line.

``--option`` and ``--multiple`` belong to the ``--question`` before them, so the flags
are kept in the order given (`Ordered`) rather than in separate lists.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from documents.survey import SurveySpec, questions_in_order
from documents.when import parse_local_datetime, zone
from sharing import surveys
from sharing.survey_results import results_csv, survey_results
from store.db import utcnow
from web.commands.base import CliError, add_command, group_session, print_lines
from web.settings import Settings

USAGE = (
    "write: mutuals survey create GROUP TITLE --question TEXT --option A --option B … "
    "[--opens …] [--closes …] | "
    "mutuals survey list GROUP | mutuals survey results GROUP ID [--csv]"
)


class Ordered(argparse.Action):
    """Appends ``(flag, value)`` to ``items``, keeping every question flag in order."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, "items", None) or [])
        items.append((self.const, values if isinstance(values, str) else ""))
        namespace.items = items


async def _create(args: argparse.Namespace, settings: Settings, group_name: str, title: str) -> int:
    tz = zone(args.timezone or "UTC")
    opens = parse_local_datetime(args.opens, tz) if args.opens else None
    closes = parse_local_datetime(args.closes, tz) if args.closes else None
    questions = questions_in_order(args.items or [])
    spec = SurveySpec(
        title, questions, args.description or "", args.anonymous, closes, opens_at=opens
    )
    async with group_session(settings, group_name) as (ctx, session, group):
        survey = await surveys.create_survey(session, ctx, group, spec, utcnow())
        await session.commit()
        print(f"survey {survey.id} created: {surveys.answer_url(ctx, survey)}")
        if opens_at := surveys.opens_later(survey, utcnow()):
            print(f"it opens {opens_at}; nothing is posted until then")
    return 0


async def _list(settings: Settings, group_name: str) -> int:
    now = utcnow()
    async with group_session(settings, group_name) as (ctx, session, group):
        found = await surveys.list_surveys(session, group)
        lines = []
        for s in found:
            opens = surveys.opens_later(s, now)
            line = f"{s.id}\t{s.title}\t{surveys.answer_url(ctx, s)}"
            lines.append(f"{line}\topens {opens}" if opens else line)
    print_lines(lines, f"{group_name} has no surveys")
    return 0


async def _results(settings: Settings, group_name: str, survey_id: str, as_csv: bool) -> int:
    async with group_session(settings, group_name) as (_ctx, session, group):
        survey = await surveys.get_survey(session, group, survey_id)
        found = await survey_results(session, survey)
    if as_csv:
        print(results_csv(found), end="")
        return 0
    state = "closed" if found.closed else "open"
    if opens_at := surveys.opens_later(survey, utcnow()):
        state = f"opens {opens_at}"
    print(f"{survey.title} ({state}, {found.page_answers} answered on the page)")
    for result in found.questions:
        q = result.question
        print(f"{q.position}. {q.text}")
        for c in result.counts:
            print(f"  {c.total}\t{c.option}\t(page {c.page}, fediverse {c.fediverse})")
        for text in result.texts:
            print(f"  - {text}")
    return 0


async def survey(args: argparse.Namespace, settings: Settings) -> int:
    """Create a survey (create GROUP TITLE …), list them, or show one's results."""
    match args.words:
        case ["create", group, title]:
            return await _create(args, settings, group, title)
        case ["list", group]:
            return await _list(settings, group)
        case ["results", group, survey_id]:
            return await _results(settings, group, survey_id, args.csv)
    raise CliError(USAGE)


def register(commands: Any) -> None:
    """Add the survey command."""
    parser = add_command(commands, "survey", survey, "ask the followers several questions")
    parser.add_argument(
        "words",
        nargs="+",
        metavar="create GROUP TITLE | list GROUP | results GROUP ID",
        help="what to do, the group, and the survey's title or id",
    )
    ordered: list[tuple[str, str, str | None]] = [
        ("--question", "question", "a one-choice question; its --option flags follow it"),
        ("--option", "option", "an answer to the --question before it; repeat 2–20×"),
        ("--scale-question", "scale", "a question answered on a scale from 1 to 5"),
        ("--text-question", "text", "a question answered in free text (optional to answer)"),
    ]
    for flag, kind, help_text in ordered:
        parser.add_argument(flag, action=Ordered, const=kind, metavar="TEXT", help=help_text)
    parser.add_argument(
        "--multiple",
        action=Ordered,
        const="multiple",
        nargs=0,
        help="the --question before it takes several answers",
    )
    parser.add_argument("--description", metavar="TEXT", help="what the survey is for")
    parser.add_argument("--anonymous", action="store_true", help="store nothing about who answers")
    parser.add_argument(
        "--opens",
        metavar="'YYYY-MM-DD HH:MM'",
        help="when it is posted and answers start (default: at once)",
    )
    parser.add_argument("--closes", metavar="'YYYY-MM-DD HH:MM'", help="when answers end")
    parser.add_argument("--timezone", metavar="ZONE", help="of --opens and --closes (default UTC)")
    parser.add_argument("--csv", action="store_true", help="results as CSV")
    parser.set_defaults(items=None)
