"""What a group sent, as it was before the group signed it (FEP-8b32 integrity proofs), for
tests that compare whole documents: the proofs are checked to be there, then taken out."""

from __future__ import annotations

from typing import Any

from federation.proofs import CRYPTOSUITE, DATA_INTEGRITY_CONTEXT


def _without_proof(doc: dict[str, Any]) -> dict[str, Any]:
    assert doc["proof"]["cryptosuite"] == CRYPTOSUITE, doc.get("proof")
    bare = {key: value for key, value in doc.items() if key != "proof"}
    context = [item for item in bare["@context"] if item != DATA_INTEGRITY_CONTEXT]
    # Signing turned a lone context string into a list, to add the Data Integrity one.
    bare["@context"] = context[0] if len(context) == 1 and isinstance(context[0], str) else context
    return bare


def unsigned(activity: dict[str, Any]) -> dict[str, Any]:
    """``activity`` without its proof, nor its object's when the group signed that too
    (the object then loses the ``@context`` it was given to be signed)."""
    bare = _without_proof(activity)
    obj = bare.get("object")
    if isinstance(obj, dict) and "proof" in obj:
        bare["object"] = {k: v for k, v in _without_proof(obj).items() if k != "@context"}
    return bare
