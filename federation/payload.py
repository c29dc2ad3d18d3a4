"""Checking the JSON shape of an incoming activity before anything is stored.

A hostile or broken peer must get a 400 with a reason, never a 500: the body is
parsed once (no remote JSON-LD context is ever fetched), then walked iteratively,
so absurd nesting is refused without recursing. ``json.loads`` itself recurses and
raises ``RecursionError`` on very deep input; that is caught and reported too.

Rules, everywhere in the document unless said otherwise:

- nesting at most ``MAX_DEPTH`` levels of objects and arrays;
- ``NaN``/``Infinity`` refused (PostgreSQL's JSON cannot store them), and so are
  NUL characters and lone surrogates in strings;
- ``id``, when present, is a string; the activity's own ``id`` is an http(s) URL;
- ``type``, when present, is a string or a non-empty list of strings; the activity
  must have one;
- the activity's ``actor`` is an http(s) URL or an object with one (a list of actors
  is refused: the signer must be exactly one actor);
- recipient, tag, attachment and poll option lists are capped (``LIST_LIMITS``).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from federation.content import MAX_ATTACHMENTS, MAX_POLL_OPTIONS, MAX_RECIPIENTS, MAX_TAGS
from federation.origin import is_http_url

MAX_DEPTH = 32
"""Real activities nest a handful of levels (Announce → Create → Note → tag → icon)."""

LIST_LIMITS: dict[str, int] = {
    "tag": MAX_TAGS,
    "to": MAX_RECIPIENTS,
    "cc": MAX_RECIPIENTS,
    "bto": MAX_RECIPIENTS,
    "bcc": MAX_RECIPIENTS,
    "audience": MAX_RECIPIENTS,
    "attachment": MAX_ATTACHMENTS,
    "oneOf": MAX_POLL_OPTIONS,
    "anyOf": MAX_POLL_OPTIONS,
}


class PayloadError(ValueError):
    """The body is not an activity we can take in; ``reason`` says why (for a 400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_activity(body: bytes | str) -> dict[str, Any]:
    """The activity in ``body``, checked; ``PayloadError`` when it is not acceptable."""
    try:
        data = json.loads(body, parse_constant=_no_constants)
    except RecursionError:
        raise PayloadError("the JSON is nested too deeply") from None
    except PayloadError:
        raise
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, too-long integers
        raise PayloadError(f"the body is not JSON: {str(exc)[:120]}") from None
    return check_activity(data)


def check_activity(data: Any) -> dict[str, Any]:
    """``data`` (parsed JSON) when it has the shape of an activity, else ``PayloadError``."""
    if not isinstance(data, dict):
        _fail("the body must be a JSON object")
    _walk(data)
    if not is_http_url(data.get("id")):
        _fail("the activity needs an http(s) URL as its id")
    if "type" not in data:
        _fail("the activity needs a type")
    actor = data.get("actor")
    if isinstance(actor, list):
        _fail("the activity must have exactly one actor, not a list")
    actor_id = actor.get("id") if isinstance(actor, dict) else actor
    if not is_http_url(actor_id):
        _fail("the activity needs an actor: an http(s) URL or an object with one")
    return data


def _walk(root: dict[str, Any]) -> None:
    """Check every value under ``root`` without recursion (an explicit stack)."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_string(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            _fail(f"the JSON nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            _check_object(value)
            stack.extend((key, depth) for key in value)
            stack.extend((child, depth + 1) for child in value.values())
        else:
            stack.extend((child, depth + 1) for child in value)


def _check_object(obj: dict[str, Any]) -> None:
    if "id" in obj and not isinstance(obj["id"], str):
        _fail(f"an id must be a string, not {_kind(obj['id'])}")
    if "type" in obj:
        kinds = obj["type"]
        if isinstance(kinds, list):
            if not kinds or not all(isinstance(k, str) for k in kinds):
                _fail("a type list must hold strings")
        elif not isinstance(kinds, str):
            _fail(f"a type must be a string or a list of strings, not {_kind(kinds)}")
    for key, limit in LIST_LIMITS.items():
        items = obj.get(key)
        if isinstance(items, list) and len(items) > limit:
            _fail(f"{key!r} lists {len(items)} items; at most {limit} are accepted")


def _check_string(text: str) -> None:
    if "\x00" in text:
        _fail("strings must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _fail("strings must not contain lone surrogates")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _no_constants(name: str) -> NoReturn:
    raise PayloadError(f"{name} is not valid JSON")


def _fail(reason: str) -> NoReturn:
    raise PayloadError(reason)
