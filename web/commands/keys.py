"""``mutuals instance rotate-key``: a new key pair for the instance actor."""

from __future__ import annotations

import argparse
from typing import Any

from actors.rotation import rotate_instance_key
from web.commands.base import add_command, instance_action
from web.settings import Settings


async def instance_rotate_key(_args: argparse.Namespace, settings: Settings) -> int:
    """Replace the instance actor's key; running processes need a restart to use it."""
    await instance_action(settings, rotate_instance_key)
    print(
        "the instance actor has a new key: restart 'mutuals serve' and 'mutuals worker' "
        "so they sign with it; peers fetch it again when they see the new signature"
    )
    return 0


def register(commands: Any) -> None:
    """Add ``instance`` and its sub-commands to the parser."""
    parser = commands.add_parser("instance", help="manage the instance actor")
    sub = parser.add_subparsers(dest="instance_command", required=True, metavar="ACTION")
    add_command(sub, "rotate-key", instance_rotate_key, "give the instance actor a new key")
