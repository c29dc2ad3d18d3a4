"""Incoming activity shape: every odd or hostile payload is a PayloadError, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest

from federation.content import MAX_TAGS
from federation.payload import MAX_DEPTH, PayloadError, check_activity, parse_activity

ACTOR = "https://peer.example/users/ana"


def activity(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://peer.example/activities/1",
        "type": "Create",
        "actor": ACTOR,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": "https://peer.example/notes/1",
            "type": "Note",
            "attributedTo": ACTOR,
            "content": "<p>hi</p>",
            "tag": [{"type": "Hashtag", "name": "#a", "href": "https://peer.example/tags/a"}],
        },
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def refused(data: Any) -> str:
    with pytest.raises(PayloadError) as caught:
        parse_activity(json.dumps(data).encode())
    return caught.value.reason


def test_a_normal_activity_is_returned_as_parsed() -> None:
    data = activity()
    assert parse_activity(json.dumps(data)) == data


def test_actor_may_be_an_object_with_an_id_and_type_a_list() -> None:
    data = activity(actor={"id": ACTOR, "type": "Person"}, type=["Create", "as:Create"])
    assert check_activity(data) is data


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"{", b'{"id": 1,}', b"\xff\xfe{}", b'{"n": ' + b"1" * 5000 + b"}"],
)
def test_not_json(body: bytes) -> None:
    with pytest.raises(PayloadError, match="not JSON"):
        parse_activity(body)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_constants_refused(constant: str) -> None:
    body = json.dumps(activity())[:-1] + f', "x": {constant}}}'
    with pytest.raises(PayloadError, match=constant):
        parse_activity(body)


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_top_level_must_be_an_object(body: bytes) -> None:
    with pytest.raises(PayloadError, match="JSON object"):
        parse_activity(body)


def test_ten_thousand_levels_of_nesting_is_a_clear_error() -> None:
    # json.loads recurses; this depth overflows it, and must still be a PayloadError.
    body = b'{"id": "https://peer.example/a", "type": "Note", "x": ' + b"[" * 10_000
    body += b"]" * 10_000 + b"}"
    with pytest.raises(PayloadError, match="nested too deeply"):
        parse_activity(body)
    nested_objects = '{"a": ' * 10_000 + "1" + "}" * 10_000
    with pytest.raises(PayloadError, match="nested too deeply"):
        parse_activity(nested_objects)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 200, 900])
def test_nesting_that_json_loads_survives_is_refused_by_the_walk(depth: int) -> None:
    deep: Any = "leaf"
    for _ in range(depth - 1):  # the activity itself is level 1
        deep = [deep]
    with pytest.raises(PayloadError, match=f"deeper than {MAX_DEPTH}"):
        parse_activity(json.dumps(activity(x=deep)))


def test_nesting_at_the_limit_is_fine() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH - 1):
        deep = {"k": deep}
    assert parse_activity(json.dumps(activity(x=deep)))["x"]["k"]


@pytest.mark.parametrize(
    "changes",
    [
        {"id": ...},
        {"id": 42},
        {"id": None},
        {"id": ["https://peer.example/a"]},
        {"id": "urn:uuid:1234"},
        {"id": "javascript:alert(1)"},
        {"id": "ftp://peer.example/a"},
        {"id": "https:///a"},
        {"id": "/activities/1"},
    ],
)
def test_activity_id_must_be_an_http_url(changes: dict[str, Any]) -> None:
    assert "id" in refused(activity(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"actor": ...},
        {"actor": [ACTOR]},
        {"actor": [ACTOR, "https://peer.example/users/bob"]},
        {"actor": 7},
        {"actor": {"type": "Person"}},
        {"actor": {"id": 7}},
        {"actor": "acct:ana@peer.example"},
    ],
)
def test_actor_must_be_one_http_id(changes: dict[str, Any]) -> None:
    reason = refused(activity(**changes))
    assert "actor" in reason or "id must be a string" in reason


@pytest.mark.parametrize(
    "changes",
    [{"type": ...}, {"type": 5}, {"type": []}, {"type": ["Create", 5]}, {"type": {"a": 1}}],
)
def test_activity_type_must_be_strings(changes: dict[str, Any]) -> None:
    assert "type" in refused(activity(**changes))


def test_embedded_object_with_numeric_id_or_type_refused() -> None:
    assert "id must be a string" in refused(activity(object={"id": 1, "type": "Note"}))
    assert "type" in refused(activity(object={"id": "https://peer.example/n", "type": 3}))


def test_ten_thousand_tags_refused() -> None:
    note = activity()["object"]
    note["tag"] = [{"type": "Hashtag", "name": f"#t{i}"} for i in range(10_000)]
    reason = refused(activity(object=note))
    assert "'tag' lists 10000 items" in reason


def test_tags_up_to_the_cap_accepted() -> None:
    note = activity()["object"]
    note["tag"] = [{"type": "Hashtag", "name": f"#t{i}"} for i in range(MAX_TAGS)]
    parse_activity(json.dumps(activity(object=note)))


@pytest.mark.parametrize(
    ("key", "count"), [("to", 1001), ("cc", 5000), ("attachment", 21), ("oneOf", 21), ("anyOf", 99)]
)
def test_other_lists_capped(key: str, count: int) -> None:
    items = [f"https://peer.example/{i}" for i in range(count)]
    assert f"{key!r} lists {count}" in refused(activity(**{key: items}))
    note = activity()["object"] | {key: items}
    assert f"{key!r} lists {count}" in refused(activity(object=note))


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_strings_postgresql_cannot_store_refused(text: str) -> None:
    body = json.dumps(activity(summary=text))  # escaped as \\u0000 / \\ud800 in the JSON
    with pytest.raises(PayloadError, match=r"NUL|surrogate"):
        parse_activity(body)
    with pytest.raises(PayloadError):
        parse_activity(json.dumps(activity(**{text: "as a key"})))
