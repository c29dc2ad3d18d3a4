"""``mutuals domain subscribe|unsubscribe|subscriptions|import|export``: shared blocklists."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from moderation.blocklist_format import render_csv
from moderation.subscriptions import (
    import_list,
    list_subscriptions,
    own_rules,
    subscribe,
    unsubscribe,
)
from web.commands.base import CliError, add_command, context_action, instance_action
from web.runtime import open_context
from web.settings import Settings


async def domain_subscribe(args: argparse.Namespace, settings: Settings) -> int:
    """Follow an ally's blocklist (read now, then hourly by the worker)."""
    async with open_context(settings) as ctx:
        outcome = await subscribe(ctx, args.url, limit_only=args.limit_only)
    how = " (its suspensions as limits)" if args.limit_only else ""
    print(f"subscribed to {outcome.url}{how}; {outcome.rules} rule(s) in force")
    if outcome.error:
        print(f"the read was refused: {outcome.error}")
    return 0


async def domain_unsubscribe(args: argparse.Namespace, settings: Settings) -> int:
    """Stop following a blocklist: the rules only it brought are removed."""
    if not await instance_action(settings, unsubscribe, args.url):
        raise CliError(f"not subscribed to {args.url}")
    print(f"unsubscribed from {args.url}")
    return 0


async def domain_subscriptions(_args: argparse.Namespace, settings: Settings) -> int:
    """List the blocklists followed: rules, last read, last good copy, last error."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        states = await list_subscriptions(session)
    if not states:
        print("no blocklist subscriptions")
    for state in states:
        row = state.subscription
        fields = [
            row.url,
            f"{state.rules} rule(s)" + (" as limits" if row.limit_only else ""),
            "read " + (row.read_at.isoformat(timespec="seconds") if row.read_at else "never"),
        ]
        if row.good_at:
            fields.append("good copy of " + row.good_at.isoformat(timespec="seconds"))
        fields.append(f"error: {row.error}" if row.error else "ok")
        print("\t".join(fields))
    return 0


async def domain_import(args: argparse.Namespace, settings: Settings) -> int:
    """Make the rules of a Mastodon domain-block CSV file this instance's own."""
    path = Path(args.file)
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    added, kept = await context_action(settings, import_list, body, public=args.public)
    print(f"imported {added} rule(s) from {path}; kept {kept} existing rule(s) made here")
    return 0


async def domain_export(_args: argparse.Namespace, settings: Settings) -> int:
    """Print every domain rule made here as Mastodon's domain-block CSV."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        rules = await own_rules(session, published=False)
    sys.stdout.write(render_csv(rules))
    return 0


def register_lists(sub: Any) -> None:
    """Add the shared-blocklist actions under ``mutuals domain``."""
    parser = add_command(sub, "subscribe", domain_subscribe, "follow an ally's blocklist")
    parser.add_argument("url", help="the list's URL (…/blocklist.csv or .json)")
    parser.add_argument(
        "--limit-only", action="store_true", help="apply its suspensions as limits (silence)"
    )
    add_command(sub, "unsubscribe", domain_unsubscribe, "stop following a blocklist").add_argument(
        "url"
    )
    add_command(sub, "subscriptions", domain_subscriptions, "list the blocklists followed")
    parser = add_command(sub, "import", domain_import, "import a Mastodon domain-block CSV")
    parser.add_argument("file")
    parser.add_argument(
        "--public", action="store_true", help="publish the imported rules that have a reason"
    )
    add_command(sub, "export", domain_export, "print the rules made here as Mastodon's CSV")
