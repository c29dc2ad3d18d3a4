"""``mutuals transparency draft|edit|publish|list GROUP``: monthly transparency reports."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sharing.transparency import (
    draft_report,
    edit_report,
    figure_lines,
    publish_report,
)
from sharing.transparency_figures import Month, parse_month, previous_month
from sharing.transparency_models import TransparencyReport
from store.db import utcnow
from web.commands.base import CliError, add_command, group_session, print_lines
from web.settings import Settings


def _month(args: argparse.Namespace) -> Month:
    now = utcnow()
    return parse_month(args.month, now) if args.month else previous_month(now)


async def draft(args: argparse.Namespace, settings: Settings) -> int:
    """Draft the month's report (or count its figures again) and print it."""
    month = _month(args)
    async with group_session(settings, args.group) as (_ctx, session, group):
        report = await draft_report(session, group, month)
        await session.commit()
    state = "published" if report.published_at else "draft"
    print(f"transparency report {month.label} of {group.name} ({state})")
    print_lines(figure_lines(report.figures), "")
    print()
    print(report.text, end="")
    return 0


async def edit(args: argparse.Namespace, settings: Settings) -> int:
    """Replace the draft's text with a file's (``-``: standard input)."""
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            text = await asyncio.to_thread(Path(args.file).read_text, "utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from exc
    month = _month(args)
    async with group_session(settings, args.group) as (_ctx, session, group):
        await edit_report(session, group, month, text)
        await session.commit()
    print(f"the draft for {month.label} now has your text ({len(text)} characters)")
    return 0


async def publish(args: argparse.Namespace, settings: Settings) -> int:
    """Publish the month's report as an Article to the group's followers."""
    month = _month(args)
    async with group_session(settings, args.group) as (ctx, session, group):
        post = await publish_report(session, ctx, group, month)
        await session.commit()
    print(f"transparency report {month.label} published: {post.document['id']}")
    return 0


async def listing(args: argparse.Namespace, settings: Settings) -> int:
    """The group's reports, newest month first, drafted or published."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await session.scalars(
            select(TransparencyReport)
            .where(TransparencyReport.group_id == group.id)
            .order_by(TransparencyReport.month.desc())
        )
        lines = [
            f"{row.month}\t"
            + (f"published {row.published_at.date().isoformat()}" if row.published_at else "draft")
            + ("\tedited" if row.edited else "")
            for row in rows.all()
        ]
    print_lines(lines, f"no transparency reports for {group.name}")
    return 0


def register(commands: Any) -> None:
    """Add ``mutuals transparency``."""
    parser = commands.add_parser(
        "transparency", help="monthly transparency reports: draft, edit, publish"
    )
    sub = parser.add_subparsers(dest="transparency_command", required=True, metavar="ACTION")
    for name, handler, text in (
        ("draft", draft, "draft a month's report from the figures and print it"),
        ("publish", publish, "publish a month's report to the group's followers"),
        ("edit", edit, "replace a draft's text with a file's"),
        ("list", listing, "list a group's reports"),
    ):
        action = add_command(sub, name, handler, text)
        action.add_argument("group")
        if name == "list":
            continue
        action.add_argument("--month", metavar="YYYY-MM", help="default: the month just over")
        if name == "edit":
            action.add_argument("file", help="a Markdown file, or - for standard input")
