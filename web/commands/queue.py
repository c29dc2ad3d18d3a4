"""``mutuals queue``: what the inbox, fan-out and delivery queues hold; re-queue failures."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select, update

from inbox.models import InboxItem
from outbox.breaker import host_counts
from outbox.models import Delivery, DeliveryHost, FanOut
from store import queue
from store.db import utcnow
from store.queue import QueueRow
from web.commands.base import add_command
from web.runtime import open_context
from web.settings import Settings

QUEUES: dict[str, type[QueueRow]] = {"inbox": InboxItem, "fan-out": FanOut, "delivery": Delivery}
COLUMNS = ("pending", "in_flight", "retrying", "failed")


async def queue_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print each queue's counts, then the paused and unavailable hosts."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        print(f"{'queue':<10}" + "".join(f"{name.replace('_', '-'):>11}" for name in COLUMNS))
        for name, model in QUEUES.items():
            counts = await queue.counts(session, model)
            done = sum(v for k, v in counts.items() if k not in COLUMNS)
            line = "".join(f"{counts[column]:>11}" for column in COLUMNS)
            print(f"{name:<10}{line}   ({done} done)")
        hosts = await host_counts(session, utcnow())
        print(f"hosts: {hosts['paused']} paused, {hosts['unavailable']} unavailable")
        gone = await session.execute(
            select(DeliveryHost.host, DeliveryHost.unavailable_since)
            .where(DeliveryHost.unavailable.is_(True))
            .order_by(DeliveryHost.host)
        )
        for host, since in gone.all():
            print(f"  unavailable: {host} since {since:%Y-%m-%d %H:%M} UTC")
    return 0


async def queue_retry(args: argparse.Namespace, settings: Settings) -> int:
    """Put failed rows back in their queues (and, with ``--hosts``, unavailable hosts back)."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        for name, model in QUEUES.items():
            print(f"{name}: {await queue.retry_failed(session, model)} failed re-queued")
        if args.hosts:
            result = await session.execute(
                update(DeliveryHost)
                .where(DeliveryHost.unavailable.is_(True))
                .values(unavailable=False, failures=0, failure_days=0, paused_until=None)
            )
            print(f"hosts: {getattr(result, 'rowcount', 0)} marked available")
        await session.commit()
    return 0


def register(commands: Any) -> None:
    """Add ``queue`` and ``queue retry`` to the parser."""
    parser = add_command(commands, "queue", queue_show, "show the queues")
    sub = parser.add_subparsers(dest="queue_command", metavar="SUBCOMMAND")
    retry = add_command(sub, "retry", queue_retry, "re-queue failed inbox items and deliveries")
    retry.add_argument(
        "--hosts", action="store_true", help="also mark every unavailable host available"
    )
