"""``mutuals follow``, ``unfollow``, ``following``, ``followers``, ``approve``, ``reject``,
``remove-follower``: a group's follow relationships from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from follows import actions, queries
from web.commands.base import CliError, add_command, group_action, group_session, print_lines
from web.settings import Settings


async def follow(args: argparse.Namespace, settings: Settings) -> int:
    """Ask to follow an account or group (WebFinger handle or actor URL)."""
    group, following = await group_action(settings, args.group, actions.follow, args.account)
    print(f"{group.name} asked to follow {following.actor.handle}; pending until accepted")
    return 0


async def unfollow(args: argparse.Namespace, settings: Settings) -> int:
    """Stop following an account or group."""
    group, actor = await group_action(settings, args.group, actions.unfollow, args.account)
    print(f"{group.name} no longer follows {actor.handle}")
    return 0


async def following(args: argparse.Namespace, settings: Settings) -> int:
    """List whom a group follows (and whom it asked to)."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await queries.list_following(session, group)
        if not rows:
            print(f"{group.name} follows nobody yet; follow with: mutuals follow {group.name} …")
        for row in rows:
            state = "accepted" if row.accepted else "pending"
            print(f"{row.actor.handle}\t{row.actor.ap_id}\t{state}")
    return 0


async def followers(args: argparse.Namespace, settings: Settings) -> int:
    """List a group's followers, or with ``--pending`` the requests waiting for approval."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await queries.list_followers(session, group, pending=args.pending)
        empty = "no pending follow requests" if args.pending else "no followers yet"
        print_lines(
            [f"{row.actor.handle}\t{row.actor.ap_id}" for row in rows], f"{group.name}: {empty}"
        )
    return 0


async def approve(args: argparse.Namespace, settings: Settings) -> int:
    """Accept a pending follow request."""
    already = CliError(f"{args.account} already follows {args.group}")
    group, handle = await group_action(
        settings,
        args.group,
        actions.settle_follower,
        args.account,
        actions.accept_follower,
        already,
    )
    print(f"{handle} now follows {group.name}")
    return 0


async def reject(args: argparse.Namespace, settings: Settings) -> int:
    """Refuse a pending follow request."""
    already = CliError(
        f"{args.account} already follows {args.group}; "
        f"use: mutuals remove-follower {args.group} {args.account}"
    )
    _group, handle = await group_action(
        settings,
        args.group,
        actions.settle_follower,
        args.account,
        actions.reject_follower,
        already,
    )
    print(f"rejected the follow request of {handle}")
    return 0


async def remove_follower(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a follower (their server is told with a Reject)."""
    group, handle = await group_action(
        settings, args.group, actions.settle_follower, args.account, actions.remove_follower, None
    )
    print(f"{handle} no longer follows {group.name}")
    return 0


def register(commands: Any) -> None:
    """Add the follow commands to the parser."""
    account_help = "user@host or actor URL"
    for name, handler, text in (
        ("follow", follow, "follow an account or group"),
        ("unfollow", unfollow, "stop following an account or group"),
        ("approve", approve, "accept a pending follow request"),
        ("reject", reject, "refuse a pending follow request"),
        ("remove-follower", remove_follower, "remove a follower"),
    ):
        parser = add_command(commands, name, handler, text)
        parser.add_argument("group", help="the local group's name")
        parser.add_argument("account", help=account_help)
    parser = add_command(commands, "following", following, "list whom a group follows")
    parser.add_argument("group")
    parser = add_command(commands, "followers", followers, "list a group's followers")
    parser.add_argument("group")
    parser.add_argument("--pending", action="store_true", help="list requests awaiting approval")
