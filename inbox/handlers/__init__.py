"""One module per activity type; importing this package registers them all in ``HANDLERS``."""

# Imported for their @handles registrations.
from inbox.handlers import (  # noqa: F401
    accept,
    announce,
    create,
    delete,
    flag,
    follow,
    move,
    reject,
    rsvp,
    undo,
    update,
)
from inbox.registry import HANDLERS

__all__ = ["HANDLERS"]
