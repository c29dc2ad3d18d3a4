"""The receive pipeline behind both inboxes, free of any web framework.

Order matters, and nothing is stored until every check has passed::

    rate limit (the route) → body cap → JSON and shape (``federation.payload``)
      → key's domain refused? (403, ``inbox.gate``) → target group → signature
      → signer is the actor → activity id on the actor's origin (400)
      → actor's domain or account blocked? (403) → already seen? → store, commit → 202

The checks read per-process caches (moderation rules, signer keys: see
``moderation.rules`` and ``actors.remote``), so a well-signed activity from a known
peer costs no query before its row is written. Rows are written by
``inbox.writer.InboxWriter``: the rows of concurrent requests go into one transaction
(group commit), and each request answers 202 only once the transaction holding its
row has committed.

The inbox worker does everything else later (see ``inbox.worker``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import group_id_by_uid
from actors.instance import Context
from actors.verification import verify_signed_request
from federation.httpsig import SignatureError, signature_key_id
from federation.origin import netloc_of
from federation.payload import PayloadError, parse_activity
from inbox.answer import UNAVAILABLE, Answer
from inbox.gate import misplaced_activity, refused_actor, refused_key
from inbox.shape import actor_id
from inbox.writer import InboxWriter, Row

log = logging.getLogger("mutuals.inbox")

MAX_BODY = 1_000_000
TOO_LARGE = Answer(413, f"the body is larger than {MAX_BODY} bytes")


class BodyTooLarge(Exception):
    """The request body exceeds `MAX_BODY`."""


def check_content_length(value: str | None) -> Answer | None:
    """Refuse early when ``Content-Length`` already says the body is too large (or is junk)."""
    if value is None:
        return None
    if not value.strip().isdigit():
        return Answer(400, "Content-Length is not a number")
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
) -> Answer:
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
        return Answer(400, exc.reason)
    except SignatureError as exc:
        return Answer(401, f"signature refused: {exc.reason}")
    checked = await _checked(ctx, _Request(method, url, headers, body, key_id), parsed, group_uid)
    if isinstance(checked, Answer):
        return checked
    return await InboxWriter.of(ctx.sessions).store(checked)


async def _checked(
    ctx: Context, request: _Request, activity: dict[str, Any], group_uid: str | None
) -> Answer | Row:
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
) -> Answer | Row:
    """Every check, in order: the refusal, or the row to store."""
    if (reason := await refused_key(ctx, session, request.key_id)) is not None:
        return Answer(403, reason)
    group_id: int | None = None
    if group_uid is not None:
        group_id = await group_id_by_uid(session, group_uid)
        if group_id is None:
            return Answer(404, "no such group")
    if session.in_transaction():
        # Filling a cold cache (rules, group ids) read the database: nothing is written
        # yet, so the connection goes back to the pool rather than being held while the
        # key is fetched. Else a flood naming a slow key holds every pooled connection,
        # and every other request (WebFinger, well-signed POSTs) waits for one.
        await session.rollback()
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
        return Answer(401, f"signature refused: {exc.reason}")
    actor = actor_id(activity)
    if signer.ap_id != actor:
        # Checked before anything is stored: a valid signature by one actor must not
        # carry an activity in another actor's name (Fedify CVE-2025-54888).
        return Answer(401, "signer is not the actor")
    if (reason := misplaced_activity(ctx, activity, signer.ap_id)) is not None:
        return Answer(400, reason)
    if (reason := await refused_actor(ctx, session, signer.ap_id, group_id)) is not None:
        return Answer(403, reason)
    return Row(activity["id"], actor, group_id, activity, netloc_of(signer.ap_id))
