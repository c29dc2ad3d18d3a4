"""Verifying a signed request against the signer's published key."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.keycache import Signer
from actors.keys import load_public_key
from actors.remote import ActorError, signer_of
from federation.httpsig import SignatureError, signature_key_id, verify_request


async def verify_signed_request(
    ctx: Context,
    session: AsyncSession,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str | None = None,
) -> Signer:
    """The owner of the key that signed this request; SignatureError when it does not verify.

    The key comes from the per-process cache when it can (``actors.remote.KeyCache``).
    A key that fails, cached or stored, is re-fetched once from its origin, so a peer
    that rotated its key is believed after checking the new one at the source.
    ``key_id``, when given, is the request's already (``signature_key_id``).
    """
    key_id = key_id or signature_key_id(method, headers)
    try:
        signer = await signer_of(ctx, session, key_id)
    except ActorError as exc:
        raise SignatureError(str(exc)) from exc
    try:
        _verify(signer, method, url, headers, body)
    except SignatureError:
        try:
            signer = await signer_of(ctx, session, key_id, refresh=True)
        except ActorError as exc:
            raise SignatureError(str(exc)) from exc
        _verify(signer, method, url, headers, body)
    return signer


def _verify(
    signer: Signer, method: str, url: str, headers: Mapping[str, str], body: bytes | None
) -> None:
    if signer.public_key_pem is None:
        raise SignatureError(f"{signer.ap_id} publishes no public key")
    # An unusable PEM was not parsed: parsing it again raises the reason.
    key = signer.public_key or load_public_key(signer.public_key_pem)
    verify_request(method, url, headers, body, key)
