"""Getting an object from its origin rather than trusting the copy an activity carries,
unless that copy carries a valid integrity proof by its owner (FEP-8b32)."""

from __future__ import annotations

import logging
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.remote import ActorError, fetch_signed, get_actor, strip_fragment
from federation.fetch_errors import (
    BadContentType,
    BadStatus,
    ForbiddenAddress,
    IdMismatch,
    InvalidDocument,
    TooLarge,
    UnsupportedURL,
)
from federation.origin import same_origin
from federation.proofs import (
    Proof,
    ProofError,
    UnusableProof,
    assertion_key,
    check,
    read_proof,
)
from federation.vocab import as_list, get_id
from inbox.objects import owned_by
from inbox.shape import object_id, object_of
from store.db import utcnow

log = logging.getLogger("mutuals.inbox")

# Failures that will not change on a retry: the object is gone or never was valid.
_PERMANENT = (
    BadContentType,
    ForbiddenAddress,
    IdMismatch,
    InvalidDocument,
    TooLarge,
    UnsupportedURL,
)
_GONE_STATUSES = frozenset({400, 403, 404, 410})


async def fetch_from_origin(ctx: Context, url: str) -> dict[str, Any] | None:
    """The object served at ``url`` (its id checked against the URL), or None when it is gone.

    Transient failures (timeouts, 5xx, refused connections) raise ``FetchError``, so the
    inbox worker retries the item later.
    """
    if ctx.urls.is_local(url):
        return None  # ours: never fetched over the network, and never stored as remote
    try:
        return await fetch_signed(ctx, url)
    except BadStatus as exc:
        if exc.status_code in _GONE_STATUSES:
            log.info("not storing %s: its origin answers %s", url, exc.status_code)
            return None
        raise
    except _PERMANENT as exc:
        log.info("not storing %s: %s", url, exc)
        return None


async def object_from_actor(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], actor: str
) -> dict[str, Any] | None:
    """The activity's object as its origin has it.

    An embedded copy is used when its id and every ``attributedTo`` are on the actor's
    own origin (the actor speaks for its server, and only for it); otherwise only with
    a valid integrity proof by its owner (`proven_or_fetched`).
    """
    embedded = object_of(activity)
    url = object_id(activity)
    if url is None:
        return None
    if isinstance(embedded, dict) and speaks_for(actor, embedded):
        return embedded
    return await proven_or_fetched(session, ctx, embedded, url)


async def proven_or_fetched(
    session: AsyncSession, ctx: Context, embedded: Any, url: str
) -> dict[str, Any] | None:
    """The object ``url``: the ``embedded`` copy when it carries a valid integrity proof
    by its owner's key, else as fetched from its origin (`fetch_from_origin`).

    A copy whose proof is invalid (altered, or made with a key that is not its owner's)
    is refused: None, and the reason logged. A proof that cannot be checked (another
    cryptosuite, an expired proof, an owner that cannot be fetched) is ignored, as
    FEP-8b32 says: the object is fetched as if it had none.
    """
    if isinstance(embedded, dict) and "proof" in embedded and get_id(embedded) == url:
        try:
            return await _proven(session, ctx, embedded)
        except UnusableProof as exc:
            log.info("not using the integrity proof of %s: %s; fetching it", url, exc)
        except ProofError as exc:
            log.warning("refusing %s: its integrity proof is invalid: %s", url, exc)
            return None
    return await fetch_from_origin(ctx, url)


async def _proven(session: AsyncSession, ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc``, once its proof is checked with the Multikey its owner's actor publishes."""
    proof = read_proof(doc, utcnow())
    owner = strip_fragment(proof.key_id)
    if not owned_by(doc, owner):
        raise ProofError(f"the proof's key {proof.key_id} is not a key of the object's owner")
    try:
        key = await _owner_key(session, ctx, owner, proof)
    except ActorError as exc:
        raise UnusableProof(f"its owner's key cannot be read: {exc}") from exc
    check(doc, proof, key)
    return doc


async def _owner_key(
    session: AsyncSession, ctx: Context, owner: str, proof: Proof
) -> ed25519.Ed25519PublicKey:
    actor = await get_actor(ctx, session, owner)
    try:
        return assertion_key(actor.document, proof.key_id)
    except ProofError:
        if proof.created is None or actor.fetched_at >= proof.created:
            raise
    # Our copy of the actor is older than the proof: the key may be new since.
    actor = await get_actor(ctx, session, owner, refresh=True)
    return assertion_key(actor.document, proof.key_id)


def speaks_for(actor: str, doc: dict[str, Any]) -> bool:
    """True when ``doc``'s id and all its ``attributedTo`` ids are on ``actor``'s origin."""
    owners = [get_id(value) for value in as_list(doc.get("attributedTo"))]
    return all(isinstance(url, str) and same_origin(url, actor) for url in [get_id(doc), *owners])
