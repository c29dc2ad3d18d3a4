"""``mutuals offer``/``need`` (open, ``close``; a need also ``help``, ``give``, ``show``),
``responses`` and ``board``."""

from __future__ import annotations

import argparse
from typing import Any

from documents.offer import URGENCIES
from documents.when import parse_date
from sharing import board, needs, offers
from sharing.publishing import list_responses
from web.commands.base import CliError, add_command, group_action, group_session, print_lines
from web.commands.languages import add_language_arguments, read_texts
from web.commands.sharing_base import add_words, committed_post
from web.settings import Settings

NEED_ACTIONS = ("close", "help", "give", "show")


async def _open(args: argparse.Namespace, settings: Settings, group_name: str, title: str) -> int:
    texts, body = read_texts(args, ("title", title), ("body", args.body))
    until = parse_date(args.until) if args.until else None
    async with group_session(settings, group_name) as (ctx, session, group):
        row = await offers.open_offer(
            session, ctx, group, args.kind, texts,
            body=body, skills=args.skill, area=args.area, until=until,
            urgency=args.urgency, quantity=args.quantity,
        )  # fmt: skip
        post = await committed_post(session, row)
    print(f"{row.kind} {post.uid} opened: {post.document['id']}")
    if row.kind == "need":
        print(f"need number {row.id} (mutuals need help|give|close|show GROUP ID takes either)")
    return 0


async def _close(args: argparse.Namespace, settings: Settings, group_name: str, uid: str) -> int:
    if args.kind == "offer" or args.state == "withdrawn":
        if args.thank:
            raise CliError("only a need closed --fulfilled or --partly thanks its helpers")
        _group, row = await group_action(settings, group_name, offers.close_offer, uid, args.state)
    else:
        _group, (row, thanks) = await group_action(
            settings, group_name, needs.close_need, uid, args.state, thank=args.thank
        )
        if thanks is not None:
            print(f"thanks published: {thanks.document['id']}")
    print(f"{row.kind} {uid} is now {row.state}; followers get an Update")
    return 0


async def _help(args: argparse.Namespace, settings: Settings, group_name: str, uid: str) -> int:
    if not args.helper:
        raise CliError("say who helps: --helper user@host (a fediverse account) or --helper NAME")
    async with group_session(settings, group_name) as (ctx, session, group):
        await needs.assign_helper(session, ctx, group, uid, args.helper, agreed=args.agreed)
        await session.commit()
    agreed = "agreed to be thanked publicly" if args.agreed else "not to be thanked publicly"
    print(f"{args.helper} helps with need {uid} ({agreed}); someone is helping")
    return 0


async def _give(args: argparse.Namespace, settings: Settings, group_name: str, uid: str) -> int:
    if args.amount is None or not args.amount.lstrip("-").isdigit():
        raise CliError(f"write: mutuals need give {group_name} {uid} N (a whole number)")
    async with group_session(settings, group_name) as (ctx, session, group):
        row = await needs.record_given(session, ctx, group, uid, int(args.amount))
        progress = await needs.progress_row(session, group, row)
        await session.commit()
        total = f" of {progress.quantity}" if progress.quantity is not None else ""
        print(f"need {uid}: {progress.given}{total} given; followers get an Update")
    return 0


async def _show(args: argparse.Namespace, settings: Settings, group_name: str, uid: str) -> int:
    async with group_session(settings, group_name) as (_ctx, session, group):
        row, post = await needs.find_need(session, group, uid)
        progress = await needs.progress_row(session, group, row)
        helpers = await needs.helpers_of(session, row)
        await session.commit()
    total = f" of {progress.quantity}" if progress.quantity is not None else ""
    print(f"need {row.id} ({post.uid}): {row.title}")
    print(f"state {row.state}; urgency {progress.urgency}; {progress.given}{total} given")
    for helper in helpers:
        agreed = "agreed to thanks" if helper.agreed else "no public thanks"
        print(f"helper\t{helper.actor_ap_id or helper.name}\t{helper.source}\t{agreed}")
    return 0


_NEED_HANDLERS = {"help": _help, "give": _give, "show": _show}


async def offer(args: argparse.Namespace, settings: Settings) -> int:
    """Open an offer or need (GROUP TITLE), or close one (close GROUP ID --fulfilled…);
    a need also: help GROUP ID --helper X, give GROUP ID N, show GROUP ID."""
    words = args.words
    action = words[0] if args.kind == "need" and len(words) >= 3 else None
    if action in _NEED_HANDLERS:
        args.amount = words[3] if len(words) == 4 else None
        if len(words) != (4 if action == "give" else 3):
            raise CliError(
                f"write: mutuals need {action} GROUP ID" + (" N" if action == "give" else "")
            )
        return await _NEED_HANDLERS[action](args, settings, words[1], words[2])
    if args.state is not None:
        if len(words) != 3 or words[0] != "close":
            raise CliError(f"to close, write: mutuals {args.kind} close GROUP ID --{args.state}")
        return await _close(args, settings, words[1], words[2])
    if len(words) == 3 and words[0] == "close":
        closing = "--fulfilled, --partly, --unmet or --withdrawn" if args.kind == "need" else (
            "--fulfilled or --withdrawn")  # fmt: skip
        raise CliError(f"say why it closes: {closing}")
    if len(words) == 3 and words[0] == "open":
        words = words[1:]
    if len(words) != 2:
        raise CliError(f"write: mutuals {args.kind} GROUP TITLE [options]")
    return await _open(args, settings, *words)


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


def _need_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--urgency", help=f"how soon: {', '.join(URGENCIES)} (the default)")
    parser.add_argument("--quantity", type=int, help="how many are needed, e.g. 20 food boxes")
    parser.add_argument("--helper", metavar="ACCOUNT_OR_NAME", help="who helps (need help)")
    parser.add_argument(
        "--agreed", action="store_true", help="the helper agreed to be thanked publicly"
    )
    parser.add_argument(
        "--thank", action="store_true", help="on close: thank the helpers who agreed, publicly"
    )


def _kind(commands: Any, kind: str) -> None:
    about = "open a need, follow it through (help, give N, show) or close it"
    parser = add_command(
        commands, kind, offer, about if kind == "need" else "open or close an offer"
    )
    parser.set_defaults(kind=kind, urgency=None, quantity=None, thank=False)
    actions = NEED_ACTIONS if kind == "need" else ("close",)
    add_words(parser, "TITLE", f"the {kind}'s title", actions, "the id")
    parser.add_argument("--body", help="more detail, in Markdown")
    parser.add_argument("--skill", action="append", default=[], help="a skill tag; repeatable")
    parser.add_argument("--area", help="where: a neighbourhood, a town")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="closes itself after this day")
    state = parser.add_mutually_exclusive_group()
    closings = ("fulfilled", "partly", "unmet", "withdrawn") if kind == "need" else (
        "fulfilled", "withdrawn")  # fmt: skip
    for name in closings:
        state.add_argument(f"--{name}", dest="state", action="store_const", const=name)
    if kind == "need":
        _need_arguments(parser)
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
