"""``mutuals network …``: groups joining networks, and a network's members."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.network import ANNOUNCE_POLICIES, RELAY_POLICIES
from documents.whereabouts import received_liaisons
from networks import joining, membership
from web.commands.base import add_command, group_action, group_session, print_lines
from web.settings import Settings


async def network_join(args: argparse.Namespace, settings: Settings) -> int:
    """A group asks to join a network (on any instance), or restates ``--no-announce``."""
    group, following = await group_action(
        settings, args.group, joining.join, args.network, announce=args.announce, relay=args.relay
    )
    handle = following.actor.handle
    state = "a member" if following.accepted else "pending until the network accepts"
    posts = "announced" if args.announce else "not announced"
    print(
        f"{group.name} asked to join {handle} ({state}); its posts {posts}; "
        f"it relays the network's posts: {args.relay}"
    )
    return 0


async def network_relay(args: argparse.Namespace, settings: Settings) -> int:
    """Change which of a network's posts a member group relays to its followers."""
    group, following = await group_action(
        settings, args.group, joining.set_relay, args.network, args.relay
    )
    print(f"{group.name} relays {following.actor.handle}'s posts: {following.relay}")
    return 0


async def network_leave(args: argparse.Namespace, settings: Settings) -> int:
    """A group leaves a network."""
    group, actor = await group_action(settings, args.group, joining.leave, args.network)
    print(f"{group.name} left {actor.handle}")
    return 0


async def network_members(args: argparse.Namespace, settings: Settings) -> int:
    """A network's members (or the groups waiting) with their liaison contacts."""
    async with group_session(settings, args.network) as (_ctx, session, network):
        rows = await membership.list_members(session, network, pending=args.pending)
        lines = [
            "\t".join(
                [
                    row.actor.handle,
                    row.state,
                    "announced" if row.announce else "not announced",
                    "liaison: " + (", ".join(received_liaisons(row.actor.document)) or "none"),
                ]
            )
            for row in rows
        ]
        empty = "no groups waiting to join" if args.pending else "no member groups yet"
        print_lines(lines, f"{network.name}: {empty}")
    return 0


async def network_approve(args: argparse.Namespace, settings: Settings) -> int:
    """Accept a group's request to join; the network follows it back."""
    network, handle = await group_action(settings, args.network, membership.approve, args.group)
    print(f"{handle} is now a member of {network.name}")
    return 0


async def network_reject(args: argparse.Namespace, settings: Settings) -> int:
    """Refuse a group's request to join."""
    network, handle = await group_action(settings, args.network, membership.reject, args.group)
    print(f"rejected {handle}'s request to join {network.name}")
    return 0


async def network_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Take a member group out of the network."""
    network, handle = await group_action(settings, args.network, membership.remove, args.group)
    print(f"{handle} is no longer a member of {network.name}")
    return 0


async def _set_announce(session: AsyncSession, ctx: Context, network: Group, announce: str) -> None:
    membership.set_announce(network, announce)


async def network_update(args: argparse.Namespace, settings: Settings) -> int:
    """Change which member posts a network announces."""
    network, _ = await group_action(settings, args.network, _set_announce, args.announce)
    print(f"{network.name} announces its members' posts: {network.network_announce}")
    return 0


def register(commands: Any) -> None:
    """Add ``network`` and its sub-commands to the parser."""
    parser = commands.add_parser("network", help="networks of groups: joining and members")
    sub = parser.add_subparsers(dest="network_command", required=True, metavar="ACTION")
    join = add_command(sub, "join", network_join, "ask to join a network (or restate the choice)")
    join.add_argument("group", help="the local group joining")
    join.add_argument("network", help="the network: name@host or actor URL")
    join.add_argument(
        "--announce",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="whether the network announces this group's posts (default: yes)",
    )
    join.add_argument(
        "--relay",
        choices=RELAY_POLICIES,
        default="sharing",
        help="which of the network's posts this group relays to its followers: all, only "
        "offers, needs and events (sharing, the default), or none",
    )
    relay = add_command(
        sub, "relay", network_relay, "change which of a network's posts a group relays"
    )
    relay.add_argument("group", help="the local member group")
    relay.add_argument("network", help="the network: name@host or actor URL")
    relay.add_argument("relay", choices=RELAY_POLICIES, help="all, sharing or none")
    leave = add_command(sub, "leave", network_leave, "leave a network")
    leave.add_argument("group", help="the local group leaving")
    leave.add_argument("network", help="the network: name@host or actor URL")
    members = add_command(sub, "members", network_members, "list a network's member groups")
    members.add_argument("network", help="the local network")
    members.add_argument("--pending", action="store_true", help="groups waiting to join")
    for name, handler, text in (
        ("approve", network_approve, "accept a group's request to join"),
        ("reject", network_reject, "refuse a group's request to join"),
        ("remove", network_remove, "take a member group out"),
    ):
        action = add_command(sub, name, handler, text)
        action.add_argument("network", help="the local network")
        action.add_argument("group", help="the member group: name@host or actor URL")
    update = add_command(sub, "update", network_update, "change what the network announces")
    update.add_argument("network", help="the local network")
    update.add_argument(
        "--announce",
        choices=ANNOUNCE_POLICIES,
        required=True,
        help="all public posts, only offers, needs and events (sharing), or only posts "
        "tagged with the network's name (tagged)",
    )
