"""``mutuals queue``: what the inbox, fan-out and delivery queues hold; re-queue failures."""

from __future__ import annotations

import argparse
from typing import Any

from web.commands.base import add_command
from web.queues import COLUMNS, overview, retry_failed
from web.runtime import open_context
from web.settings import Settings


async def queue_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print each queue's counts, then the paused and unavailable hosts."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        shown = await overview(session)
    print(f"{'queue':<10}" + "".join(f"{name.replace('_', '-'):>11}" for name in COLUMNS))
    for counted in shown.queues:
        line = "".join(f"{counted.counts[column]:>11}" for column in COLUMNS)
        print(f"{counted.name:<10}{line}   ({counted.done} done)")
    print(f"hosts: {shown.hosts['paused']} paused, {shown.hosts['unavailable']} unavailable")
    for host in shown.paused:
        print(f"  paused: {host.host} until {host.when:%Y-%m-%d %H:%M} UTC")
    for host in shown.unavailable:
        print(f"  unavailable: {host.host} since {host.when:%Y-%m-%d %H:%M} UTC")
    return 0


async def queue_retry(args: argparse.Namespace, settings: Settings) -> int:
    """Put failed rows back in their queues (and, with ``--hosts``, unavailable hosts back)."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        retried = await retry_failed(session, hosts=args.hosts)
        await session.commit()
    for name, count in retried.rows.items():
        print(f"{name}: {count} failed re-queued")
    if retried.hosts is not None:
        print(f"hosts: {retried.hosts} marked available")
    return 0


def register(commands: Any) -> None:
    """Add ``queue`` and ``queue retry`` to the parser."""
    parser = add_command(commands, "queue", queue_show, "show the queues")
    sub = parser.add_subparsers(dest="queue_command", metavar="SUBCOMMAND")
    retry = add_command(sub, "retry", queue_retry, "re-queue failed inbox items and deliveries")
    retry.add_argument(
        "--hosts", action="store_true", help="also mark every unavailable host available"
    )
