"""RSA key pairs for local actors, their Ed25519 keys for integrity proofs, and parsing
the PEM keys actors publish."""

from __future__ import annotations

import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.httpsig import PrivateKey, PublicKey, SignatureError


def generate_key_pair() -> tuple[str, str]:
    """A new RSA-2048 key pair as (private PEM, public PEM): what Mastodon expects."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def load_private_key(pem: str) -> PrivateKey:
    """Parse one of our PEM private keys (RSA or Ed25519)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"unsupported private key type {type(key).__name__}")
    return key


def load_public_key(pem: str) -> PublicKey:
    """Parse a published PEM public key; SignatureError when it is unusable."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise SignatureError("the actor's public key is not valid PEM") from exc
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise SignatureError(f"unsupported public key type {type(key).__name__}")
    return key


def generate_ed25519_pem() -> str:
    """A new Ed25519 private key as PEM: a group's key for integrity proofs (FEP-8b32)."""
    return (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@functools.lru_cache(maxsize=1024)
def ed25519_key(pem: str) -> ed25519.Ed25519PrivateKey:
    """Parse a group's Ed25519 private PEM (cached: every activity it sends is signed)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 private key, got {type(key).__name__}")
    return key


def assertion_key_id(actor_id: str) -> str:
    """The id of the Ed25519 key an actor lists in ``assertionMethod`` (as Mitra names it)."""
    return actor_id + "#ed25519-key"
