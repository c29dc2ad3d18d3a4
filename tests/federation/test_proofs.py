"""Integrity proofs (FEP-8b32, eddsa-jcs-2022): the published test vectors, what Fedify
signs, and every malformed or hostile proof refused with its reason."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from federation import proofs
from federation.proofs import Proof, ProofError, UnusableProof

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
CREATED = dt.datetime(2023, 2, 24, 23, 36, 38, tzinfo=dt.UTC)
ALICE = "https://server.example/users/alice"
KEY_ID = ALICE + "#ed25519-key"
# The key pair of the FEP-8b32 feature file and the W3C vc-di-eddsa vectors (keyPair.json).
SECRET_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
PUBLIC_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
AS = "https://www.w3.org/ns/activitystreams"
DI_V1 = "https://w3id.org/security/data-integrity/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"


def vector_key() -> ed25519.Ed25519PrivateKey:
    decoded = base58.b58decode(SECRET_MULTIBASE[1:])
    assert decoded[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return ed25519.Ed25519PrivateKey.from_private_bytes(decoded[2:])


def create(context: list[str]) -> dict[str, Any]:
    """The activity of fep-8b32.feature (and of Fedify's proof tests)."""
    return {
        "@context": context,
        "id": "https://server.example/activities/1",
        "type": "Create",
        "actor": ALICE,
        "object": {
            "id": "https://server.example/objects/1",
            "type": "Note",
            "attributedTo": ALICE,
            "content": "Hello world",
            "location": {"type": "Place", "longitude": -71.184902, "latitude": 25.273962},
        },
    }


FEP_ACTOR = {
    "@context": [AS, DI_V2, "https://w3id.org/security/multikey/v1"],
    "type": "Person",
    "id": ALICE,
    "inbox": ALICE + "/inbox",
    "outbox": ALICE + "/outbox",
    "assertionMethod": [
        {
            "id": KEY_ID,
            "type": "Multikey",
            "controller": ALICE,
            "publicKeyMultibase": PUBLIC_MULTIBASE,
        }
    ],
}
FEP_PROOF_VALUE = (
    "z42ffGu6AUKPCFcFPiabmUvnGLPJzC7e4DGWC52NUasSSH37UMa9c58tdgVszUcZfytxa4fQ5TYHaJENCxUDe9SdL"
)
# Fedify's signObject() of the same activity with data-integrity/v1
# (packages/fedify/src/sig/proof.test.ts, "signObject()").
FEDIFY_PROOF_VALUE = (
    "zLaewdp4H9kqtwyrLatK4cjY5oRHwVcw4gibPSUDYDMhi4M49v8pcYk3ZB6D69dNpAPbUmY8ocuJ3m9KhKJEEg7z"
)

W3C_PROOF_VALUE = (
    "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
)

# A Note as Fedify 1.5.9's signObject() signs it (a live run: nanosecond `created`, the
# proof repeating the @context with Fedify's extension terms).
FEDIFY_NOTE = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v1",
        {
            "toot": "http://joinmastodon.org/ns#",
            "misskey": "https://misskey-hub.net/ns#",
            "fedibird": "http://fedibird.com/ns#",
            "sensitive": "as:sensitive",
            "Emoji": "toot:Emoji",
            "Hashtag": "as:Hashtag",
            "quoteUrl": "as:quoteUrl",
            "_misskey_quote": "misskey:_misskey_quote",
            "quoteUri": "fedibird:quoteUri",
            "emojiReactions": {"@id": "fedibird:emojiReactions", "@type": "@id"},
        },
    ],
    "id": "https://fedify.example/notes/1",
    "type": "Note",
    "proof": {
        "type": "DataIntegrityProof",
        "created": "2026-12-04T18:35:29.328329214Z",
        "cryptosuite": "eddsa-jcs-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": (
            "zpkm2qC1fhuF7XPpku9tkxPxMJHKknxs7dCD7iNXCbdwNiu87d9WFdeB9qBK7uzZasiGRBPJsAhvZPxQBknsF7TM"
        ),
        "verificationMethod": "https://fedify.example/users/ann#key-2",
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/data-integrity/v1",
            {
                "toot": "http://joinmastodon.org/ns#",
                "misskey": "https://misskey-hub.net/ns#",
                "fedibird": "http://fedibird.com/ns#",
                "sensitive": "as:sensitive",
                "Emoji": "toot:Emoji",
                "Hashtag": "as:Hashtag",
                "quoteUrl": "as:quoteUrl",
                "_misskey_quote": "misskey:_misskey_quote",
                "quoteUri": "fedibird:quoteUri",
                "emojiReactions": {"@id": "fedibird:emojiReactions", "@type": "@id"},
            },
        ],
    },
    "content": "Héllo from Fedify ✊",
    "published": "2026-12-04T18:35:29.214328724Z",
}
FEDIFY_KEY = "z6MkiWxymUpAEySmUAFoq5kyZ9xS3hbDaz59XNpLqzCaXGcT"


def verify(document: dict[str, Any], actor: dict[str, Any] = FEP_ACTOR) -> None:
    proof = proofs.read_proof(document, NOW)
    proofs.check(document, proof, proofs.assertion_key(actor, proof.key_id))


def test_the_vector_key_is_the_published_multikey() -> None:
    public = vector_key().public_key()
    assert proofs.multikey(public) == PUBLIC_MULTIBASE
    assert proofs.public_key(PUBLIC_MULTIBASE) == public


def test_signing_reproduces_the_fep_8b32_vector() -> None:
    signed = proofs.sign(create([AS, DI_V2]), vector_key(), KEY_ID, CREATED)
    assert signed["@context"] == [AS, DI_V2]  # a data-integrity context is not added twice
    assert signed["proof"] == {
        "@context": [AS, DI_V2],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": KEY_ID,
        "proofPurpose": "assertionMethod",
        "created": "2023-02-24T23:36:38Z",
        "proofValue": FEP_PROOF_VALUE,
    }
    verify(signed)


def test_fedify_signed_object_verifies_and_is_reproduced() -> None:
    # The exact JSON Fedify's signObject() emits: the proof repeats the @context.
    fedify = {
        **create([AS, DI_V1]),
        "proof": {
            "@context": [AS, DI_V1],
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "verificationMethod": KEY_ID,
            "proofPurpose": "assertionMethod",
            "proofValue": FEDIFY_PROOF_VALUE,
            "created": "2023-02-24T23:36:38Z",
        },
    }
    verify(fedify)
    ours = proofs.sign(create([AS, DI_V1]), vector_key(), KEY_ID, CREATED)
    assert ours["proof"]["proofValue"] == FEDIFY_PROOF_VALUE


def test_a_note_fedify_signed_verifies() -> None:
    proof = proofs.read_proof(FEDIFY_NOTE, dt.datetime(2026, 12, 5, tzinfo=dt.UTC))
    assert proof.key_id == "https://fedify.example/users/ann#key-2"
    proofs.check(FEDIFY_NOTE, proof, proofs.public_key(FEDIFY_KEY))
    with pytest.raises(ProofError, match="does not match"):
        proofs.check({**FEDIFY_NOTE, "content": "Hello"}, proof, proofs.public_key(FEDIFY_KEY))


def test_w3c_eddsa_jcs_2022_vector() -> None:
    # vc-di-eddsa TestVectors/eddsa-jcs-2022/signedJCS.json
    context = [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ]
    method = "did:key:" + PUBLIC_MULTIBASE + "#" + PUBLIC_MULTIBASE
    signed = {
        "@context": context,
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": method,
            "proofPurpose": "assertionMethod",
            "@context": context,
            "proofValue": W3C_PROOF_VALUE,
        },
    }
    # DID verification methods are not resolved (no actor vouches for them): ignored.
    with pytest.raises(UnusableProof, match="DID"):
        proofs.read_proof(signed, NOW)
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    signature = base58.b58decode(signed["proof"]["proofValue"][1:])
    proof = Proof(options, signature, method, CREATED)
    proofs.check(signed, proof, proofs.public_key(PUBLIC_MULTIBASE))
    signed["validFrom"] = "2024-01-01T00:00:00Z"
    with pytest.raises(ProofError, match="does not match"):
        proofs.check(signed, proof, proofs.public_key(PUBLIC_MULTIBASE))


def test_sign_adds_the_data_integrity_context_and_verifies() -> None:
    signed = proofs.sign({"@context": AS, "id": "https://a.example/1"}, vector_key(), KEY_ID, NOW)
    assert signed["@context"] == [AS, DI_V1]
    assert signed["proof"]["created"] == "2026-12-04T12:00:00Z"
    verify(signed)


def signed_note(**proof_changes: Any) -> dict[str, Any]:
    doc = proofs.sign(create([AS, DI_V1]), vector_key(), KEY_ID, CREATED)
    doc["proof"].update(proof_changes)
    return doc


@pytest.mark.parametrize(
    ("change", "error", "reason"),
    [
        ({"cryptosuite": "eddsa-rdfc-2022"}, UnusableProof, "unsupported proof"),
        ({"cryptosuite": "jcs-eddsa-2022"}, UnusableProof, "unsupported proof"),
        ({"type": "Ed25519Signature2020"}, UnusableProof, "unsupported proof"),
        ({"expires": "2024-01-01T00:00:00Z"}, UnusableProof, "expired"),
        ({"proofPurpose": "authentication"}, ProofError, "purpose"),
        ({"verificationMethod": "alice"}, ProofError, "http"),
        ({"verificationMethod": 3}, ProofError, "http"),
        ({"created": "2026-12-04T13:00:00Z"}, ProofError, "in the future"),
        ({"created": "2023-02-24T23:36:38"}, ProofError, "time zone"),
        ({"created": "yesterday"}, ProofError, "created"),
        ({"proofValue": "u" + FEP_PROOF_VALUE[1:]}, ProofError, "multibase"),
        ({"proofValue": "z0OIl"}, ProofError, "not valid base58btc"),
        ({"proofValue": "z" + base58.b58encode(b"short").decode()}, ProofError, "64-byte"),
        ({"proofValue": None}, ProofError, "multibase"),
        ({"@context": ["https://evil.example/context"]}, ProofError, "@context"),
    ],
)
def test_malformed_proofs_are_refused_with_a_reason(
    change: dict[str, Any], error: type[ProofError], reason: str
) -> None:
    with pytest.raises(error, match=reason):
        verify(signed_note(**change))


def test_a_proof_created_within_the_clock_skew_is_accepted() -> None:
    soon = NOW + dt.timedelta(minutes=2)
    doc = proofs.sign(create([AS, DI_V1]), vector_key(), KEY_ID, soon)
    verify(doc)


def test_tampered_documents_and_proofs_do_not_verify() -> None:
    doc = signed_note()
    tampered = copy.deepcopy(doc)
    tampered["object"]["content"] = "Goodbye world"
    with pytest.raises(ProofError, match="does not match"):
        verify(tampered)
    backdated = signed_note(created="2023-02-24T23:36:39Z")
    with pytest.raises(ProofError, match="does not match"):
        verify(backdated)
    other_key = ed25519.Ed25519PrivateKey.generate()
    forged = proofs.sign(create([AS, DI_V1]), other_key, KEY_ID, CREATED)
    with pytest.raises(ProofError, match="does not match"):
        verify(forged)


def test_documents_without_exactly_one_proof_are_refused() -> None:
    doc = signed_note()
    with pytest.raises(ProofError, match="exactly one"):
        verify({**doc, "proof": [doc["proof"], doc["proof"]]})
    with pytest.raises(ProofError, match="exactly one"):
        verify({**doc, "proof": "z123"})
    verify({**doc, "proof": [doc["proof"]]})  # a set of one is the same proof


def test_values_json_cannot_canonicalize_are_refused() -> None:
    # RFC 8785 serializes numbers as I-JSON: integers past 2^53 are not representable.
    doc = proofs.sign(create([AS, DI_V1]), vector_key(), KEY_ID, CREATED)
    doc["object"]["likes"] = 2**60
    with pytest.raises(ProofError, match="canonicalized"):
        verify(doc)


def test_assertion_keys_must_be_the_actors_own_multikeys() -> None:
    with pytest.raises(ProofError, match="not among the assertionMethod keys"):
        proofs.assertion_key(FEP_ACTOR, ALICE + "#other-key")
    stolen = {**FEP_ACTOR["assertionMethod"][0], "controller": "https://evil.example/mallory"}
    with pytest.raises(ProofError, match="not a Multikey controlled by"):
        proofs.assertion_key({**FEP_ACTOR, "assertionMethod": stolen}, KEY_ID)
    not_multikey = {**FEP_ACTOR["assertionMethod"][0], "type": "JsonWebKey"}
    with pytest.raises(ProofError, match="not a Multikey"):
        proofs.assertion_key({**FEP_ACTOR, "assertionMethod": [not_multikey]}, KEY_ID)
    with pytest.raises(ProofError, match="not among"):
        proofs.assertion_key({**FEP_ACTOR, "assertionMethod": []}, KEY_ID)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("z" + base58.b58encode(b"\x12\x00" + bytes(33)).decode(), "not an Ed25519 key"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "not an Ed25519 key"),
        ("f" + "ed01" + "00" * 32, "base58btc multibase"),
        ("zIl0O", "not valid base58btc"),
        ({"value": PUBLIC_MULTIBASE}, "base58btc multibase"),
    ],
)
def test_malformed_multikeys_are_refused(value: Any, reason: str) -> None:
    with pytest.raises(ProofError, match=reason):
        proofs.public_key(value)


def test_multikey_document_round_trip() -> None:
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    method = proofs.multikey_document(KEY_ID, ALICE, public)
    assert method["type"] == "Multikey"
    actor = {"id": ALICE, "assertionMethod": [method]}
    assert proofs.assertion_key(actor, KEY_ID) == public
