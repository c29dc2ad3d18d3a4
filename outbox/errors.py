"""The error outbox actions raise when a request cannot be carried out."""

from __future__ import annotations


class OutboxError(ValueError):
    """An action was refused (unknown post, not following…); the message says why."""
