"""``mutuals poll GROUP QUESTION --option … --option …`` and ``mutuals poll results``."""

from __future__ import annotations

import argparse
from typing import Any

from documents.poll import PollSpec
from documents.when import parse_local_datetime, zone
from sharing import polls
from web.commands.base import CliError, add_command, group_session
from web.commands.languages import add_language_arguments, read_texts
from web.commands.sharing_base import add_words, committed_post
from web.settings import Settings


async def _create(args: argparse.Namespace, settings: Settings, group_name: str, text: str) -> int:
    question, _ = read_texts(args, ("question", text))
    closes = None
    if args.closes:
        closes = parse_local_datetime(args.closes, zone(args.timezone or "UTC"))
    spec = PollSpec(question, tuple(args.option), args.multiple, closes)
    async with group_session(settings, group_name) as (ctx, session, group):
        row = await polls.create_poll(session, ctx, group, spec)
        post = await committed_post(session, row)
    print(f"poll {post.uid} created: {post.document['id']}")
    return 0


async def _results(settings: Settings, group_name: str, post_uid: str) -> int:
    async with group_session(settings, group_name) as (_ctx, session, group):
        counted = await polls.poll_results(session, group, post_uid)
        state = "closed" if counted.closed else "open"
        print(f"{counted.poll.question} ({state}, {counted.voters} voters)")
        for option, votes in counted.tallies.items():
            print(f"{votes}\t{option}")
    return 0


async def poll(args: argparse.Namespace, settings: Settings) -> int:
    """Create a poll (GROUP QUESTION --option …), or show ``results`` GROUP ID."""
    words = args.words
    if len(words) == 3 and words[0] == "results":
        return await _results(settings, words[1], words[2])
    if len(words) != 2:
        raise CliError("write: mutuals poll GROUP QUESTION --option … --option …")
    return await _create(args, settings, *words)


def register(commands: Any) -> None:
    """Add the poll command."""
    parser = add_command(commands, "poll", poll, "ask the followers a question")
    add_words(parser, "QUESTION", "the question", ("results",), "the poll id")
    parser.add_argument("--option", action="append", default=[], help="an answer; repeat 2–20×")
    parser.add_argument("--multiple", action="store_true", help="voters may pick several")
    parser.add_argument("--closes", metavar="'YYYY-MM-DD HH:MM'", help="when voting ends")
    parser.add_argument("--timezone", metavar="ZONE", help="of --closes (default UTC)")
    add_language_arguments(parser, "question", None)
