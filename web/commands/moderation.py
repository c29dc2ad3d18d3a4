"""``mutuals block|unblock|blocks``, ``mutuals domain …``; ``mutuals report|reports`` (in
``web.commands.reports``)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.remote import find_actor
from moderation.blocks import block_account, blocked_accounts, unblock_account
from moderation.checks import normalize_domain
from moderation.domains import (
    allow_domain,
    block_domain,
    disallow_domain,
    domain_rules,
    rule_notes,
    unblock_domain,
)
from moderation.targets import known_actor, remote_account_id
from web.commands.base import (
    CliError,
    Handler,
    add_command,
    group_session,
    instance_action,
    print_lines,
)
from web.commands.blocklists import register_lists
from web.commands.reports import register_reports
from web.runtime import open_context
from web.settings import Settings


async def block(args: argparse.Namespace, settings: Settings) -> int:
    """Block an account for a group: follows both ways removed, ``Block`` sent."""
    async with group_session(settings, args.group) as (ctx, session, group):
        actor_id = await remote_account_id(ctx, args.account)
        actor, why = await known_actor(ctx, session, actor_id)
        outcome = await block_account(ctx, session, group, actor_id, actor)
        await session.commit()
    if not outcome.created:
        print(f"{actor_id} is already blocked by {group.name}")
        return 0
    print(f"{group.name} blocks {actor_id}; removed {outcome.follows_removed} follow(s)")
    if not outcome.sent:
        print(f"no Block sent: {why}")
    return 0


async def unblock(args: argparse.Namespace, settings: Settings) -> int:
    """Lift a group's block on an account (sending ``Undo`` of the ``Block``)."""
    async with group_session(settings, args.group) as (ctx, session, group):
        actor_id = await remote_account_id(ctx, args.account)
        actor = await find_actor(session, actor_id)
        if not await unblock_account(ctx, session, group, actor_id, actor):
            raise CliError(f"{actor_id} is not blocked by {group.name}")
        await session.commit()
    print(f"{group.name} no longer blocks {actor_id}")
    return 0


async def blocks(args: argparse.Namespace, settings: Settings) -> int:
    """List the accounts a group blocks."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await blocked_accounts(session, group.id)
    lines = [f"{row.actor_ap_id}\t{row.created_at.isoformat(timespec='seconds')}" for row in rows]
    print_lines(lines, f"{group.name} blocks nobody")
    return 0


async def domain_block(args: argparse.Namespace, settings: Settings) -> int:
    """Suspend a domain, or limit it with ``--silence`` / ``--reject-media``; ``--reason``
    says why, ``--public`` publishes it (with its reason) at ``/blocklist.json``."""
    rule = await instance_action(
        settings,
        block_domain,
        args.domain,
        silence=args.silence,
        reject_media=args.reject_media,
        reason=args.reason,
        public=args.public,
    )
    if rule.suspend:
        print(f"blocked {rule.domain} and its subdomains: nothing is received from or sent to it")
    else:
        limits = [
            name
            for name, on in (("silenced", rule.silence), ("media rejected", rule.reject_media))
            if on
        ]
        print(f"limited {rule.domain} and its subdomains: {', '.join(limits)}")
    return 0


async def _drop_rule(
    settings: Settings,
    drop: Callable[[AsyncSession, str], Awaitable[bool]],
    domain: str,
    missing: str,
) -> str:
    """Remove ``domain``'s rule with ``drop``; the normalized name.

    When there was no rule, CliError says "NAME ``missing``".
    """
    dropped = await instance_action(settings, drop, domain)
    name = normalize_domain(domain)
    if not dropped:
        raise CliError(f"{name} {missing}")
    return name


async def domain_unblock(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a domain's block."""
    name = await _drop_rule(settings, unblock_domain, args.domain, "is not blocked")
    print(f"unblocked {name}")
    return 0


async def domain_allow(args: argparse.Namespace, settings: Settings) -> int:
    """Add a domain to the allowlist (used when ``MUTUALS_FEDERATION=allowlist``)."""
    added = await instance_action(settings, allow_domain, args.domain)
    name = normalize_domain(args.domain)
    print(f"allowed {name}" if added else f"{name} is already allowed")
    if settings.federation != "allowlist":
        print("note: MUTUALS_FEDERATION is 'open'; the allowlist applies only in allowlist mode")
    return 0


async def domain_disallow(args: argparse.Namespace, settings: Settings) -> int:
    """Take a domain off the allowlist."""
    name = await _drop_rule(settings, disallow_domain, args.domain, "is not on the allowlist")
    print(f"{name} is no longer allowed")
    return 0


async def domain_list(args: argparse.Namespace, settings: Settings) -> int:
    """Show the domain rules and the federation mode."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        rules, allowed = await domain_rules(session)
        notes = await rule_notes(session)
    print(f"federation: {settings.federation}")
    for rule in rules:
        kind = "blocked" if rule.suspend else "limited"
        extra = [
            n for n, on in (("silence", rule.silence), ("reject-media", rule.reject_media)) if on
        ]
        shown = [kind, rule.domain, ",".join(extra)] if extra else [kind, rule.domain]
        note = notes.get(rule.domain)
        if note is not None and note.source:
            shown.append(f"from {note.source}")
        elif note is not None and note.public:
            shown.append("public")
        if note is not None and note.reason:
            shown.append(repr(note.reason))
        print("\t".join(shown))
    for domain in allowed:
        print(f"allowed\t{domain}")
    return 0


def _account_command(commands: Any, name: str, handler: Handler, text: str) -> None:
    parser = add_command(commands, name, handler, text)
    parser.add_argument("group")
    parser.add_argument("account", help="user@host or the account's URL")


def _register_domain(commands: Any) -> None:
    domain = commands.add_parser(
        "domain", help="instance-wide domain blocks, allowlist and shared blocklists"
    )
    sub = domain.add_subparsers(dest="domain_command", required=True, metavar="ACTION")
    block_parser = add_command(sub, "block", domain_block, "block a domain and its subdomains")
    block_parser.add_argument("domain")
    block_parser.add_argument(
        "--silence", action="store_true", help="limit instead: keep its content out of public view"
    )
    block_parser.add_argument(
        "--reject-media", action="store_true", help="limit instead: never fetch its media"
    )
    block_parser.add_argument("--reason", help="why, shown where the rule is published")
    block_parser.add_argument(
        "--public", action="store_true", help="publish it, with its reason, at /blocklist.json"
    )
    for name, handler, text in (
        ("unblock", domain_unblock, "remove a domain block"),
        ("allow", domain_allow, "allow a domain (allowlist mode)"),
        ("disallow", domain_disallow, "take a domain off the allowlist"),
    ):
        add_command(sub, name, handler, text).add_argument("domain")
    add_command(sub, "list", domain_list, "show domain rules and the federation mode")
    register_lists(sub)


def register(commands: Any) -> None:
    """Add the moderation commands to the parser."""
    _account_command(commands, "block", block, "block an account for a group")
    _account_command(commands, "unblock", unblock, "lift a group's block on an account")
    add_command(commands, "blocks", blocks, "list the accounts a group blocks").add_argument(
        "group"
    )
    _register_domain(commands)
    register_reports(commands)
