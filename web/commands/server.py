"""``mutuals migrate``, ``serve`` and ``worker``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

import uvicorn

from web.app import create_app, freeze_startup_objects
from web.commands.base import add_command
from web.logs import configure_logging
from web.migrate import require_current_schema, upgrade
from web.runtime import open_context
from web.settings import Settings
from web.workers import running_workers

log = logging.getLogger("mutuals.worker")


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Bring the database schema up to date (never back from a newer version's)."""
    await require_current_schema(settings.database_url, allow_older=True)
    await upgrade(settings.database_url)
    print("database is up to date")
    return 0


async def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the web application (and, when MUTUALS_RUN_WORKERS is on, the workers).

    The command line has checked the schema is current before this runs.
    """
    configure_logging(settings.log_level, settings.log_format)
    config = uvicorn.Config(
        create_app(settings),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        # Only these proxies' X-Forwarded-For is believed (uvicorn would otherwise read
        # FORWARDED_ALLOW_IPS): the inbox rate limit keys on the address it yields.
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # Uvicorn's loggers go through ours (configure_logging), level and format included.
        log_config=None,
        log_level=None,
    )
    freeze_startup_objects()
    await uvicorn.Server(config).serve()
    return 0


async def worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the inbox and delivery workers until SIGTERM or SIGINT."""
    configure_logging(settings.log_level, settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with open_context(settings) as ctx, running_workers(ctx, enabled=True):
        log.info("worker running; stop with Ctrl-C or SIGTERM")
        await stop.wait()
    return 0


def register(commands: Any) -> None:
    """Add these commands to the parser."""
    add_command(commands, "migrate", migrate, "apply database migrations")
    parser = add_command(commands, "serve", serve, "serve the instance over HTTP")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    add_command(commands, "worker", worker, "run the queue workers")
