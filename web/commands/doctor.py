"""``mutuals doctor``: check the set-up from this server, one line a check, with fixes."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from web.commands.base import add_command
from web.doctor import run_checks
from web.settings import Settings, SettingsError, load_settings


async def doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Print every check's line (and a failure's fix); 1 when any failed."""
    results = await run_checks(settings)
    for result in results:
        print("\n".join(result.lines()))
    failed = [result.name for result in results if not result.ok and not result.skipped]
    print(f"{len(failed)} check(s) failed: {', '.join(failed)}" if failed else "all checks passed")
    return 1 if failed else 0


def load_unchecked() -> Settings:
    """The settings as configured, even those `Settings.validate` refuses: doctor names them.

    Development mode refuses far less (an http:// base URL, no secret key), so when the
    real settings are refused they are loaded as in development mode, then given back
    their real mode and base URL. Anything development mode refuses too is raised.
    """
    try:
        return load_settings()
    except SettingsError:
        relaxed = load_settings({**os.environ, "MUTUALS_DEV": "1"})
    values: dict[str, str | None] = dict(dotenv_values(".env")) if Path(".env").is_file() else {}
    values.update(os.environ)
    base_url = (values.get("MUTUALS_BASE_URL") or "").rstrip("/")
    return dataclasses.replace(relaxed, dev=False, base_url=base_url)


def register(commands: Any) -> None:
    """Add ``doctor`` to the parser."""
    parser = add_command(
        commands, "doctor", doctor, "check the base URL, database, workers, public URL and clock"
    )
    parser.set_defaults(load_settings=load_unchecked)
