"""Domain rules of the instance: suspend, silence, reject media, and the allowlist."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import RemoteActor
from federation.origin import OriginError, host_matches, host_of
from moderation.blocks import remove_follows
from moderation.checks import normalize_domain
from moderation.models import DomainAllow, DomainBlock


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
