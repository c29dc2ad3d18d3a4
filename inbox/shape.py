"""Reading the parts of an incoming activity: its id, actor and object.

Activities arrive as untrusted JSON (whose shape ``federation.payload`` checked).
These accessors never raise on odd input; they return None where a part is missing
or of the wrong kind, and callers decide. Origins are ``federation.origin``'s job.
"""

from __future__ import annotations

from typing import Any

from federation.origin import is_http_url
from federation.vocab import first_type, get_id


def http_url(value: Any) -> str | None:
    """``value`` when it is an http(s) URL with a usable origin (``federation.origin``)."""
    return value if isinstance(value, str) and is_http_url(value) else None


def actor_id(activity: dict[str, Any]) -> str | None:
    """The activity's ``actor`` as an http(s) id (a string, or an object with an id)."""
    actor = get_id(activity.get("actor"))
    return actor if isinstance(actor, str) and is_http_url(actor) else None


def object_of(activity: dict[str, Any]) -> Any:
    """The activity's ``object`` as given: an id, an embedded object, or None."""
    return activity.get("object")


def object_id(activity: dict[str, Any]) -> str | None:
    """The id of the activity's object, embedded or referenced."""
    return http_url(get_id(object_of(activity)))


def object_type(activity: dict[str, Any]) -> str | None:
    """The first type of an embedded object; None when the object is only referenced."""
    obj = object_of(activity)
    return first_type(obj) if isinstance(obj, dict) else None


def requester(activity: dict[str, Any], signer: str) -> str | None:
    """The activity's actor when it is the actor who signed the request, else None.

    The receive pipeline already refuses anything else; handlers check again so that
    an item stored some other way can never act in another actor's name.
    """
    actor = actor_id(activity)
    return actor if actor is not None and actor == signer else None
