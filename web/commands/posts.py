"""``mutuals post``, ``edit`` and ``delete``: a group's status updates."""

from __future__ import annotations

import argparse
from typing import Any

from posts import notes
from posts.multilingual import publish_multilingual_note
from sharing import publishing
from web.commands.base import add_command, group_action, group_session
from web.commands.languages import add_language_arguments, read_texts
from web.settings import Settings


async def post(args: argparse.Namespace, settings: Settings) -> int:
    """Publish a status update (Markdown) to the group's followers."""
    async with group_session(settings, args.group) as (ctx, session, group):
        if args.lang or args.texts or args.language != "en":
            text, _ = read_texts(args, ("text", args.text))
            new = await publish_multilingual_note(
                session, ctx, group, text, args.visibility, cw=args.cw
            )
        else:
            new = await notes.publish_note(
                session, ctx, group, args.text, args.visibility, cw=args.cw
            )
        await session.commit()
        print(f"posted {new.uid}: {new.document['id']}")
    return 0


async def edit(args: argparse.Namespace, settings: Settings) -> int:
    """Replace a post's text (and its content warning); followers receive an Update."""
    _group, changed = await group_action(
        settings, args.group, publishing.edit_status_update, args.post_id, args.text, cw=args.cw
    )
    print(f"edited {changed.uid}: {changed.document['id']}")
    return 0


async def delete(args: argparse.Namespace, settings: Settings) -> int:
    """Delete a post; followers receive a Delete and its id answers 410 Gone."""
    _group, gone = await group_action(settings, args.group, notes.delete_note, args.post_id)
    print(f"deleted {gone.uid}")
    return 0


def register(commands: Any) -> None:
    """Add the post commands to the parser."""
    parser = add_command(commands, "post", post, "publish a status update")
    parser.add_argument("group", help="the local group's name")
    parser.add_argument("text", help="the text, in Markdown; #hashtags and links work")
    audience = parser.add_mutually_exclusive_group()
    audience.add_argument(
        "--unlisted",
        dest="visibility",
        action="store_const",
        const="unlisted",
        help="public, but kept out of public timelines",
    )
    audience.add_argument(
        "--followers-only",
        dest="visibility",
        action="store_const",
        const="followers",
        help="only the group's followers may see it",
    )
    parser.set_defaults(visibility="public")
    parser.add_argument(
        "--cw", metavar="TEXT", help="a content warning, shown before the text (which is hidden)"
    )
    add_language_arguments(parser, "text", None)
    parser = add_command(commands, "edit", edit, "change a post's text")
    parser.add_argument("group")
    parser.add_argument("post_id", metavar="POST_ID", help="the id printed by 'mutuals post'")
    parser.add_argument("text")
    parser.add_argument(
        "--cw", metavar="TEXT", help="a new content warning ('' removes it; kept when not given)"
    )
    parser = add_command(commands, "delete", delete, "delete a post")
    parser.add_argument("group")
    parser.add_argument("post_id", metavar="POST_ID")
