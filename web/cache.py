"""A short-lived, per-process cache of the documents served for local groups.

A group's actor document and WebFinger answer change only when the group does, yet
peers fetch them all the time; building them took a database round trip per request
(benchmarks/README.md). Entries are dropped as soon as a session of this process
commits a change to any ``Group`` row, and expire after `TTL` seconds anyway, which
bounds how long a change committed by another process (the ``mutuals`` command line,
another web process) takes to be served.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.requests import Request

from actors.models import Group

TTL = 5.0
MAX_ENTRIES = 10_000


class _GroupWrites:
    """Counts commits that changed a group, in any session of this process."""

    generation = 0

    @staticmethod
    def after_flush(session: Session, _context: Any) -> None:
        touched = (*session.new, *session.dirty, *session.deleted)
        if any(isinstance(obj, Group) for obj in touched):
            session.info["groups_changed"] = True

    @classmethod
    def after_commit(cls, session: Session) -> None:
        # Counted at commit, not at flush: a reader that loads the old row between the
        # two stores it under the old generation, which this makes stale.
        if session.info.pop("groups_changed", False):
            cls.generation += 1


event.listen(Session, "after_flush", _GroupWrites.after_flush)
event.listen(Session, "after_commit", _GroupWrites.after_commit)


class DocumentCache:
    """Values by key, valid until a group changes or `TTL` seconds pass."""

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, int, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        """The cached value, or None when absent or stale."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, generation, value = entry
        if generation != _GroupWrites.generation or self._clock() > expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` (the whole cache is emptied rather than grow past `MAX_ENTRIES`)."""
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (self._clock() + self._ttl, _GroupWrites.generation, value)


def documents(request: Request) -> DocumentCache:
    """The cache of the app serving ``request``, made on first use."""
    cache: DocumentCache | None = getattr(request.app.state, "documents", None)
    if cache is None:
        cache = request.app.state.documents = DocumentCache()
    return cache
