"""``mutuals group …``: create, list, show and update local groups."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import (
    POSTING_POLICIES,
    REPLY_POLICIES,
    create_group,
    find_group,
    list_groups,
    set_posting,
)
from actors.instance import Context
from actors.models import Group
from actors.moves import add_alias
from actors.rotation import rotate_group_key
from documents.whereabouts import MAX_LANGUAGES, MAX_TOPICS
from follows.moves import move_group
from posts.notes import update_group_profile
from web.commands.base import CliError, add_command, group_action, group_session, print_lines
from web.runtime import open_context
from web.settings import Settings


async def group_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a group (with ``--exist-ok``, do nothing when it exists)."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        if args.exist_ok and await find_group(session, args.name) is not None:
            print(f"group {args.name} already exists")
            return 0
        group = await create_group(
            session,
            args.name,
            ctx.urls,
            display_name=args.display_name or "",
            summary=args.summary or "",
            manual_approval=args.manual_approval,
            posting=args.posting,
            network=args.network,
        )
        await session.commit()
        print(
            f"created group {group.name}: @{group.name}@{ctx.host} at {ctx.urls.group(group.uid)}"
        )
    return 0


async def group_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the groups with their handles."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        groups = await list_groups(session)
        lines = [
            f"{group.name}\t@{group.name}@{ctx.host}\t{group.display_name}" for group in groups
        ]
        print_lines(lines, "no groups yet; create one with: mutuals group create NAME")
    return 0


async def group_show(args: argparse.Namespace, settings: Settings) -> int:
    """Show one group's profile and addresses."""
    async with group_session(settings, args.name) as (ctx, _session, group):
        lines = {
            "name": group.name,
            "handle": f"@{group.name}@{ctx.host}",
            "actor": ctx.urls.group(group.uid),
            "display name": group.display_name,
            "summary": group.summary,
            "manual approval": "yes" if group.manual_approval else "no",
            "posting": group.posting,
            "announces": "replies too" if group.announce_replies == "all" else "top-level posts",
            "icon": group.icon_url or "",
            "fields": "; ".join(f"{f['name']}: {f['value']}" for f in group.fields),
            "place": group.place or "",
            "coordinates": _coordinates(group),
            "topics": " ".join(f"#{topic}" for topic in group.topics),
            "languages": " ".join(group.languages),
            "directory": "listed" if group.discoverable else "unlisted",
            "network": f"yes, announcing {group.network_announce}" if group.is_network else "no",
            "created": group.created_at.isoformat(timespec="seconds"),
            "also known as": " ".join(group.also_known_as),
            "moved to": group.moved_to or "",
        }
        for key, value in lines.items():
            print(f"{key + ':':17}{value}")
    return 0


async def group_update(args: argparse.Namespace, settings: Settings) -> int:
    """Change a group's profile; followers receive an Update of the group."""
    changes: dict[str, Any] = {
        "display_name": args.display_name,
        "summary": args.summary,
        "manual_approval": args.manual_approval,
        "fields": [] if args.clear_fields else _fields(args.field),
        "icon_url": args.icon,
        "new_name": args.rename,
        "place": args.place,
        "coordinates": args.coordinates,
        "topics": [] if args.clear_topics else args.topic,
        "languages": [] if args.clear_languages else args.language,
        "discoverable": args.listed,
    }
    posting = {"posting": args.posting, "announce_replies": args.announce_replies}
    if all(value is None for value in [*changes.values(), *posting.values(), args.also_known_as]):
        raise CliError(
            "nothing to change: give --display-name, --summary, --manual-approval, "
            "--field, --clear-fields, --icon, --rename, --place, --coordinates, --topic, "
            "--clear-topics, --language, --clear-languages, --listed, --unlisted, --posting, "
            "--announce-replies or --also-known-as"
        )
    if args.also_known_as is not None:
        group, alias = await group_action(settings, args.name, _add_alias, args.also_known_as)
        print(f"{group.name} is also known as {alias}; that group can now move here")
    if any(value is not None for value in posting.values()):
        group, _ = await group_action(
            settings, args.name, _set_posting, args.posting, args.announce_replies
        )
        print(f"{group.name}: posting {group.posting}, announcing {group.announce_replies}")
    if any(value is not None for value in changes.values()):
        group, _ = await group_action(settings, args.name, update_group_profile, **changes)
        print(f"updated group {group.name}; its followers will see the new profile")
    return 0


async def group_move(args: argparse.Namespace, settings: Settings) -> int:
    """Move a group to another address; its followers are asked to follow that one."""
    group, target = await group_action(settings, args.name, move_group, args.new_handle)
    print(
        f"{group.name} moved to {target}: its followers are told to follow it there, "
        "and its actor and page point there from now on"
    )
    return 0


async def group_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    """Give a group a new key pair; its followers receive an Update with the new key."""
    group, _ = await group_action(settings, args.name, _rotate_key)
    print(f"{group.name} has a new key; its followers will fetch it with the next signature")
    return 0


async def _add_alias(session: AsyncSession, ctx: Context, group: Group, handle: str) -> str:
    alias = await add_alias(session, ctx, group, handle)
    await update_group_profile(session, ctx, group)
    return alias


async def _rotate_key(session: AsyncSession, ctx: Context, group: Group) -> None:
    rotate_group_key(group)
    await update_group_profile(session, ctx, group)


async def _set_posting(
    _session: AsyncSession, _ctx: Context, group: Group, posting: str | None, replies: str | None
) -> None:
    set_posting(group, posting, replies)


def _coordinates(group: Group) -> str:
    """The stored coordinates as ``LAT,LON``, saying they are rounded; empty for none."""
    if group.latitude is None or group.longitude is None:
        return ""
    return f"{group.latitude},{group.longitude} (rounded to about 1 km)"


def _fields(values: list[str] | None) -> list[tuple[str, str]] | None:
    """``NAME=VALUE`` options as pairs (None when none were given)."""
    if not values:
        return None
    pairs = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep:
            raise CliError(f"--field {value!r}: write it as NAME=VALUE, e.g. Website=https://…")
        pairs.append((name.strip(), text.strip()))
    return pairs


def register(commands: Any) -> None:
    """Add ``group`` and its sub-commands to the parser."""
    group_parser = commands.add_parser("group", help="manage local groups")
    sub = group_parser.add_subparsers(dest="group_command", required=True, metavar="ACTION")
    create = add_command(sub, "create", group_create, "create a group")
    create.add_argument("name", help="the handle: 1-30 of a-z, 0-9, _")
    create.add_argument("--display-name", help="the name shown to people")
    create.add_argument("--summary", help="a short description (Markdown)")
    create.add_argument(
        "--manual-approval", action="store_true", help="organizers approve each follower"
    )
    create.add_argument("--exist-ok", action="store_true", help="succeed if the group exists")
    create.add_argument(
        "--network", action="store_true", help="a network: a group whose members are groups"
    )
    create.add_argument(
        "--posting",
        choices=POSTING_POLICIES,
        default="approval",
        help="whose posts the group announces (default: approval)",
    )
    add_command(sub, "list", group_list, "list groups")
    update = add_command(sub, "update", group_update, "change a group's profile")
    update.add_argument("name")
    update.add_argument("--display-name", help="the name shown to people")
    update.add_argument("--summary", help="a short description (Markdown)")
    update.add_argument(
        "--manual-approval",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether organizers approve each follower",
    )
    update.add_argument(
        "--field",
        action="append",
        metavar="NAME=VALUE",
        help="a profile field such as Website=https://… (repeat; replaces all fields)",
    )
    update.add_argument("--clear-fields", action="store_true", help="remove every profile field")
    update.add_argument("--icon", metavar="URL", help="avatar image URL ('' removes it)")
    update.add_argument("--rename", metavar="NEW_NAME", help="new handle; URLs stay the same")
    _add_whereabouts_arguments(update)
    listing = update.add_mutually_exclusive_group()
    listing.add_argument(
        "--listed",
        dest="listed",
        action="store_const",
        const=True,
        help="list the group in directories: /directory here, and Mastodon's (the default)",
    )
    listing.add_argument(
        "--unlisted",
        dest="listed",
        action="store_const",
        const=False,
        help="keep the group out of directories (its page and handle still work)",
    )
    update.add_argument(
        "--posting",
        choices=POSTING_POLICIES,
        help="whose posts the group announces: followers' (open), once a moderator "
        "approves them (approval), or nobody's (organizers)",
    )
    update.add_argument(
        "--announce-replies",
        choices=REPLY_POLICIES,
        help="announce only top-level posts, or replies in the group's threads too",
    )
    update.add_argument(
        "--also-known-as",
        metavar="HANDLE_OR_URL",
        help="another group this one also is (alsoKnownAs): lets that group move here",
    )
    show = add_command(sub, "show", group_show, "show a group")
    show.add_argument("name")
    move = add_command(
        sub, "move", group_move, "move a group to another address its followers follow instead"
    )
    move.add_argument("name")
    move.add_argument(
        "new_handle", metavar="NEW_HANDLE", help="name@host (or actor URL) of the group to move to"
    )
    rotate = add_command(sub, "rotate-key", group_rotate_key, "give a group a new signing key")
    rotate.add_argument("name")


def _add_whereabouts_arguments(update: argparse.ArgumentParser) -> None:
    """``--place``, ``--coordinates``, ``--topic``/``--clear-topics``, ``--language``/…"""
    update.add_argument(
        "--place",
        metavar="TEXT",
        help="where the group is, e.g. 'Eastside, Springfield' ('' removes it)",
    )
    update.add_argument(
        "--coordinates",
        metavar="LAT,LON",
        help="decimal degrees, published rounded to about 1 km ('' removes them); "
        "a negative latitude needs '=': --coordinates=-33.92,18.42",
    )
    topics = update.add_mutually_exclusive_group()
    topics.add_argument(
        "--topic",
        action="append",
        metavar="TAG",
        help=f"what the group is about, as a hashtag (repeat, at most {MAX_TOPICS}; "
        "replaces the topics)",
    )
    topics.add_argument("--clear-topics", action="store_true", help="remove every topic")
    languages = update.add_mutually_exclusive_group()
    languages.add_argument(
        "--language",
        action="append",
        metavar="CODE",
        help=f"a language the group speaks, e.g. es or pt-BR (repeat, at most {MAX_LANGUAGES}; "
        "replaces the languages)",
    )
    languages.add_argument("--clear-languages", action="store_true", help="remove every language")
