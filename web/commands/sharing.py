"""What groups share, on the command line: offers and needs, events, polls.

One entry in ``web.cli.COMMAND_MODULES`` adds them all.
"""

from __future__ import annotations

from typing import Any

from web.commands import events, offers, polls


def register(commands: Any) -> None:
    """Add the offer, need, responses, board, event, attendees and poll commands."""
    for module in (offers, events, polls):
        module.register(commands)
