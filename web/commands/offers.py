"""``mutuals offer``/``need`` (open, or ``close``), ``responses`` and ``board``."""

from __future__ import annotations

import argparse
from typing import Any

from documents.when import parse_date
from sharing import board, offers
from sharing.publishing import list_responses
from web.commands.base import CliError, add_command, group_action, group_session, print_lines
from web.commands.languages import add_language_arguments, read_texts
from web.commands.sharing_base import add_words, committed_post
from web.settings import Settings


async def _open(args: argparse.Namespace, settings: Settings, group_name: str, title: str) -> int:
    texts, body = read_texts(args, ("title", title), ("body", args.body))
    until = parse_date(args.until) if args.until else None
    async with group_session(settings, group_name) as (ctx, session, group):
        row = await offers.open_offer(
            session, ctx, group, args.kind, texts,
            body=body, skills=args.skill, area=args.area, until=until,
        )  # fmt: skip
        post = await committed_post(session, row)
    print(f"{row.kind} {post.uid} opened: {post.document['id']}")
    return 0


async def offer(args: argparse.Namespace, settings: Settings) -> int:
    """Open an offer or need (GROUP TITLE), or close one (close GROUP ID --fulfilled…)."""
    if args.state is not None:
        if len(args.words) != 3 or args.words[0] != "close":
            raise CliError(f"to close, write: mutuals {args.kind} close GROUP ID --{args.state}")
        _group, row = await group_action(
            settings, args.words[1], offers.close_offer, args.words[2], args.state
        )
        print(f"{row.kind} {args.words[2]} is now {row.state}; followers get an Update")
        return 0
    if len(args.words) == 3 and args.words[0] == "close":
        raise CliError("say why it closes: --fulfilled or --withdrawn")
    if len(args.words) != 2:
        raise CliError(f"write: mutuals {args.kind} GROUP TITLE [options]")
    return await _open(args, settings, *args.words)


async def responses(args: argparse.Namespace, settings: Settings) -> int:
    """List the replies to an offer, need or event."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await list_responses(session, group, args.post_id)
        lines = [f"{r.actor_ap_id}\t{r.object_ap_id}\t{board.plain(r.content_html)}" for r in rows]
        print_lines(lines, "no responses yet")
    return 0


async def show_board(args: argparse.Namespace, settings: Settings) -> int:
    """The open offers and needs of the group and the groups it follows."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        entries = await board.open_entries(session, group, skill=args.skill, area=args.area)
        if not entries:
            print("no open offers or needs")
        for entry in entries:
            print(entry.line())
            if entry.kind == "need":
                for match in board.matches(entry, entries):
                    print(f"  matching offer: {match.line()}")
    return 0


def _kind(commands: Any, kind: str) -> None:
    parser = add_command(commands, kind, offer, f"open or close a skill {kind}")
    parser.set_defaults(kind=kind)
    add_words(parser, "TITLE", f"the {kind}'s title", ("close",), "the id")
    parser.add_argument("--body", help="more detail, in Markdown")
    parser.add_argument("--skill", action="append", default=[], help="a skill tag; repeatable")
    parser.add_argument("--area", help="where: a neighbourhood, a town")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="closes itself after this day")
    state = parser.add_mutually_exclusive_group()
    for name in ("fulfilled", "withdrawn"):
        state.add_argument(f"--{name}", dest="state", action="store_const", const=name)
    add_language_arguments(parser, "title", "body")


def register(commands: Any) -> None:
    """Add the offer, need, responses and board commands."""
    _kind(commands, "offer")
    _kind(commands, "need")
    parser = add_command(commands, "responses", responses, "list replies to an offer or need")
    parser.add_argument("group")
    parser.add_argument("post_id", metavar="ID")
    parser = add_command(commands, "board", show_board, "the network's open offers and needs")
    parser.add_argument("group")
    parser.add_argument("--skill", help="only with this skill tag")
    parser.add_argument("--area", help="only in this area (part of its name)")
