"""The moderation rules, cached per process: one snapshot of blocks and domain rules per database.

The checks (``moderation.checks``) read this snapshot instead of querying on every
request: a commit of this process that changes a rule drops it at once, and it is
re-read after `RULES_TTL` seconds anyway, so a rule changed by another process (the
``mutuals`` command line) applies here within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from federation.origin import parent_domains
from moderation.models import Block, DomainAllow, DomainBlock
from store.commit_watch import ALL, has_uncommitted_changes, watch_commits
from store.db import database_key

RULES_TTL = 5.0
"""Seconds a snapshot of the rules is trusted. A commit of this process that changes a
rule drops it at once; this bounds how long a rule changed by another process (the
``mutuals`` command line, another web process or worker) takes to apply here."""


MAX_DECISIONS = 10_000


_RULE_MODELS = (Block, DomainAllow, DomainBlock)


_CHANGED = "moderation_rules_changed"


@dataclass(frozen=True)
class Rules:
    """Every moderation rule at one moment: what the checks need, without a query."""

    suspend: dict[str, bool]
    """Every domain rule: domain → whether it suspends (else it only limits)."""
    allowed: frozenset[str]
    blocks: frozenset[tuple[int, str]]
    """(group id, account id) of every account block."""

    _decided: dict[tuple[str, str], str | None] = field(default_factory=dict, compare=False)

    def domain_refused(self, mode: str, domain: str) -> str | None:
        """`domain_refused` for a normalised domain (each answer kept with the snapshot)."""
        try:
            return self._decided[mode, domain]
        except KeyError:
            pass
        if len(self._decided) >= MAX_DECISIONS:
            self._decided.clear()
        reason = self._decided[mode, domain] = self._decide(mode, domain)
        return reason

    def _decide(self, mode: str, domain: str) -> str | None:
        # The most specific rule decides; a block beats the allowlist.
        candidates = parent_domains(domain)
        rule = next((name for name in candidates if name in self.suspend), None)
        if rule is not None and self.suspend[rule]:
            return f"the domain {rule} is blocked"
        if mode == "allowlist" and not any(name in self.allowed for name in candidates):
            return f"this instance federates only with listed domains, and {domain} is not one"
        return None


async def load_rules(session: AsyncSession) -> Rules:
    """Every rule, read from the database (three small tables)."""
    suspend = await session.execute(select(DomainBlock.domain, DomainBlock.suspend))
    allowed = await session.execute(select(DomainAllow.domain))
    blocks = await session.execute(select(Block.group_id, Block.actor_ap_id))
    return Rules(
        suspend={domain: bool(flag) for domain, flag in suspend.all()},
        allowed=frozenset(allowed.scalars()),
        blocks=frozenset((group_id, actor) for group_id, actor in blocks.all()),
    )


class RuleCache:
    """One `Rules` snapshot per database, valid until a rule changes or `RULES_TTL` passes
    (then served on while one request reloads it).

    ``generation`` counts the commits of this process (any session, any engine) that
    changed a rule; a snapshot taken under an older generation is stale. A session that
    has changed rules itself but not committed reads them from the database, so it sees
    its own changes.
    """

    generation = 0
    clock: Callable[[], float] = time.monotonic
    _snapshots: ClassVar[dict[object, tuple[float, int, Rules]]] = {}
    _reloading: ClassVar[set[object]] = set()

    @classmethod
    async def get(cls, session: AsyncSession) -> Rules:
        """The rules as ``session`` should see them."""
        sync = session.sync_session
        if _changes_rules(sync):
            return await load_rules(session)
        database = database_key(session)
        entry = cls._snapshots.get(database)
        # A snapshot only outlived by time is still served while another request reloads
        # it, rather than every request arriving meanwhile querying the same rules.
        if (
            entry is not None
            and entry[1] == cls.generation
            and (cls.clock() < entry[0] or database in cls._reloading)
        ):
            return entry[2]
        generation = cls.generation
        cls._reloading.add(database)
        try:
            rules = await load_rules(session)
        finally:
            cls._reloading.discard(database)
        # A rule committed while loading made this snapshot stale already: not kept.
        if generation == cls.generation:
            cls._snapshots[database] = (cls.clock() + RULES_TTL, generation, rules)
        return rules

    @classmethod
    def clear(cls) -> None:
        """Forget every snapshot (the next check reads the database)."""
        cls._snapshots.clear()


async def current_rules(session: AsyncSession) -> Rules:
    """The moderation rules, from the per-process cache (`RuleCache`)."""
    return await RuleCache.get(session)


def _changes_rules(session: Session) -> bool:
    return has_uncommitted_changes(session, _RULE_MODELS, _CHANGED)


def _rules_committed(_keys: set[str]) -> None:
    RuleCache.generation += 1


watch_commits(_RULE_MODELS, key=lambda _obj: ALL, on_commit=_rules_committed, tag=_CHANGED)
