"""Allies' blocklists followed here: ``mutuals domain subscribe URL``, re-read hourly.

A list is a plain GET (no signature) through the safe client, at most `MAX_BYTES`, in
Mastodon's CSV or its API's JSON (``moderation.blocklist_format``). Its rules are kept
as the list's last good copy (``blocklist_entries``) and applied as domain rules marked
with the list's URL (``moderation.domains.apply_lists``); a rule made here always wins.

A read that fails, or a list that turned hostile (over 100,000 lines, see
``blocklist_format.MAX_LINES``, or `MAX_BYTES`; not parseable; covering a protected
domain: this instance's, the list's own, an allowed ally's, another subscribed list's)
is refused: the reason is recorded (``error``, shown by ``mutuals domain
subscriptions``) and the last good copy stays in force.

The worker looks for lists due at most every minute (``BLOCKLISTS_EVERY`` of
``actors.instance``, `blocklists_once`) and reads each every `READ_EVERY`, `MAX_READS`
a pass. Unlike a network's collections, a list is not signed for: it is a public file.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from federation.fetch import check_url, fetch_body
from federation.fetch_errors import FetchError
from moderation.blocklist_format import (
    BlocklistError,
    ListedRule,
    check_protected,
    parse_blocklist,
    severity_of,
)
from moderation.checks import domain_refused, normalize_domain
from moderation.domains import apply_lists, block_domain, rule_notes
from moderation.models import (
    BlocklistEntry,
    BlocklistSubscription,
    DomainAllow,
    DomainBlock,
    DomainRuleNote,
)
from store.db import utcnow

log = logging.getLogger("mutuals.blocklists")

READ_EVERY = dt.timedelta(hours=1)
MAX_BYTES = 8_000_000
MAX_READS = 5
ACCEPT = "text/csv, application/json;q=0.9, */*;q=0.1"
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ReadOutcome:
    """What one read of a list did: how many rules its copy in force has, and why the
    read was refused (None when it was good)."""

    url: str
    rules: int
    error: str | None


@dataclass(frozen=True)
class ListState:
    """A subscription as ``mutuals domain subscriptions`` shows it."""

    subscription: BlocklistSubscription
    rules: int


def checked_url(ctx: Context, url: str) -> str:
    """``url`` if a list may be read from it (http or https, a host, allowed by the
    fetch policy); else ``BlocklistError`` saying why."""
    value = url.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BlocklistError("%(url)r is not an http(s) URL", url=url)
    try:
        return str(check_url(value, ctx.policy))
    except FetchError as exc:
        raise BlocklistError(
            "%(url)s cannot be read: %(reason)s", url=value, reason=exc.reason
        ) from exc


async def subscribe(ctx: Context, url: str, *, limit_only: bool) -> ReadOutcome:
    """Follow the list at ``url`` (or change how: ``limit_only`` turns its suspensions
    into silences), and read it now."""
    url = checked_url(ctx, url)
    async with ctx.sessions() as session:
        found = await _subscription(session, url)
        if found is None:
            session.add(BlocklistSubscription(url=url, limit_only=limit_only))
        else:
            found.limit_only = limit_only
        await session.flush()
        await apply_lists(session)
        await session.commit()
    return await read_list(ctx, url)


async def unsubscribe(session: AsyncSession, url: str) -> bool:
    """Stop following the list at ``url``: the rules only it brought go; False when it
    was not followed."""
    found = await _subscription(session, url.strip())
    if found is None:
        return False
    await session.execute(delete(BlocklistEntry).where(BlocklistEntry.subscription_id == found.id))
    await session.delete(found)
    await session.flush()
    await apply_lists(session)
    return True


async def list_subscriptions(session: AsyncSession) -> list[ListState]:
    """Every list followed, oldest first, with how many rules its copy in force has."""
    counts = dict(
        (
            await session.execute(
                select(BlocklistEntry.subscription_id, func.count()).group_by(
                    BlocklistEntry.subscription_id
                )
            )
        ).all()
    )
    rows = await session.scalars(select(BlocklistSubscription).order_by(BlocklistSubscription.id))
    return [ListState(row, counts.get(row.id, 0)) for row in rows.all()]


async def read_list(ctx: Context, url: str) -> ReadOutcome:
    """Read the list at ``url`` once: its rules replace the last good copy, or the read
    is refused with a reason and that copy stays. Another process recording a read of
    the same list at the same moment wins: this one gives up."""
    now = utcnow()
    async with ctx.sessions() as session:
        refused = await domain_refused(session, ctx.federation, url)
        protected = await _protected(ctx, session, url)
    rules: list[ListedRule] | None = None
    error = f"not read: {refused}" if refused is not None else None
    if error is None:
        try:
            rules = await _read_rules(ctx, url, protected)
        except (FetchError, BlocklistError) as exc:
            error = str(exc)
    if error is not None:
        log.info("blocklist %s refused: %s", url, error)
    async with ctx.sessions() as session:
        found = await _subscription(session, url)
        if found is None:  # unsubscribed meanwhile
            return ReadOutcome(url, 0, "not subscribed")
        found.read_at, found.error = now, error[:1000] if error else None
        if rules is not None:
            found.good_at = now
            await _replace_entries(session, found.id, rules)
        await apply_lists(session)
        try:
            await session.commit()
        except IntegrityError:
            return ReadOutcome(url, 0, "read by another process at the same moment")
        count = await session.scalar(
            select(func.count()).where(BlocklistEntry.subscription_id == found.id)
        )
    return ReadOutcome(url, count or 0, error)


async def _read_rules(ctx: Context, url: str, protected: list[str]) -> list[ListedRule]:
    fetched = await fetch_body(ctx.http, url, policy=ctx.policy, accept=ACCEPT, max_bytes=MAX_BYTES)
    rules = parse_blocklist(fetched.body)
    check_protected(rules, [*protected, normalize_domain(fetched.final_url)])
    return rules


async def refresh_once(ctx: Context, now: dt.datetime | None = None) -> int:
    """Read the lists due (`MAX_READS` at most, never read first); how many were read."""
    since = (now or utcnow()) - READ_EVERY
    async with ctx.sessions() as session:
        rows = await session.execute(
            select(BlocklistSubscription.url, BlocklistSubscription.read_at)
        )
        due = [
            (read_at or NEVER, url) for url, read_at in rows.all() if (read_at or NEVER) <= since
        ]
    due.sort()
    for _, url in due[:MAX_READS]:
        await read_list(ctx, url)
    return len(due[:MAX_READS])


async def blocklists_once(ctx: Context) -> int:
    """`refresh_once`, at most every ``ctx.blocklists.every`` seconds (the worker's step)."""
    if not ctx.blocklists.due():
        return 0
    ctx.blocklists.ran()
    return await refresh_once(ctx)


async def _subscription(session: AsyncSession, url: str) -> BlocklistSubscription | None:
    return await session.scalar(
        select(BlocklistSubscription).where(BlocklistSubscription.url == url)
    )


async def _protected(ctx: Context, session: AsyncSession, url: str) -> list[str]:
    """Domains no list may touch: ours, the list's, allowed allies', other lists'."""
    allies = (await session.scalars(select(DomainAllow.domain))).all()
    lists = (await session.scalars(select(BlocklistSubscription.url))).all()
    return [normalize_domain(ctx.host), *allies, *(normalize_domain(u) for u in {url, *lists})]


async def _replace_entries(session: AsyncSession, list_id: int, rules: list[ListedRule]) -> None:
    await session.execute(delete(BlocklistEntry).where(BlocklistEntry.subscription_id == list_id))
    if not rules:
        return
    values = [
        {
            "subscription_id": list_id,
            "domain": rule.domain,
            "suspend": rule.severity == "suspend",
            "silence": rule.severity == "silence",
            "reject_media": rule.reject_media and rule.severity != "suspend",
            "reason": rule.reason,
        }
        for rule in rules
    ]
    await session.execute(insert(BlocklistEntry), values)


async def own_rules(
    session: AsyncSession, *, published: bool, every: bool = False
) -> list[ListedRule]:
    """This instance's own rules (not the lists'), as a blocklist, sorted by domain.

    ``published``: only those with a reason that are public, or all with a reason when
    ``every`` (``MUTUALS_BLOCKLIST_PUBLIC``).
    """
    query = (
        select(DomainBlock, DomainRuleNote)
        .outerjoin(DomainRuleNote, DomainRuleNote.domain == DomainBlock.domain)
        .where(DomainRuleNote.source.is_(None))
        .order_by(DomainBlock.domain)
    )
    if published:
        query = query.where(DomainRuleNote.reason != "")
        if not every:
            query = query.where(DomainRuleNote.public.is_(True))
    return [
        ListedRule(
            row.domain,
            severity_of(row.suspend, row.silence),
            row.reject_media,
            note.reason if note else "",
        )
        for row, note in (await session.execute(query)).all()
    ]


async def import_list(
    session: AsyncSession, ctx: Context, body: bytes, *, public: bool
) -> tuple[int, int]:
    """Make the rules of a blocklist file (Mastodon's CSV) this instance's own, as
    Mastodon's import does: a domain that already has a rule made here keeps it.
    (added, kept). Refused whole when a rule covers this instance's domain or an
    allowed ally's."""
    if len(body) > MAX_BYTES:
        raise BlocklistError("the file is over %(most)d bytes", most=MAX_BYTES)
    rules = parse_blocklist(body)
    allies = (await session.scalars(select(DomainAllow.domain))).all()
    check_protected(rules, [normalize_domain(ctx.host), *allies])
    notes = await rule_notes(session)
    local = {
        name
        for name in (await session.scalars(select(DomainBlock.domain))).all()
        if name not in notes or notes[name].source is None
    }
    added = 0
    for rule in rules:
        if rule.domain in local:
            continue
        await block_domain(
            session,
            rule.domain,
            silence=rule.severity == "silence",
            reject_media=rule.reject_media and rule.severity != "suspend",
            reason=rule.reason,
            public=public and bool(rule.reason),
        )
        added += 1
    return added, len(rules) - added
