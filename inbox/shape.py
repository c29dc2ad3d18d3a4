"""Reading the parts of an incoming activity: its id, actor, object and their origins.

Activities arrive as untrusted JSON. These accessors never raise on odd input; they
return None where a part is missing or of the wrong kind, and callers decide.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from federation.vocab import first_type, get_id


def http_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None."""
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme in {"http", "https"} and parts.hostname else None


def origin(url: str) -> str:
    """The normalised origin of a URL: scheme, lowercase host without a trailing dot, port.

    Default ports are dropped, so ``https://Example.org:443/`` and ``https://example.org``
    share an origin.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    suffix = f":{port}" if port is not None and port != default else ""
    return f"{parts.scheme}://{host}{suffix}"


def same_origin(a: str, b: str) -> bool:
    """True when two URLs share scheme, host and port."""
    return origin(a) == origin(b)


def actor_id(activity: dict[str, Any]) -> str | None:
    """The activity's ``actor`` as an http(s) id (a string, or an object with an id)."""
    return http_url(get_id(activity.get("actor")))


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


def shape_error(activity: Any) -> str | None:
    """Why this JSON is not an activity we can take in, or None when its shape is fine."""
    if not isinstance(activity, dict):
        return "the body must be a JSON object"
    if http_url(activity.get("id")) is None:
        return "the activity needs an http(s) id"
    if not isinstance(activity.get("type"), str):
        return "the activity type must be a string"
    actor = activity.get("actor")
    if not isinstance(actor, str | dict) or actor_id(activity) is None:
        return "the activity needs an actor: an http(s) id or an object with one"
    return None


def requester(activity: dict[str, Any], signer: str) -> str | None:
    """The activity's actor when it is the actor who signed the request, else None.

    The receive pipeline already refuses anything else; handlers check again so that
    an item stored some other way can never act in another actor's name.
    """
    actor = actor_id(activity)
    return actor if actor is not None and actor == signer else None
