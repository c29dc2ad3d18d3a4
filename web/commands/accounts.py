"""``mutuals account …``: the people who run groups here, their roles and their links."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import links, roles
from accounts.accounts import create_account, get_account, list_accounts
from accounts.audit import COMMAND_LINE
from actors.groups import get_group, list_groups
from actors.instance import Context
from actors.models import Group
from posts import contacts
from web.commands.base import (
    CliError,
    add_command,
    context_action,
    group_action,
    instance_action,
    print_lines,
)
from web.settings import Settings


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for a password: pass it with --password-stdin")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise CliError("the two passwords differ: run the command again")
    return first


async def account_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create an account with a password (typed twice, or from standard input)."""
    password = read_password(args.password_stdin)
    account = await instance_action(
        settings, create_account, args.username, password, by=COMMAND_LINE, admin=args.admin
    )
    kind = "instance admin" if account.admin else "account"
    print(f"created {kind} {account.username}; sign in at {settings.base_url}/login")
    return 0


async def _list(session: AsyncSession) -> list[str]:
    names = {group.id: group.name for group in await list_groups(session)}
    lines = []
    for account in await list_accounts(session):
        held = await roles.groups_of(session, account)
        where = ", ".join(
            f"{names[group_id]}: {'+'.join(sorted(kinds))}" for group_id, kinds in held.items()
        )
        flags = [
            flag for flag, on in (("admin", account.admin), ("disabled", account.disabled)) if on
        ]
        lines.append("\t".join([account.username, " ".join(flags) or "-", where or "-"]))
    return lines


async def account_list(args: argparse.Namespace, settings: Settings) -> int:
    """List accounts: name, flags (admin, disabled), roles per group."""
    print_lines(
        await instance_action(settings, _list), "no accounts yet: mutuals account create NAME"
    )
    return 0


async def _reset(session: AsyncSession, username: str) -> str:
    return await links.reset_link(session, await get_account(session, username), by=COMMAND_LINE)


async def account_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time link where the account's owner chooses a new password."""
    token = await instance_action(settings, _reset, args.username)
    hours = int(links.RESET_VALID.total_seconds() // 3600)
    print(f"{settings.base_url}/reset/{token}")
    print(f"(valid {hours} hours, once; give it to {args.username} privately)", file=sys.stderr)
    return 0


async def _disable(session: AsyncSession, ctx: Context, username: str) -> None:
    await contacts.disable(session, ctx, await get_account(session, username), by=COMMAND_LINE)


async def account_disable(args: argparse.Namespace, settings: Settings) -> int:
    """Stop an account from signing in, and sign it out everywhere."""
    await context_action(settings, _disable, args.username)
    print(f"disabled {args.username}; it is signed out everywhere")
    return 0


async def _invite(session: AsyncSession, group_name: str, role: str) -> str:
    return await links.invite(session, await get_group(session, group_name), role, by=COMMAND_LINE)


async def account_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time link where a new person picks a username and password."""
    token = await instance_action(settings, _invite, args.group, args.role)
    days = links.INVITE_VALID.days
    print(f"{settings.base_url}/invite/{token}")
    print(f"(joins {args.group} as {args.role}; valid {days} days, once)", file=sys.stderr)
    return 0


async def _change_role(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    username: str,
    role: str,
    *,
    take: bool,
    handle: str | None,
) -> None:
    account = await get_account(session, username)
    await contacts.change_role(
        session, ctx, group, account, role, by=COMMAND_LINE, take=take, handle=handle
    )


async def account_grant(args: argparse.Namespace, settings: Settings) -> int:
    """Give an account a role in a group."""
    await group_action(
        settings, args.group, _change_role, args.username, args.role, take=False, handle=args.handle
    )
    print(f"{args.username} is now {args.role} of {args.group}")
    return 0


async def account_revoke(args: argparse.Namespace, settings: Settings) -> int:
    """Take a role in a group from an account."""
    await group_action(
        settings, args.group, _change_role, args.username, args.role, take=True, handle=None
    )
    print(f"{args.username} is no longer {args.role} of {args.group}")
    return 0


def register(commands: Any) -> None:
    """Add ``account`` and its sub-commands to the parser."""
    parser = commands.add_parser("account", help="people who run groups: accounts and roles")
    sub = parser.add_subparsers(dest="account_command", required=True, metavar="ACTION")
    create = add_command(sub, "create", account_create, "create an account")
    create.add_argument("username")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.add_argument("--admin", action="store_true", help="an instance admin")
    add_command(sub, "list", account_list, "list accounts and their roles")
    reset = add_command(sub, "reset-password", account_reset_password, "print a reset link")
    reset.add_argument("username")
    disable = add_command(sub, "disable", account_disable, "stop an account from signing in")
    disable.add_argument("username")
    invite = add_command(sub, "invite", account_invite, "print an invitation link to a group")
    invite.add_argument("group")
    invite.add_argument("--role", required=True, choices=roles.ROLES)
    for name, handler, help_text in (
        ("grant", account_grant, "give an account a role in a group"),
        ("revoke", account_revoke, "take a role in a group from an account"),
    ):
        change = add_command(sub, name, handler, help_text)
        change.add_argument("username")
        change.add_argument("group")
        change.add_argument("role", choices=roles.ROLES)
        if name == "grant":
            change.add_argument(
                "--handle", help="a liaison's own fediverse handle, shown on the group's profile"
            )
