"""``mutuals distribution``: the group's private log of what went to whom, limits, waiting list.

``record``, ``list``, ``limit``, ``wait``, ``waiting``, ``serve`` and ``criteria``; the
same functions as the admin interface's Distribution page (``sharing.distribution``).
"""

from __future__ import annotations

import argparse
from typing import Any

from accounts.audit import COMMAND_LINE
from documents.when import parse_date
from sharing import distribution, distribution_waiting
from sharing.distribution_models import Distribution
from web.commands.base import CliError, add_command, group_session, print_lines
from web.settings import Settings


def line(row: Distribution) -> str:
    """One distribution as the command prints it: when, quantity, category, recipient."""
    need = f"\tneed #{row.need_id}" if row.need_id else ""
    when = row.given_at.strftime("%Y-%m-%d %H:%M")
    return f"{when}\t{row.quantity}\t{row.category}\t{row.recipient}{need}"


async def record(args: argparse.Namespace, settings: Settings) -> int:
    """Record a distribution, refused over the category's limit."""
    async with group_session(settings, args.group) as (ctx, session, group):
        row = await distribution.record(
            session, ctx, group, args.recipient, args.item, args.quantity,
            by=COMMAND_LINE, need=args.need,
        )  # fmt: skip
        await session.commit()
        print(f"recorded #{row.id}: {line(row)}")
    return 0


async def list_log(args: argparse.Namespace, settings: Settings) -> int:
    """The distributions, newest first, filtered."""
    since = parse_date(args.since) if args.since else None
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await distribution.list_distributions(
            session, group, category=args.item, recipient=args.recipient, since=since
        )
        print_lines([line(row) for row in rows], "nothing distributed yet")
    return 0


async def limit(args: argparse.Namespace, settings: Settings) -> int:
    """Set or remove a category's limit per recipient, or list the limits."""
    setting = args.per_recipient is not None or args.days is not None
    if (args.remove or setting) and args.item is None:
        raise CliError("say which category: --item CATEGORY")
    if setting and (args.per_recipient is None or args.days is None):
        raise CliError("a limit needs both --per-recipient N and --days D")
    async with group_session(settings, args.group) as (_ctx, session, group):
        if args.remove:
            await distribution.remove_limit(session, group, args.item, by=COMMAND_LINE)
        elif setting:
            await distribution.set_limit(
                session, group, args.item, args.per_recipient, args.days, by=COMMAND_LINE
            )
        await session.commit()
        rows = await distribution.list_limits(session, group)
        shown = [f"{row.category}\tat most {row.per_recipient} per {row.days} days" for row in rows]
        print_lines(shown, "no limits")
    return 0


async def wait(args: argparse.Namespace, settings: Settings) -> int:
    """Put a recipient on the category's waiting list, last in line."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        entry = await distribution_waiting.wait(
            session, group, args.recipient, args.item, args.quantity, by=COMMAND_LINE
        )
        await session.commit()
        print(f"{entry.recipient} waits for {entry.quantity} {entry.category}")
    return 0


async def show_waiting(args: argparse.Namespace, settings: Settings) -> int:
    """Who waits, in the order they will be served."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await distribution_waiting.waiting(session, group, args.item)
        lines = [f"{row.category}\t{row.quantity}\t{row.recipient}" for row in rows]
        print_lines(lines, "nobody is waiting")
    return 0


async def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Give what arrived to the first eligible waiting recipients."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await distribution_waiting.serve(
            session, group, args.item, args.quantity, by=COMMAND_LINE
        )
        await session.commit()
        print_lines([f"served #{row.id}: {line(row)}" for row in rows], "nobody could be served")
    return 0


async def criteria(args: argparse.Namespace, settings: Settings) -> int:
    """Publish the group's criteria for fair distribution on its page."""
    if args.clear == (args.text is not None):
        raise CliError("write the criteria: mutuals distribution criteria GROUP TEXT, or --clear")
    async with group_session(settings, args.group) as (_ctx, session, group):
        if args.clear:
            await distribution.clear_criteria(session, group, by=COMMAND_LINE)
        else:
            await distribution.set_criteria(session, group, args.text, by=COMMAND_LINE)
        await session.commit()
    done = "removed from" if args.clear else "published on"
    print(f"criteria {done} the page of {args.group}")
    return 0


def _item(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--item", required=required, metavar="CATEGORY", help="what: food boxes, nappies…"
    )


def _quantity(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--quantity", type=int, required=True, metavar="N", help=help_text)


def _recipient(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--recipient", required=required, metavar="NAME",
        help="a name or a code you choose, e.g. 'household 14' (kept private)",
    )  # fmt: skip


def register(commands: Any) -> None:
    """Add ``distribution`` and its actions to the parser."""
    parser = commands.add_parser(
        "distribution", help="the group's private log of what went to whom, limits, waiting list"
    )
    sub = parser.add_subparsers(dest="distribution_command", required=True, metavar="ACTION")
    actions = {
        "record": (record, "record what a recipient received"),
        "list": (list_log, "list the distributions, newest first"),
        "limit": (limit, "set, remove or list the limits per recipient"),
        "wait": (wait, "put a recipient on a waiting list"),
        "waiting": (show_waiting, "list who waits, in order"),
        "serve": (serve, "give what arrived to the first waiting recipients"),
        "criteria": (criteria, "publish the criteria for fair distribution"),
    }
    made = {}
    for name, (handler, help_text) in actions.items():
        made[name] = add_command(sub, name, handler, help_text)
        made[name].add_argument("group", metavar="GROUP")
    _recipient(made["record"])
    _item(made["record"])
    _quantity(made["record"], "how many")
    made["record"].add_argument(
        "--need", metavar="ID", help="the need this counts toward (its number or id)"
    )
    _recipient(made["list"], required=False)
    _item(made["list"], required=False)
    made["list"].add_argument("--since", metavar="YYYY-MM-DD", help="from this day (UTC)")
    _item(made["limit"], required=False)
    made["limit"].add_argument("--per-recipient", type=int, metavar="N", help="at most N")
    made["limit"].add_argument("--days", type=int, metavar="D", help="in any D days")
    made["limit"].add_argument("--remove", action="store_true", help="lift the limit on --item")
    _recipient(made["wait"])
    _item(made["wait"])
    _quantity(made["wait"], "how many they wait for")
    _item(made["waiting"], required=False)
    _item(made["serve"])
    _quantity(made["serve"], "how many arrived to hand out")
    made["criteria"].add_argument(
        "text", nargs="?", metavar="TEXT", help="the criteria, in Markdown"
    )
    made["criteria"].add_argument("--clear", action="store_true", help="take them off the page")
