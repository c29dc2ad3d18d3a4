"""Signing and verifying bytes with a named algorithm and a `cryptography` key.

Algorithm names are the RFC 9421 registry names; draft-cavage names are mapped
onto them by `cavage.py`.
"""

from typing import TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from .errors import SignatureError

PublicKey: TypeAlias = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

RSA_V1_5_SHA256 = "rsa-v1_5-sha256"
RSA_PSS_SHA512 = "rsa-pss-sha512"
ED25519 = "ed25519"
ALGORITHMS = frozenset({RSA_V1_5_SHA256, RSA_PSS_SHA512, ED25519})

# RFC 9421 section 3.3.1: MGF1 with SHA-512 and a 64-byte salt.
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)


def default_algorithm(key: PublicKey | PrivateKey) -> str:
    """The algorithm to use with ``key`` when none is named.

    An RSA key means RSASSA-PKCS1-v1_5 with SHA-256, as Mastodon and Fedify do.
    """
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return RSA_V1_5_SHA256
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return ED25519
    raise SignatureError(f"unsupported key type {type(key).__name__}")


def _check_pair(algorithm: str, key: PublicKey | PrivateKey) -> None:
    if algorithm not in ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {algorithm!r}")
    is_rsa = isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey)
    if is_rsa != (algorithm != ED25519):
        raise SignatureError(f"algorithm {algorithm!r} does not match the key type")


def sign_bytes(algorithm: str, key: PrivateKey, data: bytes) -> bytes:
    """Sign ``data`` with ``key`` using the named algorithm."""
    _check_pair(algorithm, key)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if algorithm == RSA_PSS_SHA512:
        return key.sign(data, _PSS, hashes.SHA512())
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify_bytes(algorithm: str, key: PublicKey, data: bytes, signature: bytes) -> None:
    """Check ``signature`` over ``data``; raise `SignatureError` if it is wrong."""
    _check_pair(algorithm, key)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif algorithm == RSA_PSS_SHA512:
            key.verify(signature, data, _PSS, hashes.SHA512())
        else:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("signature does not verify") from None
