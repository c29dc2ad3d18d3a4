"""Verifying a signed request against the signer's published key."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from actors.context import Context
from actors.keys import load_public_key
from actors.models import RemoteActor
from actors.remote import ActorError, actor_for_key
from federation.httpsig import SignatureError, signature_key_id, verify_request


async def verify_signed_request(
    ctx: Context,
    session: AsyncSession,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
) -> RemoteActor:
    """The actor whose key signed this request; SignatureError when it does not verify.

    A key that fails is re-fetched once from its origin, so a peer that rotated
    its key is believed after checking the new one at the source.
    """
    key_id = signature_key_id(method, headers)
    try:
        actor = await actor_for_key(ctx, session, key_id)
    except ActorError as exc:
        raise SignatureError(str(exc)) from exc
    try:
        _verify(actor, method, url, headers, body)
    except SignatureError:
        try:
            actor = await actor_for_key(ctx, session, key_id, refresh=True)
        except ActorError as exc:
            raise SignatureError(str(exc)) from exc
        _verify(actor, method, url, headers, body)
    return actor


def _verify(
    actor: RemoteActor, method: str, url: str, headers: Mapping[str, str], body: bytes | None
) -> None:
    if actor.public_key_pem is None:
        raise SignatureError(f"{actor.ap_id} publishes no public key")
    verify_request(method, url, headers, body, load_public_key(actor.public_key_pem))
