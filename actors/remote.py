"""Remote actors: fetching them from their origin, storing them, resolving handles.

``signer_of`` answers "whose key is this?" from a per-process cache (`KeyCache`) of
key id → (actor, parsed public key), so a verified POST needs no query for its key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actors.instance import Context
from actors.keycache import KeyCache, Signer
from actors.keys import load_public_key
from actors.models import RemoteActor
from documents.errors import UserError
from federation.content import clean_name
from federation.fetch import fetch_document
from federation.fetch_errors import FetchError
from federation.httpsig import HttpSignatureAuth, SignatureError
from federation.origin import netloc_of
from federation.vocab import as_list, get_id
from moderation.checks import domain_refused
from store.db import utcnow

ACTOR_TYPES = {"Person", "Group", "Organization", "Application", "Service"}


class ActorError(UserError):
    """A remote actor could not be fetched or is not a usable actor document."""


def strip_fragment(url: str) -> str:
    """The URL without its ``#fragment`` (what is actually requested over HTTP)."""
    return urlunsplit(urlsplit(url)._replace(fragment=""))


async def fetch_signed(ctx: Context, url: str, *, kind: str = "activity") -> dict[str, Any]:
    """GET a document with a signature by the instance actor, through the safe client.

    Concurrent calls for one URL share one request, and a URL (or host) that failed
    moments ago raises ``RecentlyFailed`` without one (``FailureMemory.once``), so a
    flood of activities naming an unreachable key costs one fetch, not thousands.
    """
    key_id, key = ctx.instance_signer()
    auth = HttpSignatureAuth(key_id=key_id, private_key=key, memory=ctx.schemes)

    async def fetch() -> dict[str, Any]:
        doc = await fetch_document(ctx.http, url, policy=ctx.policy, auth=auth, kind=kind)  # type: ignore[arg-type]
        return doc.data

    return await ctx.failures.once(url, fetch)


async def _refuse_blocked_domain(ctx: Context, session: AsyncSession, url: str) -> None:
    """Never fetch from a blocked domain (nor, in allowlist mode, from an unlisted one),
    and never take one of our own URLs for a remote actor or key."""
    if ctx.urls.is_local(url):
        raise ActorError("not fetching %(url)s: it is on this instance", url=url)
    reason = await domain_refused(session, ctx.federation, url)
    if reason is not None:
        raise ActorError("not fetching %(url)s: %(reason)s", url=url, reason=reason)


def _key_of(doc: dict[str, Any]) -> tuple[str | None, str | None]:
    for key in as_list(doc.get("publicKey")):
        if isinstance(key, dict) and isinstance(key.get("publicKeyPem"), str):
            owner = get_id(key.get("owner"))
            if owner in (None, doc.get("id")):
                return get_id(key), key["publicKeyPem"]
    return None, None


def _text(value: Any, limit: int) -> str | None:
    return clean_name(value, max_length=limit) if isinstance(value, str) else None


async def store_actor(session: AsyncSession, doc: dict[str, Any]) -> RemoteActor:
    """Insert or refresh a remote actor from a document fetched from its own origin."""
    ap_id = doc.get("id")
    if not isinstance(ap_id, str) or urlsplit(ap_id).scheme not in {"http", "https"}:
        raise ActorError("actor document has no http(s) id")
    types = {t for t in as_list(doc.get("type")) if isinstance(t, str)}
    if not types & ACTOR_TYPES:
        raise ActorError("%(id)s is not an actor (type %(types)s)", id=ap_id, types=sorted(types))
    inbox = get_id(doc.get("inbox"))
    if inbox is None:
        raise ActorError("%(id)s has no inbox", id=ap_id)
    endpoints = doc.get("endpoints")
    shared = get_id(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    key_id, key_pem = _key_of(doc)
    # The actor's row, and any other row holding its key id, in one query.
    wanted = RemoteActor.ap_id == ap_id
    if key_id is not None:
        wanted = or_(wanted, RemoteActor.key_id == key_id)
    found = await session.scalars(select(RemoteActor).where(wanted))
    row = None
    for other in found.all():
        if other.ap_id == ap_id:
            row = other
        else:  # a key id moves with its actor: release it from the stale row first
            other.key_id = None
            await session.flush()
    if row is None:
        row = RemoteActor(ap_id=ap_id)
    url = get_id(doc.get("url"))
    row.type = sorted(types & ACTOR_TYPES)[0]
    row.domain = netloc_of(ap_id)
    row.preferred_username = _text(doc.get("preferredUsername"), 200)
    row.name = _text(doc.get("name"), 200)
    row.inbox = inbox
    row.shared_inbox = shared
    row.url = url if url and netloc_of(url) == row.domain else None
    row.key_id = key_id
    row.public_key_pem = key_pem
    row.document = doc
    row.fetched_at = utcnow()
    session.add(row)
    await session.flush()
    return row


async def find_actor(session: AsyncSession, ap_id: str) -> RemoteActor | None:
    """A stored remote actor by id."""
    result = await session.execute(select(RemoteActor).where(RemoteActor.ap_id == ap_id))
    return result.scalar_one_or_none()


async def find_actors(session: AsyncSession, ap_ids: Iterable[str]) -> dict[str, RemoteActor]:
    """The stored remote actors among ``ap_ids``, by id (those never fetched are left out)."""
    found = await session.scalars(select(RemoteActor).where(RemoteActor.ap_id.in_(set(ap_ids))))
    return {actor.ap_id: actor for actor in found}


async def get_actor(
    ctx: Context, session: AsyncSession, ap_id: str, *, refresh: bool = False
) -> RemoteActor:
    """A remote actor, from the database or fetched from its origin."""
    if not refresh and (row := await find_actor(session, ap_id)) is not None:
        return row
    await _refuse_blocked_domain(ctx, session, ap_id)
    try:
        doc = await fetch_signed(ctx, ap_id)
    except FetchError as exc:
        raise ActorError("could not fetch %(id)s: %(error)s", id=ap_id, error=exc) from exc
    return await store_actor(session, doc)


async def actor_for_key(
    ctx: Context, session: AsyncSession, key_id: str, *, refresh: bool = False
) -> RemoteActor:
    """The actor owning ``key_id``: stored, or fetched (key document or actor document)."""
    if not refresh:
        row = (
            await session.execute(select(RemoteActor).where(RemoteActor.key_id == key_id))
        ).scalar_one_or_none()
        if row is not None:
            return row
    await _refuse_blocked_domain(ctx, session, key_id)
    try:
        doc = await fetch_signed(ctx, strip_fragment(key_id))
        owner = get_id(doc.get("owner"))
        if "inbox" not in doc and owner is not None:
            await _refuse_blocked_domain(ctx, session, owner)
            doc = await fetch_signed(ctx, owner)
    except FetchError as exc:
        raise ActorError("could not fetch key %(key)s: %(error)s", key=key_id, error=exc) from exc
    actor = await store_actor(session, doc)
    if actor.key_id != key_id:
        raise ActorError(
            "key %(key)s is not published by its owner %(owner)s", key=key_id, owner=actor.ap_id
        )
    return actor


def _signer(actor: RemoteActor, key_id: str) -> Signer:
    return _signer_of_row(actor.ap_id, actor.domain, actor.public_key_pem, key_id)


def _signer_of_row(ap_id: str, domain: str, pem: str | None, key_id: str) -> Signer:
    try:
        key = load_public_key(pem) if pem else None
    except SignatureError:
        key = None
    return Signer(ap_id, domain, key_id, pem, key)


async def signer_of(
    ctx: Context, session: AsyncSession, key_id: str, *, refresh: bool = False
) -> Signer:
    """`actor_for_key` as a `Signer`, from `KeyCache` unless ``refresh`` (then fetched)."""
    if refresh:  # cached once its row is committed and read again
        return _signer(await actor_for_key(ctx, session, key_id, refresh=True), key_id)
    if (cached := KeyCache.get(session, key_id)) is not None:
        return cached
    database = KeyCache.database(session)
    if session.in_transaction():
        # It holds a connection: looked up there, as waiting for `_Lookups` (which needs
        # a connection of its own) while holding one could exhaust the pool.
        found = await _stored_signers(session, {key_id})
        if (signer := found.get(key_id)) is not None:
            KeyCache.put(database, signer, found.generation)
    else:
        signer = await _Lookups.of(ctx.sessions).find(database, key_id)
    if signer is None:  # not stored: fetched (refresh skips looking it up again)
        return _signer(await actor_for_key(ctx, session, key_id, refresh=True), key_id)
    return signer


class _Lookups:
    """The keys missing from `KeyCache` for concurrent requests, read in one query.

    A burst of first contacts would otherwise hold a connection each (and, past the
    pool's size, open and close a new one each). Only for sessions holding no
    connection (see `signer_of`), so no request waits for it while holding one.
    """

    _all: ClassVar[WeakKeyDictionary[object, _Lookups]] = WeakKeyDictionary()

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._loop = asyncio.get_running_loop()
        self._wanted: dict[tuple[object, str], list[asyncio.Future[Signer | None]]] = {}
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, sessions: async_sessionmaker[AsyncSession]) -> _Lookups:
        """The lookups of the database behind ``sessions`` in the running event loop."""
        lookups = cls._all.get(sessions)
        if lookups is None or lookups._loop is not asyncio.get_running_loop():
            lookups = cls._all[sessions] = cls(sessions)
        return lookups

    async def find(self, database: object, key_id: str) -> Signer | None:
        """The stored owner of ``key_id`` (then cached), or None when none is stored."""
        future: asyncio.Future[Signer | None] = self._loop.create_future()
        self._wanted.setdefault((database, key_id), []).append(future)
        if self._task is None:
            self._task = self._loop.create_task(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self._wanted:
                wanted, self._wanted = self._wanted, {}
                try:
                    found = await self._read({key_id for _, key_id in wanted})
                except Exception as exc:  # SQLAlchemyError, OSError: each request decides
                    for futures in wanted.values():
                        _resolve(futures, exc)
                    continue
                for (database, key_id), futures in wanted.items():
                    if (signer := found.get(key_id)) is not None:
                        KeyCache.put(database, signer, found.generation)
                    _resolve(futures, signer)
        finally:
            self._task = None

    async def _read(self, key_ids: set[str]) -> _Found:
        async with self._sessions() as session:
            return await _stored_signers(session, key_ids)


async def _stored_signers(session: AsyncSession, key_ids: set[str]) -> _Found:
    """The stored owners of ``key_ids``: three columns, not the whole actor document."""
    found = _Found(KeyCache.generation)
    columns = (RemoteActor.ap_id, RemoteActor.domain, RemoteActor.public_key_pem)
    rows = await session.execute(
        select(RemoteActor.key_id, *columns).where(RemoteActor.key_id.in_(key_ids))
    )
    for key_id, ap_id, domain, pem in rows.all():
        if key_id is not None:  # (always: it matched)
            found[key_id] = _signer_of_row(ap_id, domain, pem, key_id)
    return found


class _Found(dict[str, Signer]):
    """Signers read by key id, and the `KeyCache.generation` read before them."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


def _resolve(
    futures: list[asyncio.Future[Signer | None]], result: Signer | Exception | None
) -> None:
    for future in futures:
        if future.done():
            continue
        if isinstance(result, Exception):
            future.set_exception(result)
        else:
            future.set_result(result)


async def resolve_account(ctx: Context, handle_or_url: str) -> str:
    """The actor id for ``user@host`` (via WebFinger) or an actor URL."""
    value = handle_or_url.strip()
    if value.startswith(("https://", "http://")):
        return value
    user, sep, host = value.lstrip("@").partition("@")
    if not sep or not user or not host:
        raise ActorError("%(account)r is neither user@host nor an actor URL", account=handle_or_url)
    # Development instances run on plain http; production peers are always https.
    scheme = "http" if ctx.dev else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{user}@{host}"
    try:
        jrd = await fetch_signed(ctx, url, kind="jrd")
    except FetchError as exc:
        raise ActorError(
            "WebFinger lookup of %(account)s failed: %(error)s", account=value, error=exc
        ) from exc
    for link in as_list(jrd.get("links")):
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and isinstance(link.get("href"), str)
            and "json" in str(link.get("type", ""))
        ):
            return str(link["href"])
    raise ActorError("%(account)s has no ActivityPub actor", account=value)
