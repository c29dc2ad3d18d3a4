"""The receive pipeline behind both inboxes, free of any web framework.

Order matters, and nothing is stored until every check has passed::

    rate limit (the route) → body cap → JSON and shape (``federation.payload``)
      → key's domain refused? (403, ``inbox.gate``) → target group → signature
      → signer is the actor → activity id on the actor's origin (400)
      → actor's domain or account blocked? (403) → already seen? → store, commit → 202

The checks read per-process caches (moderation rules, signer keys: see
``actors.moderation`` and ``actors.remote``), so a well-signed activity from a known
peer costs no query before its row is written. Rows are written by `InboxWriter`:
the rows of concurrent requests go into one transaction (group commit), and each
request answers 202 only once the transaction holding its row has committed.

The inbox worker does everything else later (see ``inbox.worker``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actors.context import Context
from actors.groups import find_group_by_uid
from actors.queue import insert_ignoring_conflicts
from actors.verification import verify_signed_request
from federation.httpsig import SignatureError, signature_key_id
from federation.payload import PayloadError, parse_activity
from inbox.gate import misplaced_activity, refused_actor, refused_key
from inbox.models import InboxItem
from inbox.shape import actor_id
from outbox.hosts import host_of, mark_alive
from outbox.queue_models import DeliveryHost

log = logging.getLogger("mutuals.inbox")

MAX_BODY = 1_000_000
RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Outcome:
    """What the inbox answers: a status, a one-line reason, and extra headers."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)


ACCEPTED = Outcome(202, "accepted")
ALREADY_SEEN = Outcome(202, "already received")
TOO_LARGE = Outcome(413, f"the body is larger than {MAX_BODY} bytes")
UNAVAILABLE = Outcome(
    503, "the database is unavailable; try again later", {"Retry-After": str(RETRY_AFTER_SECONDS)}
)


class BodyTooLarge(Exception):
    """The request body exceeds `MAX_BODY`."""


def check_content_length(value: str | None) -> Outcome | None:
    """Refuse early when ``Content-Length`` already says the body is too large (or is junk)."""
    if value is None:
        return None
    if not value.strip().isdigit():
        return Outcome(400, "Content-Length is not a number")
    return TOO_LARGE if int(value) > MAX_BODY else None


async def read_capped(chunks: AsyncIterator[bytes], limit: int = MAX_BODY) -> bytes:
    """Read a streamed body, stopping with `BodyTooLarge` as soon as it passes ``limit``."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


async def receive(
    ctx: Context,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    group_uid: str | None,
    key_id: str | None = None,
) -> Outcome:
    """Run the pipeline on one POST to a group's inbox (``group_uid``) or the shared inbox.

    ``url`` is the public URL the peer addressed (the signature covers it); ``key_id``,
    when given, is ``signature_key_id(method, headers)`` already read by the caller.
    """
    if len(body) > MAX_BODY:
        return TOO_LARGE
    try:
        parsed = parse_activity(body)
        key_id = key_id or signature_key_id(method, headers)
    except PayloadError as exc:
        return Outcome(400, exc.reason)
    except SignatureError as exc:
        return Outcome(401, f"signature refused: {exc.reason}")
    checked = await _checked(ctx, _Request(method, url, headers, body, key_id), parsed, group_uid)
    if isinstance(checked, Outcome):
        return checked
    return await InboxWriter.of(ctx.sessions).store(checked)


async def _checked(
    ctx: Context, request: _Request, activity: dict[str, Any], group_uid: str | None
) -> Outcome | Row:
    """The checks, in a session of their own; it commits (a signer fetched and stored just
    now) only when every check passed, as the row is then written by `InboxWriter`."""
    for attempt in (1, 2):
        # Mostly unused: with the rules and the key cached, the checks need no query.
        session = ctx.sessions()
        try:
            checked = await _verify(ctx, session, request, activity, group_uid)
            if isinstance(checked, Row) and session.in_transaction():
                await session.commit()  # a signer fetched just now is kept
            return checked
        except IntegrityError:
            # The first requests from a new peer race to store its actor and key; the
            # loser tries once more and finds the winner's row.
            if attempt == 2:
                log.exception("inbox could not store the signer")
        except (SQLAlchemyError, OSError):
            log.exception("inbox could not reach the database")
            break
        finally:
            if session.in_transaction():  # else it holds no connection: nothing to close
                await session.close()
    return UNAVAILABLE


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    key_id: str


async def _verify(
    ctx: Context,
    session: AsyncSession,
    request: _Request,
    activity: dict[str, Any],
    group_uid: str | None,
) -> Outcome | Row:
    """Every check, in order: the refusal, or the row to store."""
    if (reason := await refused_key(ctx, session, request.key_id)) is not None:
        return Outcome(403, reason)
    group_id: int | None = None
    if group_uid is not None:
        group = await find_group_by_uid(session, group_uid)
        if group is None:
            return Outcome(404, "no such group")
        group_id = group.id
    try:
        signer = await verify_signed_request(
            ctx,
            session,
            request.method,
            request.url,
            request.headers,
            request.body,
            key_id=request.key_id,
        )
    except SignatureError as exc:
        return Outcome(401, f"signature refused: {exc.reason}")
    actor = actor_id(activity)
    if signer.ap_id != actor:
        # Checked before anything is stored: a valid signature by one actor must not
        # carry an activity in another actor's name (Fedify CVE-2025-54888).
        return Outcome(401, "signer is not the actor")
    if (reason := misplaced_activity(ctx, activity, signer.ap_id)) is not None:
        return Outcome(400, reason)
    if (reason := await refused_actor(ctx, session, signer.ap_id, group_id)) is not None:
        return Outcome(403, reason)
    return Row(activity["id"], actor, group_id, activity, host_of(signer.ap_id))


@dataclass(frozen=True)
class Row:
    """A verified activity to store, and the host that sent it."""

    activity_id: str
    actor: str
    group_id: int | None
    payload: dict[str, Any]
    host: str


class InboxWriter:
    """Writes the rows of concurrent requests in one transaction: a group commit.

    A request queues its row and awaits the commit of the transaction holding it, so a
    202 still follows a durable write. One transaction is written at a time (per
    database and process); rows queued meanwhile make the next one, so nothing waits
    on a timer and batches grow with the load. Concurrent write transactions gain
    nothing anyway: SQLite has one writer, and its other would-be writers sleep in its
    busy handler (1 to 100 ms at a time) until the lock is free.

    The senders' hosts are then marked alive (``outbox.hosts.mark_alive``) off the
    answer's path, one check for all the hosts of the batches written meanwhile.
    """

    _writers: ClassVar[WeakKeyDictionary[object, InboxWriter]] = WeakKeyDictionary()
    _last: ClassVar[InboxWriter | None] = None

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._loop = asyncio.get_running_loop()
        self._queued: list[_Waiting] = []
        self._lock = asyncio.Lock()
        self._hosts: set[str] = set()
        self._reviving = False
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def of(cls, sessions: async_sessionmaker[AsyncSession]) -> InboxWriter:
        """The writer of the database behind ``sessions`` in the running event loop."""
        loop = asyncio.get_running_loop()
        writer = cls._last  # nearly always the one
        if writer is None or writer._sessions is not sessions or writer._loop is not loop:
            writer = cls._writers.get(sessions)
            if writer is None or writer._loop is not loop:
                writer = cls._writers[sessions] = cls(sessions)
            cls._last = writer
        return writer

    async def store(self, row: Row) -> Outcome:
        """Once committed: ACCEPTED, ALREADY_SEEN (the id was stored before), or UNAVAILABLE."""
        future: asyncio.Future[Outcome] = self._loop.create_future()
        self._queued.append(_Waiting(row, future))
        if len(self._queued) == 1:  # the first of a new batch starts its writing
            self._spawn(self._write_next())
        return await future

    async def drain(self) -> None:
        """Wait until everything queued is written and its hosts marked alive (for tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_next(self) -> None:
        async with self._lock:  # the batch before this one is being written
            batch, self._queued = self._queued, []
            try:
                await self._write_apart(batch)
            except asyncio.CancelledError:  # shutting down: the requests get cancelled too
                for waiting in batch:
                    waiting.future.cancel()
                raise
            except Exception as exc:  # a bug: each request fails with it (a 500)
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(exc)
                return
        self._hosts.update(waiting.row.host for waiting in batch)
        if not self._reviving:
            self._reviving = True
            self._spawn(self._revive())

    async def _write_apart(self, batch: list[_Waiting]) -> None:
        try:
            await self._write(batch)
        except IntegrityError:
            if len(batch) == 1:
                log.exception("inbox could not store an activity")
                _settle(batch, UNAVAILABLE)
                return
            # One bad row (its group deleted meanwhile) must not refuse the others.
            for waiting in batch:
                await self._write_apart([waiting])
        except (SQLAlchemyError, OSError):
            log.exception("inbox could not reach the database")
            _settle(batch, UNAVAILABLE)

    async def _write(self, batch: list[_Waiting]) -> None:
        first: dict[str, Row] = {}
        for waiting in batch:
            first.setdefault(waiting.row.activity_id, waiting.row)
        values = [
            {
                "activity_ap_id": row.activity_id,
                "actor_ap_id": row.actor,
                "group_id": row.group_id,
                "payload": row.payload,
            }
            for row in first.values()
        ]
        async with self._sessions() as session:
            statement = insert_ignoring_conflicts(session, InboxItem).returning(
                InboxItem.activity_ap_id
            )
            stored = set((await session.execute(statement, values)).scalars())
            await session.commit()
            # Answered now, not after the session has handed its connection back.
            for waiting in batch:
                row = waiting.row
                fresh = first[row.activity_id] is row and row.activity_id in stored
                _settle([waiting], ACCEPTED if fresh else ALREADY_SEEN)

    async def _revive(self) -> None:
        # A host that speaks to us is up: deliveries to it resume (``outbox.hosts``).
        try:
            while self._hosts:
                hosts, self._hosts = self._hosts, set()
                try:
                    async with self._sessions() as session:
                        failing = await _hosts_with_failures(session, hosts)
                        for host in failing:
                            await mark_alive(session, host)
                        if failing:
                            await session.commit()
                except (SQLAlchemyError, OSError):
                    log.warning("could not mark %d host(s) alive", len(hosts), exc_info=True)
        finally:
            self._reviving = False


@dataclass(frozen=True)
class _Waiting:
    row: Row
    future: asyncio.Future[Outcome]


def _settle(batch: list[_Waiting], outcome: Outcome) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_result(outcome)


async def _hosts_with_failures(session: AsyncSession, hosts: set[str]) -> list[str]:
    """Which of ``hosts`` have anything for ``outbox.hosts.mark_alive`` to forget.

    One query for many hosts instead of one UPDATE each; the condition is wider than
    ``mark_alive``'s (a paused host too), so it never misses one.
    """
    found = await session.execute(
        select(DeliveryHost.host).where(
            DeliveryHost.host.in_(hosts),
            or_(
                DeliveryHost.failures > 0,
                DeliveryHost.unavailable,
                DeliveryHost.failure_days > 0,
                DeliveryHost.paused_until.is_not(None),
            ),
        )
    )
    return list(found.scalars())
