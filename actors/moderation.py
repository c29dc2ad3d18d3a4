"""Moderation rules and their checks: account blocks, domain rules, allies-only mode, reports.

The checks (``is_blocked``, ``domain_refused``, ``refusal``) are what the inbox and
the delivery worker ask before accepting or sending anything. Changing rules only
touches rows here; the activities a block sends (``Block``, ``Undo``, ``Flag``) are
the outbox's job (``outbox.moderation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Following, RemoteActor
from actors.moderation_models import Block, DomainAllow, DomainBlock, Report
from federation.origin import OriginError, host_matches, host_of, normalize_host, parent_domains
from federation.vocab import as_list, get_id


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


async def is_allowed(session: AsyncSession, host: str) -> bool:
    """True when ``host`` or a parent domain is on the allowlist."""
    candidates = parent_domains(normalize_domain(host))
    found = await session.execute(
        select(DomainAllow.id).where(DomainAllow.domain.in_(candidates)).limit(1)
    )
    return found.first() is not None


async def domain_refused(session: AsyncSession, mode: str, host: str) -> str | None:
    """Why nothing may be received from or sent to ``host``, or None when it may.

    ``host`` may carry a port or be a whole URL. Refused: a suspended domain and its
    subdomains; in ``allowlist`` mode, any domain not listed (nor a parent of it).
    """
    try:
        domain = normalize_domain(host)
    except ModerationError:
        return f"{host!r} is not a usable host"
    rule = await domain_rule(session, domain)
    if rule is not None and rule.suspend:
        return f"the domain {rule.domain} is blocked"
    if mode == "allowlist" and not await is_allowed(session, domain):
        return f"this instance federates only with listed domains, and {domain} is not one"
    return None


async def refusal(
    session: AsyncSession, mode: str, actor_id: str, *, group_id: int | None = None
) -> str | None:
    """Why an activity by ``actor_id`` (to ``group_id``, if any) must be refused (403)."""
    reason = await domain_refused(session, mode, actor_id)
    if reason is None and group_id is not None and await is_blocked(session, group_id, actor_id):
        reason = "the group blocks this account"
    return reason


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
