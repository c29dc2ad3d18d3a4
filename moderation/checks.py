"""What the inbox and the delivery worker ask before accepting or sending anything.

Is this account blocked by the group, is this domain refused (suspended, or not on the
allowlist in allies-only mode)? Answered from the cached rules (``moderation.rules``).
"""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from documents.errors import UserError
from federation.origin import OriginError, host_of, normalize_host, parent_domains
from moderation.models import Block, DomainBlock
from moderation.rules import Rules, current_rules


class ModerationError(UserError):
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
        raise ModerationError("%(domain)r is not a domain name", domain=text) from exc


async def is_blocked(session: AsyncSession, group_id: int, actor_id: str) -> bool:
    """True when the group blocks the account ``actor_id``."""
    found = await session.execute(
        select(Block.id).where(Block.group_id == group_id, Block.actor_ap_id == actor_id)
    )
    return found.first() is not None


async def blocks_account(session: AsyncSession, group_id: int, actor_id: str) -> bool:
    """True when the group blocks the account ``actor_id``, read from `current_rules`
    (cached per process, as every other refusal), not queried each time."""
    return (group_id, actor_id) in (await current_rules(session)).blocks


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
