"""Learning the groups of networks for the directory, by reading their ``members``.

The directory (``sharing.directory``) lists the groups followed either way and, from
here, the members of the networks this instance's groups joined and of the networks
among those members (two steps), and the members of a local network's member networks.
A network publishes its approved members as its ``members`` collection
(``networks.listing``); a network nobody here is linked to any more is not read again.

Each such network is read when first seen (within `OUTREACH_EVERY` seconds of the
follow being accepted, the worker's pace) and again every `READ_EVERY`, through the
safe client, signed by the instance actor, within limits a hostile network cannot
stretch: `MAX_ITEMS` ids of one collection over `MAX_PAGES` pages on the network's own
origin, `MAX_FETCHES` documents fetched per read, `MAX_READS` networks per pass, and an
actor fetched within `READ_EVERY` is not fetched again. Only ``Group`` actors are kept;
blocked domains and this instance's own groups are never fetched.

A read that fails keeps what the last one found and says why (``network_reads.error``);
one that ran out of fetches keeps it too, and runs again sooner (`RETRY_SOON`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Following, KnownGroup, NetworkRead, RemoteActor
from actors.remote import ActorError, fetch_signed, find_actor, get_actor
from documents.collections import following_page, listed_ids
from federation.fetch_errors import FetchError
from federation.origin import netloc_of
from federation.vocab import get_id
from networks.models import NetworkMember
from store.db import utcnow

log = logging.getLogger("mutuals.outreach")

READ_EVERY = dt.timedelta(hours=1)
RETRY_SOON = dt.timedelta(minutes=1)
MAX_ITEMS = 200
MAX_PAGES = 5
MAX_FETCHES = 100
MAX_READS = 5
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class Crawl:
    """One read of a network: what it found, what it fetched, whether it saw it all."""

    now: dt.datetime
    fetches: int = MAX_FETCHES
    found: set[int] = field(default_factory=set)
    """Remote actor rows of the groups found."""
    errors: list[str] = field(default_factory=list)
    ran_out: bool = False

    @property
    def complete(self) -> bool:
        """Whether every document was read: only then may groups not listed leave."""
        return not self.errors and not self.ran_out

    def spend(self) -> bool:
        """Take one fetch; False when none are left."""
        if self.fetches <= 0:
            self.ran_out = True
            return False
        self.fetches -= 1
        return True


async def roots(session: AsyncSession) -> dict[str, int]:
    """The networks to read, with how many steps of members: 2 for a network a group
    here joined (its members, and theirs), 1 for a member of a network here."""
    joined = await session.scalars(
        select(RemoteActor.ap_id)
        .join(Following, Following.actor_id == RemoteActor.id)
        .where(Following.accepted.is_(True), Following.relay.is_not(None))
    )
    members = await session.scalars(
        select(RemoteActor.ap_id)
        .join(NetworkMember, NetworkMember.actor_id == RemoteActor.id)
        .where(NetworkMember.state == "approved")
    )
    return {**dict.fromkeys(members, 1), **dict.fromkeys(joined, 2)}


async def _due(session: AsyncSession, now: dt.datetime) -> list[tuple[str, int]]:
    wanted = await roots(session)
    if not wanted:
        return []
    found = await session.execute(
        select(NetworkRead.network, NetworkRead.read_at).where(
            NetworkRead.network.in_(list(wanted))
        )
    )
    last = {network: read_at for network, read_at in found}
    due = [n for n in wanted if last.get(n, NEVER) <= now - READ_EVERY]
    due.sort(key=lambda n: last.get(n, NEVER))  # never read first
    return [(network, wanted[network]) for network in due[:MAX_READS]]


async def _actor(
    ctx: Context, session: AsyncSession, ap_id: str, crawl: Crawl
) -> RemoteActor | None:
    stored = await find_actor(session, ap_id)
    if stored is not None and stored.fetched_at > crawl.now - READ_EVERY:
        return stored
    if not crawl.spend():
        return stored
    try:
        return await get_actor(ctx, session, ap_id, refresh=True)
    except ActorError as exc:
        crawl.errors.append(str(exc))
        return stored


async def _member_ids(ctx: Context, network: RemoteActor, crawl: Crawl) -> list[str]:
    """The ids ``network``'s ``members`` collection lists, from its own origin only."""
    doc = network.document if isinstance(network.document, dict) else {}
    where: Any = get_id(doc.get("members"))
    ids: list[str] = []
    for _ in range(MAX_PAGES):
        if isinstance(where, dict):  # a page embedded in the collection
            page = where
        elif isinstance(where, str) and netloc_of(where) == network.domain and crawl.spend():
            try:
                page = await fetch_signed(ctx, where)
            except FetchError as exc:
                crawl.errors.append(f"could not read {where}: {exc}")
                break
        else:
            break
        ids += listed_ids(page, MAX_ITEMS - len(ids))
        if len(ids) >= MAX_ITEMS:
            break
        where = following_page(page)
    return ids


async def _read(
    ctx: Context, session: AsyncSession, root: str, steps: int, crawl: Crawl
) -> set[str]:
    """Walk ``steps`` steps of members from ``root``; every id listed on the way."""
    listed: set[str] = set()
    seen = {root}
    frontier = [root]
    for _ in range(steps):
        nearer: list[str] = []
        for network_id in frontier:
            network = await _actor(ctx, session, network_id, crawl)
            if network is None:
                continue
            for member_id in await _member_ids(ctx, network, crawl):
                listed.add(member_id)
                if member_id in seen or ctx.urls.is_local(member_id):
                    continue
                seen.add(member_id)
                member = await _actor(ctx, session, member_id, crawl)
                if member is not None and member.type == "Group":
                    crawl.found.add(member.id)
                    nearer.append(member_id)
        frontier = nearer
    return listed


async def _record(session: AsyncSession, root: str, crawl: Crawl, listed: set[str]) -> None:
    read = await session.scalar(select(NetworkRead).where(NetworkRead.network == root))
    if read is None:
        read = NetworkRead(network=root)
        session.add(read)
        await session.flush()
    # A read that ran out of fetches has more to learn: soon. One that failed waits as
    # long as any, so a server that is down is not asked every minute.
    read.read_at = crawl.now - READ_EVERY + RETRY_SOON if crawl.ran_out else crawl.now
    read.error = crawl.errors[0][:500] if crawl.errors else None
    rows = await session.execute(
        select(KnownGroup.actor_id, RemoteActor.ap_id)
        .join(RemoteActor, RemoteActor.id == KnownGroup.actor_id)
        .where(KnownGroup.via_id == read.id)
    )
    before = {actor_id: ap_id for actor_id, ap_id in rows}
    # Only what the network stopped listing leaves: a fetch that failed this time is no
    # reason to drop a group found before.
    gone = [actor for actor, ap_id in before.items() if ap_id not in listed]
    if crawl.complete and gone:
        await session.execute(
            delete(KnownGroup).where(KnownGroup.via_id == read.id, KnownGroup.actor_id.in_(gone))
        )
    for actor_id in crawl.found - set(before):
        session.add(KnownGroup(via_id=read.id, actor_id=actor_id))


async def read_network(ctx: Context, root: str, steps: int) -> int:
    """Read ``root``'s members (``steps`` steps) into the directory; how many groups
    it found. Another process reading it at the same moment wins: this one gives up."""
    crawl = Crawl(now=utcnow())
    async with ctx.sessions() as session:
        listed = await _read(ctx, session, root, steps, crawl)
        for error in crawl.errors:
            log.info("directory: reading %s: %s", root, error)
        await _record(session, root, crawl, listed)
        try:
            await session.commit()
        except IntegrityError:
            return 0
    return len(crawl.found)


async def refresh_once(ctx: Context) -> int:
    """Read the networks due (`MAX_READS` at most); how many groups they listed."""
    async with ctx.sessions() as session:
        due = await _due(session, utcnow())
    found = 0
    for root, steps in due:
        found += await read_network(ctx, root, steps)
    return found


async def outreach_once(ctx: Context) -> int:
    """`refresh_once`, at most every ``ctx.outreach.every`` seconds (the worker's step)."""
    if not ctx.outreach.due():
        return 0
    ctx.outreach.ran()
    return await refresh_once(ctx)
