"""Domain rules of the instance: suspend, silence, reject media, and the allowlist.

A rule is made here (its note's ``source`` None) or brought by a subscribed blocklist
(``moderation.subscriptions``): `apply_lists` turns the lists' last good copies into
rules, and never touches a rule made here, which always wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import RemoteActor
from federation.origin import OriginError, host_of, parent_domains
from moderation.blocks import remove_follows
from moderation.checks import ModerationError, normalize_domain
from moderation.models import (
    BlocklistEntry,
    BlocklistSubscription,
    DomainAllow,
    DomainBlock,
    DomainRuleNote,
)


@dataclass(frozen=True)
class _Wanted:
    suspend: bool
    silence: bool
    reject_media: bool
    reason: str
    source: str

    @property
    def strength(self) -> int:
        return 2 if self.suspend else 1 if self.silence else 0


async def block_domain(
    session: AsyncSession,
    domain: str,
    *,
    silence: bool = False,
    reject_media: bool = False,
    reason: str | None = None,
    public: bool = False,
) -> DomainBlock:
    """Add or change the rule for ``domain``: suspended unless only limited by the flags.

    The rule becomes this instance's own, even if a subscribed list brought it. A
    ``reason`` replaces the one it had; a ``public`` rule needs one. Suspending removes
    every follow between our groups and accounts on the domain.
    """
    name = normalize_domain(domain)
    rule = await _rule_of(session, name) or DomainBlock(domain=name)
    note = await _note_of(session, name) or DomainRuleNote(domain=name, reason="")
    if reason is not None or note.source is not None:
        note.reason = " ".join((reason or "").split())
    if public and not note.reason:
        raise ModerationError("a public rule needs a reason: fill in Reason (or --reason)")
    note.public, note.source = public, None
    rule.suspend = not (silence or reject_media)
    rule.silence = silence
    rule.reject_media = reject_media
    session.add_all([rule, note])
    await session.flush()
    if rule.suspend:
        await remove_follows(session, await actors_on_domain(session, name))
    return rule


async def rule_notes(session: AsyncSession) -> dict[str, DomainRuleNote]:
    """Every rule's note (reason, public, source), by domain."""
    return {note.domain: note for note in (await session.scalars(select(DomainRuleNote))).all()}


async def apply_lists(session: AsyncSession) -> int:
    """Make the rules of the subscribed lists' good copies what the lists now say; how
    many rules the lists bring.

    Where lists disagree the strongest rule holds (a suspension over a silence over a
    media rejection), credited to the oldest subscription saying it; a list followed
    with ``limit_only`` silences what it suspends. A rule made here is left alone.
    """
    rows = await session.execute(
        select(BlocklistEntry, BlocklistSubscription.url, BlocklistSubscription.limit_only)
        .join(BlocklistSubscription, BlocklistSubscription.id == BlocklistEntry.subscription_id)
        .order_by(BlocklistSubscription.id)
    )
    wanted: dict[str, _Wanted] = {}
    for entry, url, limit_only in rows.all():
        suspend = entry.suspend and not limit_only
        rule = _Wanted(
            suspend,
            entry.silence or (entry.suspend and limit_only),
            entry.reject_media and not suspend,
            entry.reason,
            url,
        )
        if entry.domain not in wanted or rule.strength > wanted[entry.domain].strength:
            wanted[entry.domain] = rule
    existing = {row.domain: row for row in (await session.scalars(select(DomainBlock))).all()}
    notes = await rule_notes(session)
    listed = {name for name, note in notes.items() if note.source is not None}
    for name in listed - set(wanted):
        await session.delete(notes[name])
        if name in existing:
            await session.delete(existing[name])
    newly: set[str] = set()
    for name, rule in wanted.items():
        found = existing.get(name)
        if found is not None and name not in listed:
            continue  # made here: it wins
        row = found or DomainBlock(domain=name)
        note = notes.get(name) or DomainRuleNote(domain=name)
        if rule.suspend and not row.suspend:
            newly.add(name)
        row.suspend, row.silence, row.reject_media = rule.suspend, rule.silence, rule.reject_media
        note.reason, note.source, note.public = rule.reason, rule.source, False
        session.add_all([row, note])
    await session.flush()
    if newly:
        await remove_follows(session, await actors_under(session, newly))
    return len(wanted)


async def actors_on_domain(session: AsyncSession, domain: str) -> list[int]:
    """Ids of stored remote actors on ``domain`` or its subdomains."""
    return await actors_under(session, {domain})


async def actors_under(session: AsyncSession, domains: set[str]) -> list[int]:
    """Ids of stored remote actors on any of ``domains`` or their subdomains."""
    rows = await session.execute(select(RemoteActor.id, RemoteActor.ap_id))
    found = []
    for row_id, ap_id in rows.all():
        try:
            host = host_of(ap_id)
        except OriginError:
            continue
        if any(name in domains for name in parent_domains(host)):
            found.append(row_id)
    return found


async def unblock_domain(session: AsyncSession, domain: str) -> bool:
    """Remove this instance's own rule for exactly ``domain``; False when there was none.

    A rule a subscribed list brought is the list's: refused. Once the own rule is gone,
    a list's rule for the domain applies again.
    """
    name = normalize_domain(domain)
    rule, note = await _rule_of(session, name), await _note_of(session, name)
    if note is not None and note.source is not None:
        raise ModerationError(
            "%(domain)s is blocked by the list %(url)s: unsubscribe from it, or block it here",
            domain=name,
            url=note.source,
        )
    if note is not None:
        await session.delete(note)
    if rule is None:
        return False
    await session.delete(rule)
    await session.flush()
    await apply_lists(session)
    return True


async def _rule_of(session: AsyncSession, name: str) -> DomainBlock | None:
    return await session.scalar(select(DomainBlock).where(DomainBlock.domain == name))


async def _note_of(session: AsyncSession, name: str) -> DomainRuleNote | None:
    return await session.scalar(select(DomainRuleNote).where(DomainRuleNote.domain == name))


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
