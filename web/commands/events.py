"""``mutuals event`` (create, ``update``, ``cancel``) and ``mutuals attendees``."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.event import EventSpec, Place
from documents.multilingual import Multilingual
from documents.when import parse_local_datetime, zone
from sharing import events
from sharing.models import Event
from sharing.publishing import find_shared
from web.commands.base import CliError, add_command, group_action, group_session
from web.commands.languages import add_language_arguments, read_texts
from web.commands.sharing_base import add_words, committed_post
from web.settings import Settings

ACTIONS = ("update", "cancel")


def _where(args: argparse.Namespace) -> dict[str, Any]:
    if args.place is not None:
        return {"place": Place.parse(args.place), "online_url": None}
    if args.online is not None:
        return {"place": None, "online_url": args.online}
    return {}


async def _create(args: argparse.Namespace, settings: Settings, group_name: str, title: str) -> int:
    if args.start is None:
        raise CliError("an event needs --start, e.g. --start '2025-11-29 18:30'")
    texts, body = read_texts(args, ("title", title), ("body", args.body))
    tz = zone(args.timezone or "UTC")
    start = parse_local_datetime(args.start, tz)
    end = parse_local_datetime(args.end, tz) if args.end else None
    spec = EventSpec(texts, start, tz.key, end, body, repeat=args.repeat, **_where(args))
    async with group_session(settings, group_name) as (ctx, session, group):
        row = await events.create_event(session, ctx, group, spec)
        post = await committed_post(session, row)
    print(f"event {post.uid} created: {post.document['id']}")
    return 0


def _changes(args: argparse.Namespace, old: EventSpec) -> dict[str, Any]:
    changes: dict[str, Any] = _where(args)
    tz = zone(args.timezone or old.timezone)
    if args.timezone:
        changes["timezone"] = tz.key
    for name in ("start", "end"):
        if getattr(args, name):
            changes[name] = parse_local_datetime(getattr(args, name), tz)
    if args.repeat:
        changes["repeat"] = args.repeat
    lang = old.title.language
    if args.title or args.lang:
        titles = old.title.as_dict() | dict(args.lang) | ({lang: args.title} if args.title else {})
        changes["title"] = Multilingual(titles, lang)
    if args.body or args.lang_body:
        bodies = (old.body.as_dict() if old.body else {}) | dict(args.lang_body)
        changes["body"] = Multilingual(bodies | ({lang: args.body} if args.body else {}), lang)
    return changes


async def _act(
    session: AsyncSession, ctx: Context, group: Group, args: argparse.Namespace, post_uid: str
) -> Event:
    if args.action == "cancel":
        return await events.change_event(session, ctx, group, post_uid, cancelled=True)
    row, _post = await find_shared(session, group, Event, post_uid, "an event")
    changes = _changes(args, events.event_spec(row))
    if not changes:
        raise CliError("nothing to change; give --title, --start, --place… with the new value")
    return await events.change_event(session, ctx, group, post_uid, **changes)


async def event(args: argparse.Namespace, settings: Settings) -> int:
    """Create an event (GROUP TITLE --start …), or ``update``/``cancel`` GROUP ID."""
    words = args.words
    if len(words) == 3 and words[0] in ACTIONS:
        args.action = words[0]
        _group, row = await group_action(settings, words[1], _act, args, words[2])
        state = "cancelled" if row.cancelled else "updated"
        print(f"event {words[2]} {state} (sequence {row.sequence}); followers get an Update")
        return 0
    if len(words) != 2:
        raise CliError(
            "write: mutuals event GROUP TITLE --start …, or event update|cancel GROUP ID"
        )
    return await _create(args, settings, *words)


async def attendees(args: argparse.Namespace, settings: Settings) -> int:
    """Who answered an event, with counts per answer."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await events.list_attendees(session, group, args.post_id)
        counts = {state: sum(r.state == state for r in rows) for state in events.RSVP_STATES}
        print(", ".join(f"{state}: {n}" for state, n in counts.items()))
        for row in rows:
            print(f"{row.state}\t{row.actor_ap_id}")
    return 0


def register(commands: Any) -> None:
    """Add the event and attendees commands."""
    parser = add_command(commands, "event", event, "create, update or cancel an event")
    add_words(parser, "TITLE", "the title", ACTIONS, "the event id")
    parser.add_argument("--start", metavar="'YYYY-MM-DD HH:MM'", help="when it (first) starts")
    parser.add_argument("--end", metavar="'YYYY-MM-DD HH:MM'", help="when it (first) ends")
    parser.add_argument("--timezone", metavar="ZONE", help="IANA name, e.g. Europe/Berlin (UTC)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--place", metavar="'NAME, ADDRESS'", help="where it happens")
    where.add_argument("--online", metavar="URL", help="the link of an online meeting")
    parser.add_argument("--body", help="the description, in Markdown")
    parser.add_argument("--repeat", metavar="RULE", help="daily, weekly, monthly… or an RRULE")
    parser.add_argument("--title", help="(update) the new title")
    add_language_arguments(parser, "title", "body")
    parser = add_command(commands, "attendees", attendees, "who is going to an event")
    parser.add_argument("group")
    parser.add_argument("post_id", metavar="EVENT_ID")
