"""A per-process cache of signers: key id → (actor, parsed public key).

Entries are dropped when a commit of this process changes their actor, and expire
after `KEY_TTL` otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import RemoteActor
from federation.httpsig import PublicKey
from store.commit_watch import ALL, watch_commits
from store.db import database_key


@dataclass(frozen=True)
class Signer:
    """The owner of a key id, and the key parsed (None when missing or unusable)."""

    ap_id: str
    domain: str
    key_id: str
    public_key_pem: str | None
    public_key: PublicKey | None


KEY_TTL = 300.0
"""Seconds a cached key is trusted. A commit of this process that changes the actor
drops it at once; a key changed by another process is re-fetched here as soon as a
signature fails with the cached one, and a revoked key is believed at most this long."""

_ACTORS_CHANGED = "remote_actors_changed"


class KeyCache:
    """Signers by (database, key id), dropped when a commit changes their actor row.

    ``generation`` counts commits of this process that changed remote actors: a lookup
    that started before one is not stored, since it may have read the row before it.
    """

    generation = 0
    clock: Callable[[], float] = time.monotonic
    max_entries = 10_000
    _entries: ClassVar[dict[tuple[object, str], tuple[float, Signer]]] = {}

    @staticmethod
    def database(session: AsyncSession) -> object:
        """What tells the databases apart (`store.db.database_key`)."""
        return database_key(session)

    @classmethod
    def get(cls, session: AsyncSession, key_id: str) -> Signer | None:
        """The cached signer of ``key_id``, or None when absent or expired."""
        key = (cls.database(session), key_id)
        entry = cls._entries.get(key)
        if entry is None:
            return None
        if cls.clock() >= entry[0]:
            del cls._entries[key]
            return None
        return entry[1]

    @classmethod
    def put(cls, database: object, signer: Signer, generation: int) -> None:
        """Keep ``signer`` unless an actor changed since ``generation`` was read."""
        if generation != cls.generation:
            return
        if len(cls._entries) >= cls.max_entries:
            cls._entries.clear()
        cls._entries[database, signer.key_id] = (cls.clock() + KEY_TTL, signer)

    @classmethod
    def drop(cls, actors: set[str]) -> None:
        """Forget the keys of these actor ids (every key for `ALL`)."""
        cls.generation += 1
        if ALL in actors:
            cls._entries.clear()
            return
        for key, (_, signer) in list(cls._entries.items()):
            if signer.ap_id in actors:
                del cls._entries[key]


def _actor_id(actor: RemoteActor) -> str:
    return actor.ap_id


watch_commits((RemoteActor,), key=_actor_id, on_commit=KeyCache.drop, tag=_ACTORS_CHANGED)
