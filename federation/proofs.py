"""Object integrity proofs (FEP-8b32): ``eddsa-jcs-2022`` over JSON documents, and the
Ed25519 ``Multikey`` (FEP-521a) an actor publishes in ``assertionMethod`` to check them.

A proof is made as W3C Data Integrity EdDSA says: the proof options (the proof without
``proofValue``, given the document's ``@context``) and the document without its
``proof`` are each canonicalized with JCS (RFC 8785) and hashed with SHA-256; the
Ed25519 signature covers the two hashes, proof first, and travels base58btc-encoded.

`read_proof` checks everything that needs no key; `check` the signature itself. Both
raise `ProofError` with a one-line reason. `UnusableProof` (another cryptosuite, an
expired proof) means the proof is to be ignored: FEP-8b32 then has the verifier
authenticate the object as it would without one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from federation.vocab import as_list, get_id

DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
PURPOSE = "assertionMethod"
CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far in the future a proof's ``created`` may be: the clocks of two servers differ."""

_DATA_INTEGRITY_CONTEXTS = "https://w3id.org/security/data-integrity/v"  # v1 or v2
_ED25519_PUB = b"\xed\x01"  # the multicodec prefix of an Ed25519 public key (varint 0xed)


class ProofError(Exception):
    """A proof that is malformed or does not verify; its message says what is wrong."""


class UnusableProof(ProofError):
    """A proof this server cannot check (another cryptosuite, expired): ignored."""


@dataclass(frozen=True)
class Proof:
    """A document's proof, its shape checked: what `check` verifies against a key."""

    options: dict[str, Any]
    signature: bytes
    key_id: str
    created: dt.datetime | None


def multikey(key: ed25519.Ed25519PublicKey) -> str:
    """``publicKeyMultibase`` of an Ed25519 key: ``z`` + base58btc(0xed01 + raw key)."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB + raw).decode()


def _base58btc(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 200:
        raise ProofError(f"{what} is not base58btc multibase (a string starting with 'z')")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError(f"{what} is not valid base58btc") from exc


def public_key(value: Any) -> ed25519.Ed25519PublicKey:
    """The Ed25519 key a ``publicKeyMultibase`` holds; `ProofError` for anything else."""
    decoded = _base58btc(value, "publicKeyMultibase")
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PUB):
        raise ProofError("publicKeyMultibase is not an Ed25519 key (multicodec 0xed)")
    return ed25519.Ed25519PublicKey.from_public_bytes(decoded[2:])


def multikey_document(
    key_id: str, controller: str, key: ed25519.Ed25519PublicKey
) -> dict[str, str]:
    """The ``Multikey`` an actor lists in ``assertionMethod`` (FEP-521a)."""
    return {
        "id": key_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": multikey(key),
    }


def assertion_key(actor: dict[str, Any], key_id: str) -> ed25519.Ed25519PublicKey:
    """The key ``key_id`` among the actor's ``assertionMethod`` Multikeys, controlled by it."""
    for method in as_list(actor.get("assertionMethod")):
        if not isinstance(method, dict) or get_id(method) != key_id:
            continue
        if method.get("type") != "Multikey" or get_id(method.get("controller")) != actor.get("id"):
            raise ProofError(f"{key_id} is not a Multikey controlled by {actor.get('id')}")
        return public_key(method.get("publicKeyMultibase"))
    raise ProofError(f"{key_id} is not among the assertionMethod keys of {actor.get('id')}")


def _canonical_hash(doc: dict[str, Any]) -> bytes:
    try:
        return hashlib.sha256(rfc8785.dumps(doc)).digest()
    except rfc8785.CanonicalizationError as exc:
        raise ProofError(f"the document cannot be canonicalized (JCS): {exc}") from exc


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """What the signature covers: hash(proof options) + hash(document without proof)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    if "@context" in options:
        unsecured["@context"] = options["@context"]
    config = dict(options)
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    return _canonical_hash(config) + _canonical_hash(unsecured)


def _xsd_datetime(when: dt.datetime) -> str:
    # In UTC with a Z, to the second: Fedify rebuilds the proof options it hashes from
    # a Temporal.Instant, whose string form is exactly this.
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    document: dict[str, Any],
    key: ed25519.Ed25519PrivateKey,
    key_id: str,
    created: dt.datetime,
) -> dict[str, Any]:
    """``document`` with an ``eddsa-jcs-2022`` proof by ``key`` (published as ``key_id``).

    A document with an ``@context`` gets the Data Integrity context in it, if missing:
    JSON-LD processors such as Fedify's drop a ``proof`` whose term is undefined. The
    proof repeats the document's ``@context``, as Fedify and the FEP's examples do.
    """
    context = document.get("@context")
    if context is not None and not any(
        isinstance(item, str) and item.startswith(_DATA_INTEGRITY_CONTEXTS)
        for item in as_list(context)
    ):
        document = {**document, "@context": [*as_list(context), DATA_INTEGRITY_CONTEXT]}
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": key_id,
        "proofPurpose": PURPOSE,
        "created": _xsd_datetime(created),
    }
    if "@context" in document:
        options = {"@context": document["@context"], **options}
    signature = key.sign(_hash_data(document, options))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**{k: v for k, v in document.items() if k != "proof"}, "proof": proof}


def _time(value: Any, name: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise ProofError(f"the proof's {name} is not a date and time with a time zone")
    return when


def _context_prefix(document: dict[str, Any], options: dict[str, Any]) -> None:
    if "@context" not in options:
        return
    wanted = as_list(options["@context"])
    if as_list(document.get("@context"))[: len(wanted)] != wanted:
        raise ProofError("the proof's @context does not begin the document's @context")


def read_proof(document: dict[str, Any], now: dt.datetime) -> Proof:
    """The one proof of ``document``, every field checked but the signature."""
    found = as_list(document.get("proof"))
    if len(found) != 1 or not isinstance(found[0], dict):
        raise ProofError("the document must carry exactly one proof object")
    proof = found[0]
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise UnusableProof(
            f"unsupported proof {proof.get('type')!r}/{proof.get('cryptosuite')!r}; "
            f"only {PROOF_TYPE}/{CRYPTOSUITE} is checked"
        )
    if proof.get("proofPurpose") != PURPOSE:
        raise ProofError(f"the proof's purpose is not {PURPOSE}")
    key_id = proof.get("verificationMethod")
    if isinstance(key_id, str) and key_id.startswith("did:"):
        raise UnusableProof("DID verification methods (FEP-c390, FEP-ef61) are not supported")
    if not isinstance(key_id, str) or urlsplit(key_id).scheme not in ("http", "https"):
        raise ProofError("the proof's verificationMethod is not an http(s) URL")
    created = _time(proof["created"], "created") if "created" in proof else None
    if created is not None and created > now + CLOCK_SKEW:
        raise ProofError("the proof was created in the future")
    if "expires" in proof and _time(proof["expires"], "expires") <= now:
        raise UnusableProof("the proof has expired")
    _context_prefix(document, proof)
    signature = _base58btc(proof.get("proofValue"), "proofValue")
    if len(signature) != 64:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature")
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    return Proof(options, signature, key_id, created)


def check(document: dict[str, Any], proof: Proof, key: ed25519.Ed25519PublicKey) -> None:
    """Verify ``proof`` (from `read_proof`) over ``document`` with ``key``."""
    try:
        key.verify(proof.signature, _hash_data(document, proof.options))
    except InvalidSignature as exc:
        raise ProofError("the proof's signature does not match the document") from exc
