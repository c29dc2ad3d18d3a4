"""``mutuals volunteers`` (the inventory, the call, roles, matches) and ``mutuals volunteer``
(add one, list one or take them off the public page, pair with a mentor, record help,
grant a role)."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from accounts.audit import COMMAND_LINE
from actors.instance import Context
from actors.models import Group
from sharing import volunteer_calls, volunteer_roles, volunteers
from sharing.volunteer_models import Volunteer, VolunteerRole
from web.commands.base import CliError, add_command, group_action, group_session, print_lines
from web.settings import Settings

ACTIONS = ("call", "role", "roles", "match")
USAGE = (
    "write: mutuals volunteers GROUP [--skill S] [--area A] | call GROUP [TEXT] | "
    "role GROUP NAME --criteria TEXT [--helped N] | roles GROUP | match GROUP"
)


def _line(row: Volunteer, helped: int, badges: list[str], mentors: dict[int, str]) -> str:
    fields = (
        f"#{row.id}",
        row.name,
        " ".join(f"#{s}" for s in row.skills),
        row.area or "-",
        row.availability or "-",
        volunteers.listing_state(row),
        f"helped {helped}",
        ", ".join(badges) or "-",
        f"mentor {mentors[row.mentor_id]}" if row.mentor_id in mentors else "-",
    )
    return "\t".join(fields)


async def _inventory(args: argparse.Namespace, settings: Settings, group_name: str) -> None:
    async with group_session(settings, group_name) as (_ctx, session, group):
        rows = await volunteers.inventory(session, group, skill=args.skill, area=args.area)
        counts = await volunteer_roles.help_counts(session, group)
        granted = await volunteer_roles.badges(session, group)
        names = {row.id: row.name for row in await volunteers.inventory(session, group)}
    lines = [_line(row, counts.get(row.id, 0), granted.get(row.id, []), names) for row in rows]
    print_lines(lines, "no volunteers found")


async def _match(settings: Settings, group_name: str) -> None:
    async with group_session(settings, group_name) as (_ctx, session, group):
        found = await volunteers.match_needs(session, group)
    lines = []
    for need, people in found.needs:
        lines.append(need.line())
        lines += [f"  matching volunteer: #{row.id}\t{row.name}" for row in people]
    print_lines(lines, "no open needs")


async def _call(settings: Settings, group_name: str, text: str | None) -> None:
    _group, post = await group_action(settings, group_name, volunteer_calls.post_call, text)
    print(f"call {post.uid} posted: {post.document['id']}")
    print("replies naming skills (#cooking, or skills: first aid) register their authors")


async def _role(args: argparse.Namespace, settings: Settings, group_name: str, name: str) -> None:
    if args.criteria is None:
        raise CliError("say what the role asks for: --criteria TEXT [--helped N]")
    _group, role = await group_action(
        settings, group_name, _define, name, args.criteria, args.helped
    )
    print(f"role {role.name}: {role.criteria} (helped at least {role.helped_needed} times)")


async def _define(
    session: AsyncSession, _ctx: Context, group: Group, name: str, criteria: str, helped: int
) -> VolunteerRole:
    return await volunteer_roles.define_role(session, group, name, criteria=criteria, helped=helped)


async def _roles(settings: Settings, group_name: str) -> None:
    async with group_session(settings, group_name) as (_ctx, session, group):
        rows = await volunteer_roles.list_roles(session, group)
    lines = [f"{r.name}\thelped {r.helped_needed}\t{r.criteria}" for r in rows]
    print_lines(lines, "no roles yet")


async def volunteers_command(args: argparse.Namespace, settings: Settings) -> int:
    """The inventory (GROUP), or: call GROUP [TEXT], role GROUP NAME, roles GROUP, match GROUP."""
    words = args.words
    if len(words) == 1 and words[0] not in ACTIONS:
        await _inventory(args, settings, words[0])
    elif words[0] == "call" and len(words) in (2, 3):
        await _call(settings, words[1], words[2] if len(words) == 3 else None)
    elif words[0] == "role" and len(words) == 3:
        await _role(args, settings, words[1], words[2])
    elif words[0] == "roles" and len(words) == 2:
        await _roles(settings, words[1])
    elif words[0] == "match" and len(words) == 2:
        await _match(settings, words[1])
    else:
        raise CliError(USAGE)
    return 0


async def _add(
    session: AsyncSession, _ctx: Context, group: Group, args: argparse.Namespace
) -> Volunteer:
    return await volunteers.register(
        session, group, args.name, skills=args.skill, availability=args.availability or "",
        area=args.area or "", listed=args.listed, source="organizer",
    )  # fmt: skip


async def add(args: argparse.Namespace, settings: Settings) -> int:
    """Record a volunteer."""
    _group, row = await group_action(settings, args.group, _add, args)
    shown = "listed on the volunteers page" if row.listed else "not listed"
    print(f"volunteer #{row.id} {row.name} recorded ({shown})")
    return 0


async def _listing(
    session: AsyncSession, _ctx: Context, group: Group, name: str, on: bool
) -> Volunteer:
    row = await volunteers.find_volunteer(session, group, name)
    volunteers.set_listing(row, on, by=COMMAND_LINE)
    action = "volunteer list" if on else "volunteer unlist"
    await audit.record(session, COMMAND_LINE, action, group, row.name)
    return row


async def listing(args: argparse.Namespace, settings: Settings) -> int:
    """List a volunteer on the public page (approving their request), or take them off."""
    _group, row = await group_action(settings, args.group, _listing, args.name, args.on)
    where = "listed on" if row.listed else "not listed on"
    print(f"{row.name} is {where} the public volunteers page")
    return 0


async def _pair(
    session: AsyncSession, _ctx: Context, group: Group, newcomer: str, mentor: str
) -> tuple[Volunteer, Volunteer]:
    return await volunteer_roles.pair_mentor(session, group, newcomer, mentor)


async def mentor(args: argparse.Namespace, settings: Settings) -> int:
    """Pair a newcomer with a mentor."""
    _group, (newcomer, chosen) = await group_action(
        settings, args.group, _pair, args.newcomer, args.mentor
    )
    print(f"{newcomer.name} is mentored by {chosen.name}")
    return 0


async def _helped(
    session: AsyncSession, _ctx: Context, group: Group, name: str
) -> tuple[Volunteer, int]:
    return await volunteer_roles.record_help(session, group, name, by=COMMAND_LINE)


async def helped(args: argparse.Namespace, settings: Settings) -> int:
    """Record that a volunteer helped once more."""
    _group, (row, count) = await group_action(settings, args.group, _helped, args.name)
    print(f"{row.name} has helped {count} times")
    return 0


async def _grant(
    session: AsyncSession, _ctx: Context, group: Group, name: str, role: str
) -> tuple[Volunteer, VolunteerRole]:
    return await volunteer_roles.grant_role(session, group, name, role, by=COMMAND_LINE)


async def grant(args: argparse.Namespace, settings: Settings) -> int:
    """Grant a role whose criteria a volunteer meets."""
    _group, (row, role) = await group_action(settings, args.group, _grant, args.name, args.role)
    print(f"{row.name} is now {role.name}")
    return 0


def _volunteer(commands: Any) -> None:
    parser = commands.add_parser(
        "volunteer", help="record a volunteer, their listing, a mentor, help, a role"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = add_command(actions, "add", add, "record a volunteer")
    sub.add_argument("group")
    sub.add_argument("name", help="their name or fediverse handle")
    sub.add_argument("--skill", action="append", default=[], help="a skill tag; repeatable")
    sub.add_argument("--availability", help="when they can help (organizers only)")
    sub.add_argument("--area", help="where they can help (organizers only)")
    sub.add_argument("--listed", action="store_true", help="they agreed to be listed")
    sub = add_command(
        actions, "listing", listing, "list a volunteer on the public page, or take them off"
    )
    sub.add_argument("group")
    sub.add_argument("name", help="their name, @user@server or #ID")
    switch = sub.add_mutually_exclusive_group(required=True)
    switch.add_argument("--on", dest="on", action="store_true", help="list them (approve)")
    switch.add_argument("--off", dest="on", action="store_false", help="take them off")
    sub = add_command(actions, "mentor", mentor, "pair a newcomer with a mentor")
    for name in ("group", "newcomer", "mentor"):
        sub.add_argument(name)
    sub = add_command(actions, "helped", helped, "record that a volunteer helped once more")
    sub.add_argument("group")
    sub.add_argument("name")
    sub = add_command(actions, "grant", grant, "grant a role whose criteria are met")
    for name in ("group", "name", "role"):
        sub.add_argument(name)


def register(commands: Any) -> None:
    """Add the volunteers and volunteer commands."""
    parser = add_command(
        commands, "volunteers", volunteers_command, "the skills inventory, the call, roles"
    )
    parser.add_argument("words", nargs="+", metavar="[call|role|roles|match] GROUP [NAME|TEXT]")
    parser.add_argument("--skill", help="only volunteers with this skill tag")
    parser.add_argument("--area", help="only volunteers in this area (part of its name)")
    parser.add_argument("--criteria", help="a role's criteria, as the group writes them")
    parser.add_argument("--helped", type=int, default=0, help="times helped a role needs")
    _volunteer(commands)
