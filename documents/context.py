"""The ``@context`` a top-level document needs, worked out from the object it carries."""

from __future__ import annotations

from typing import Any

from documents import event, offer, poll
from documents.common import jsonld_context
from federation.proofs import DATA_INTEGRITY_CONTEXT, DID_CONTEXT, MULTIKEY_CONTEXT
from federation.vocab import AS_CONTEXT, SECURITY_CONTEXT, first_type

# Mastodon's extension terms, so `manuallyApprovesFollowers`, `discoverable`,
# `featured` and PropertyValue fields are understood by JSON-LD processors too; and the
# topics' `Hashtag`s and the languages as Lemmy declares them (documents.whereabouts).
ACTOR_CONTEXT: list[Any] = [
    AS_CONTEXT,
    SECURITY_CONTEXT,
    # A group's Ed25519 key in ``assertionMethod`` (FEP-521a), declared as Fedify does:
    # only the DID context defines ``assertionMethod`` outside a proof.
    DATA_INTEGRITY_CONTEXT,
    DID_CONTEXT,
    MULTIKEY_CONTEXT,
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "Hashtag": "as:Hashtag",
        "toot": "http://joinmastodon.org/ns#",
        "featured": {"@id": "toot:featured", "@type": "@id"},
        "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
        "movedTo": {"@id": "as:movedTo", "@type": "@id"},
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
        "language": "schema:inLanguage",
        "identifier": "schema:identifier",
        "webfinger": "https://purl.archive.org/socialweb/webfinger#webfinger",
        "mz": "https://joinmobilizon.org/ns#",
        "members": {"@id": "mz:members", "@type": "@id"},
    },
]


def object_context(obj: dict[str, Any]) -> list[Any]:
    """ActivityStreams plus the extension terms ``obj`` uses.

    A plain Note gets only ``sensitive``/``Hashtag`` (as Mastodon declares them); an
    offer or need adds FEP-0837's terms, an Event Mobilizon's, a Question ``votersCount``.
    """
    kind = first_type(obj)
    if kind == "Event":
        return jsonld_context(event.CONTEXT_TERMS)
    if kind == "Question":
        return jsonld_context(poll.CONTEXT_TERMS)
    if "purpose" in obj:
        return jsonld_context(offer.context_terms(obj))
    return jsonld_context()
