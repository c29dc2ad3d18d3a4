"""``mutuals submissions``, ``messages`` and ``reply``: what members send a group."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from federation.content import plain_text
from forum import submissions
from forum.messages import read_messages, reply_to
from forum.models import Message
from web.commands.base import CliError, add_command, group_action, group_session, print_lines
from web.settings import Settings

ACTIONS = ("approve", "reject", "remove")
PREVIEW = 120


def _line(message: Message) -> str:
    """One message as a line: its id first (what the other commands take), then the rest."""
    text = plain_text(message.content_html).replace("\n", " ")
    text = text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"
    why = f" ({message.reason})" if message.reason else ""
    thread = f" in reply to {message.in_reply_to}" if message.in_reply_to else ""
    return (
        f"{message.object_ap_id}\t{message.kind}, {message.status}{why}\t"
        f"from {message.actor_ap_id}{thread}\t{text}"
    )


async def _decide(
    session: AsyncSession, ctx: Context, group: Group, action: str, url: str, reason: str | None
) -> Message:
    if action == "approve":
        return await submissions.approve(session, ctx, group, url)
    if action == "reject":
        return await submissions.reject(session, ctx, group, url, reason)
    return await submissions.remove(session, ctx, group, url, reason)


async def submissions_command(args: argparse.Namespace, settings: Settings) -> int:
    """List a group's waiting posts, or approve, reject or remove one."""
    words = args.words
    if len(words) == 1:
        async with group_session(settings, words[0]) as (_ctx, session, group):
            waiting = await submissions.waiting(session, group)
            empty = f"nothing waiting for {group.name}'s moderators"
            print_lines([_line(message) for message in waiting], empty)
        return 0
    if len(words) != 3 or words[0] not in ACTIONS:
        raise CliError(
            "write: mutuals submissions GROUP, or mutuals submissions "
            f"{'|'.join(ACTIONS)} GROUP POST_URL"
        )
    action, name, url = words
    group, message = await group_action(settings, name, _decide, action, url, args.reason)
    done = {
        "approve": f"announced to {group.name}'s followers",
        "reject": f"rejected; it stays listed for {group.name}'s organizers",
        "remove": f"taken out of {group.name}; its boost is undone",
    }
    print(f"{message.object_ap_id} {done[action]}")
    return 0


async def messages_command(args: argparse.Namespace, settings: Settings) -> int:
    """Show a group's messages (newest last) and mark them read."""
    _group, found = await group_action(settings, args.group, _read, args.unread)
    print_lines([_line(message) for message in found], "no messages" + (" unread" * args.unread))
    return 0


async def _read(session: AsyncSession, _ctx: Context, group: Group, unread: bool) -> list[Message]:
    return list(await read_messages(session, group, unread=unread))


async def reply_command(args: argparse.Namespace, settings: Settings) -> int:
    """Answer a member's post as the group."""
    _group, post = await group_action(
        settings, args.group, reply_to, args.post_url, args.text, direct=args.direct
    )
    print(f"replied {post.uid}: {post.document['id']}")
    return 0


def register(commands: Any) -> None:
    """Add the forum commands to the parser."""
    parser = add_command(
        commands, "submissions", submissions_command, "members' posts waiting for a moderator"
    )
    parser.add_argument(
        "words",
        nargs="+",
        metavar=f"GROUP | {'|'.join(ACTIONS)} GROUP POST_URL",
        help="the group, to list what waits; or an action, the group and the post's id",
    )
    parser.add_argument(
        "--reason", help="why (reject, remove); a rejected author is told in a direct reply"
    )
    parser = add_command(commands, "messages", messages_command, "what members sent a group")
    parser.add_argument("group")
    parser.add_argument("--unread", action="store_true", help="only those not read yet")
    parser = add_command(commands, "reply", reply_command, "answer a member's post as the group")
    parser.add_argument("group")
    parser.add_argument("post_url", metavar="POST_URL", help="the post's id, as listed")
    parser.add_argument("text", help="the answer, in Markdown")
    parser.add_argument(
        "--direct", action="store_true", help="to the author alone, not to the followers"
    )
