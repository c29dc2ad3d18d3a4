"""Moderation rules and their checks: account blocks, domain rules, allies-only mode, reports.

The checks (``is_blocked``, ``domain_refused``, ``refusal``) are what the inbox and
the delivery worker ask before accepting or sending anything. Changing rules only
touches rows here; the activities a block sends (``Block``, ``Undo``, ``Flag``) are
the outbox's job (``moderation.actions``).

The checks read a per-process snapshot of the rules (`RuleCache`) instead of querying
on every request: a commit of this process that changes a rule drops it at once, and
it is re-read after `RULES_TTL` seconds anyway, so a rule changed by another process
(the ``mutuals`` command line) applies here within that time.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from actors.models import Follower, Following, RemoteActor
from federation.origin import OriginError, host_matches, host_of, normalize_host, parent_domains
from federation.vocab import as_list, get_id
from moderation.models import Block, DomainAllow, DomainBlock, Report
from store.commit_watch import ALL, has_uncommitted_changes, watch_commits
from store.db import database_key


class ModerationError(ValueError):
    """A moderation command cannot be carried out; the message says why."""


def normalize_domain(text: str) -> str:
    """A domain as the rules store it: normalised host, no scheme, path or port.

    Takes a bare host (``Example.org``, ``bücher.example``), ``host:port`` or a URL.
    """
    value = text.strip()
    if "://" not in value:
        try:
            return normalize_host(value)
        except OriginError:
            value = "https://" + value
    try:
        return host_of(value)
    except OriginError as exc:
        raise ModerationError(f"{text!r} is not a domain name") from exc


# --- checks ----------------------------------------------------------------------------


async def is_blocked(session: AsyncSession, group_id: int, actor_id: str) -> bool:
    """True when the group blocks the account ``actor_id``."""
    found = await session.execute(
        select(Block.id).where(Block.group_id == group_id, Block.actor_ap_id == actor_id)
    )
    return found.first() is not None


async def domain_rule(session: AsyncSession, host: str) -> DomainBlock | None:
    """The most specific domain block covering ``host`` (its own, else a parent's)."""
    candidates = parent_domains(normalize_domain(host))
    rows = (
        await session.execute(select(DomainBlock).where(DomainBlock.domain.in_(candidates)))
    ).scalars()
    return min(rows, key=lambda row: candidates.index(row.domain), default=None)


async def domain_refused(session: AsyncSession, mode: str, host: str) -> str | None:
    """Why nothing may be received from or sent to ``host``, or None when it may.

    ``host`` may carry a port or be a whole URL. Refused: a suspended domain and its
    subdomains; in ``allowlist`` mode, any domain not listed (nor a parent of it).
    Read from `current_rules` (cached per process), not queried each time.
    """
    return _domain_refused(await current_rules(session), mode, host)


async def refusal(
    session: AsyncSession, mode: str, actor_id: str, *, group_id: int | None = None
) -> str | None:
    """Why an activity by ``actor_id`` (to ``group_id``, if any) must be refused (403)."""
    rules = await current_rules(session)
    reason = _domain_refused(rules, mode, actor_id)
    if reason is None and group_id is not None and (group_id, actor_id) in rules.blocks:
        reason = "the group blocks this account"
    return reason


def _domain_refused(rules: Rules, mode: str, host: str) -> str | None:
    domain = _domain_of(host)
    if domain is None:
        return f"{host!r} is not a usable host"
    return rules.domain_refused(mode, domain)


@functools.lru_cache(maxsize=4096)
def _domain_of(host: str) -> str | None:
    """`normalize_domain`, remembered (it parses URLs and IDNA), or None when unusable."""
    try:
        return normalize_domain(host)
    except ModerationError:
        return None


# --- the rules, cached per process -----------------------------------------------------

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


# --- account blocks --------------------------------------------------------------------


async def add_block(session: AsyncSession, group_id: int, actor_id: str) -> Block | None:
    """Block ``actor_id`` for the group; None when it was already blocked."""
    if await is_blocked(session, group_id, actor_id):
        return None
    block = Block(group_id=group_id, actor_ap_id=actor_id)
    session.add(block)
    await session.flush()
    return block


async def remove_block(session: AsyncSession, group_id: int, actor_id: str) -> Block | None:
    """Lift a block; the removed row (for its ``activity_ap_id``), or None if there was none."""
    block = (
        await session.execute(
            select(Block).where(Block.group_id == group_id, Block.actor_ap_id == actor_id)
        )
    ).scalar_one_or_none()
    if block is not None:
        await session.delete(block)
        await session.flush()
    return block


async def blocked_accounts(session: AsyncSession, group_id: int) -> Sequence[Block]:
    """The group's blocks, oldest first."""
    rows = await session.execute(select(Block).where(Block.group_id == group_id).order_by(Block.id))
    return rows.scalars().all()


async def remove_follows(
    session: AsyncSession, actor_ids: Sequence[int], *, group_id: int | None = None
) -> int:
    """Delete follows both ways between remote actors and one group (or every group)."""
    removed = 0
    for table in (Follower, Following):
        statement = delete(table).where(table.actor_id.in_(actor_ids))
        if group_id is not None:
            statement = statement.where(table.group_id == group_id)
        result = await session.execute(statement)
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


# --- domain rules ----------------------------------------------------------------------


async def block_domain(
    session: AsyncSession, domain: str, *, silence: bool = False, reject_media: bool = False
) -> DomainBlock:
    """Add or change the rule for ``domain``: suspended unless only limited by the flags.

    Suspending removes every follow between our groups and accounts on the domain.
    """
    name = normalize_domain(domain)
    rule = (
        await session.execute(select(DomainBlock).where(DomainBlock.domain == name))
    ).scalar_one_or_none() or DomainBlock(domain=name)
    rule.suspend = not (silence or reject_media)
    rule.silence = silence
    rule.reject_media = reject_media
    session.add(rule)
    await session.flush()
    if rule.suspend:
        await remove_follows(session, await actors_on_domain(session, name))
    return rule


async def actors_on_domain(session: AsyncSession, domain: str) -> list[int]:
    """Ids of stored remote actors on ``domain`` or its subdomains."""
    rows = await session.execute(select(RemoteActor.id, RemoteActor.ap_id))
    found = []
    for row_id, ap_id in rows.all():
        try:
            if host_matches(host_of(ap_id), domain):
                found.append(row_id)
        except OriginError:
            continue
    return found


async def unblock_domain(session: AsyncSession, domain: str) -> bool:
    """Remove the rule for exactly ``domain``; False when there was none."""
    result = await session.execute(
        delete(DomainBlock).where(DomainBlock.domain == normalize_domain(domain))
    )
    return bool(getattr(result, "rowcount", 0))


async def allow_domain(session: AsyncSession, domain: str) -> bool:
    """List ``domain`` for allowlist mode; False when it already was."""
    name = normalize_domain(domain)
    found = await session.execute(select(DomainAllow.id).where(DomainAllow.domain == name))
    if found.first() is not None:
        return False
    session.add(DomainAllow(domain=name))
    await session.flush()
    return True


async def disallow_domain(session: AsyncSession, domain: str) -> bool:
    """Take ``domain`` off the allowlist; False when it was not on it."""
    result = await session.execute(
        delete(DomainAllow).where(DomainAllow.domain == normalize_domain(domain))
    )
    return bool(getattr(result, "rowcount", 0))


async def domain_rules(session: AsyncSession) -> tuple[Sequence[DomainBlock], Sequence[str]]:
    """(domain blocks, allowed domains), each sorted by domain."""
    blocks = await session.execute(select(DomainBlock).order_by(DomainBlock.domain))
    allows = await session.execute(select(DomainAllow.domain).order_by(DomainAllow.domain))
    return blocks.scalars().all(), allows.scalars().all()


# --- reports ---------------------------------------------------------------------------


def flag_targets(flag: dict[str, Any]) -> list[str]:
    """The ids a ``Flag`` names in its ``object`` (accounts and posts), in order."""
    return [i for i in (get_id(item) for item in as_list(flag.get("object"))) if i is not None]


async def record_flag(
    session: AsyncSession, flag: dict[str, Any], *, reporter: str, group_id: int | None
) -> Report | None:
    """Store a received ``Flag`` as a report for the group's organizers.

    ``reporter`` is the verified signer. Idempotent: a Flag id already stored gives None.
    """
    flag_id = get_id(flag)
    if flag_id is not None:
        seen = await session.execute(select(Report.id).where(Report.activity_ap_id == flag_id))
        if seen.first() is not None:
            return None
    content = flag.get("content")
    report = Report(
        group_id=group_id,
        direction="received",
        reporter_ap_id=reporter,
        target_ids=flag_targets(flag)[:100],
        content=content[:5000] if isinstance(content, str) else "",
        activity_ap_id=flag_id,
    )
    session.add(report)
    await session.flush()
    return report


async def group_reports(session: AsyncSession, group_id: int) -> Sequence[Report]:
    """Reports about or made by a group, newest first."""
    rows = await session.execute(
        select(Report).where(Report.group_id == group_id).order_by(Report.id.desc())
    )
    return rows.scalars().all()
