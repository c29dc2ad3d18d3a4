"""``mutuals follow``, ``unfollow``, ``following``, ``followers``, ``approve``, ``reject``,
``remove-follower``: a group's follow relationships from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from documents.errors import UserError
from follows import actions, queries
from web.commands.base import add_command, group_session
from web.settings import Settings


async def follow(args: argparse.Namespace, settings: Settings) -> int:
    """Ask to follow an account or group (WebFinger handle or actor URL)."""
    async with group_session(settings, args.group) as (ctx, session, group):
        following = await actions.follow(session, ctx, group, args.account)
        await session.commit()
        print(f"{group.name} asked to follow {following.actor.handle}; pending until accepted")
    return 0


async def unfollow(args: argparse.Namespace, settings: Settings) -> int:
    """Stop following an account or group."""
    async with group_session(settings, args.group) as (ctx, session, group):
        actor = await actions.unfollow(session, ctx, group, args.account)
        await session.commit()
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
        if not rows:
            empty = "no pending follow requests" if args.pending else "no followers yet"
            print(f"{group.name}: {empty}")
        for row in rows:
            print(f"{row.actor.handle}\t{row.actor.ap_id}")
    return 0


async def approve(args: argparse.Namespace, settings: Settings) -> int:
    """Accept a pending follow request."""
    async with group_session(settings, args.group) as (ctx, session, group):
        follower = await actions.find_follower(session, ctx, group, args.account)
        if follower.accepted:
            raise UserError(f"{args.account} already follows {group.name}")
        await actions.accept_follower(session, ctx, group, follower)
        await session.commit()
        print(f"{follower.actor.handle} now follows {group.name}")
    return 0


async def reject(args: argparse.Namespace, settings: Settings) -> int:
    """Refuse a pending follow request."""
    async with group_session(settings, args.group) as (ctx, session, group):
        follower = await actions.find_follower(session, ctx, group, args.account)
        if follower.accepted:
            raise UserError(
                f"{args.account} already follows {group.name}; "
                f"use: mutuals remove-follower {group.name} {args.account}"
            )
        handle = follower.actor.handle
        await actions.reject_follower(session, ctx, group, follower)
        await session.commit()
        print(f"rejected the follow request of {handle}")
    return 0


async def remove_follower(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a follower (their server is told with a Reject)."""
    async with group_session(settings, args.group) as (ctx, session, group):
        follower = await actions.find_follower(session, ctx, group, args.account)
        handle = follower.actor.handle
        await actions.remove_follower(session, ctx, group, follower)
        await session.commit()
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
