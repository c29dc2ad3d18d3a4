"""Short-lived, per-process caches of what is served for local groups.

A group's actor document and WebFinger answer change only when the group does, yet
peers fetch them all the time; building them took a database round trip per request
(benchmarks/README.md). Public pages and outbox pages change with what groups publish
and receive. Each cache watches a `Topic`: its entries are dropped as soon as a session
of this process commits a change to a row of one of the topic's models (`WATCHED`),
and expire after `TTL` seconds anyway, which bounds how long a change committed by
another process (a ``mutuals worker``, the command line, another web process) takes to
be served.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, Literal

from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.requests import Request

from accounts.models import Role
from actors.models import Follower, Following, Group
from forum.models import Message
from inbox.models import RemoteObject
from moderation.models import DomainAllow, DomainBlock
from posts.models import Post
from sharing.distribution_models import DistributionCriteria
from sharing.models import Event, Offer, Poll, RemoteEvent, RemoteOffer, Response, Rsvp, Vote

TTL = 5.0
MAX_ENTRIES = 10_000

Topic = Literal["groups", "content"]
WATCHED: dict[Topic, tuple[type[Any], ...]] = {
    # Actor documents and WebFinger answers: the group rows alone.
    "groups": (Group,),
    # Public pages and the outbox: everything they show.
    "content": (
        Group,
        Role,
        Follower,
        Following,
        Post,
        Offer,
        Event,
        Rsvp,
        Poll,
        Vote,
        Response,
        Message,
        RemoteObject,
        RemoteOffer,
        RemoteEvent,
        DistributionCriteria,
        # The directory leaves blocked and silenced domains out (sharing.directory).
        DomainBlock,
        DomainAllow,
    ),
}


class _Writes:
    """Counts commits that changed rows of each `Topic`, in any session of this process."""

    generation: ClassVar[dict[Topic, int]] = {"groups": 0, "content": 0}

    @staticmethod
    def after_flush(session: Session, _context: Any) -> None:
        touched = (*session.new, *session.dirty, *session.deleted)
        changed = session.info.setdefault("topics_changed", set())
        for topic, models in WATCHED.items():
            if any(isinstance(obj, models) for obj in touched):
                changed.add(topic)

    @classmethod
    def after_commit(cls, session: Session) -> None:
        # Counted at commit, not at flush: a reader that loads the old row between the
        # two stores it under the old generation, which this makes stale.
        for topic in session.info.pop("topics_changed", ()):
            cls.generation[topic] += 1

    @staticmethod
    def after_rollback(session: Session) -> None:
        session.info.pop("topics_changed", None)


event.listen(Session, "after_flush", _Writes.after_flush)
event.listen(Session, "after_commit", _Writes.after_commit)
event.listen(
    Session, "after_soft_rollback", lambda session, _previous: _Writes.after_rollback(session)
)


class DocumentCache:
    """Values by key, valid until a row of its topic changes or `TTL` seconds pass."""

    def __init__(
        self,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
        topic: Topic = "groups",
    ) -> None:
        self._topic = topic
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, int, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        """The cached value, or None when absent or stale."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, generation, value = entry
        if generation != _Writes.generation[self._topic] or self._clock() > expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` (the whole cache is emptied rather than grow past `MAX_ENTRIES`)."""
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        generation = _Writes.generation[self._topic]
        self._entries[key] = (self._clock() + self._ttl, generation, value)


def documents(request: Request) -> DocumentCache:
    """The cache of actor documents and WebFinger answers of the app serving ``request``."""
    cache: DocumentCache | None = getattr(request.app.state, "documents", None)
    if cache is None:
        cache = request.app.state.documents = DocumentCache()
    return cache


def pages(request: Request) -> DocumentCache:
    """The cache of public pages and outbox pages of the app serving ``request``."""
    cache: DocumentCache | None = getattr(request.app.state, "pages", None)
    if cache is None:
        cache = request.app.state.pages = DocumentCache(topic="content")
    return cache
