from __future__ import annotations

import pytest

from federation.vocab import (
    PUBLIC,
    accepts_activity_json,
    as_list,
    first_type,
    get_id,
    has_type,
    is_public,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, []), ("a", ["a"]), ({"id": "x"}, [{"id": "x"}]), (["a", "b"], ["a", "b"]), ([], [])],
)
def test_as_list(value: object, expected: list[object]) -> None:
    assert as_list(value) == expected


def test_as_list_copies() -> None:
    original = ["a"]
    assert as_list(original) is not original


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://a.example/1", "https://a.example/1"),
        ({"id": "https://a.example/1", "type": "Note"}, "https://a.example/1"),
        ({"type": "Link", "href": "https://a.example/2"}, "https://a.example/2"),
        ({"id": 5, "href": "https://a.example/3"}, "https://a.example/3"),
        ({"id": None}, None),
        ("", None),
        (None, None),
        (42, None),
        (["https://a.example/1"], None),
    ],
)
def test_get_id(value: object, expected: str | None) -> None:
    assert get_id(value) == expected


def test_types_string_or_list() -> None:
    assert first_type({"type": "Note"}) == "Note"
    assert first_type({"type": ["Event", "Object"]}) == "Event"
    assert first_type({"type": [1, "Page"]}) == "Page"
    assert first_type({}) is None
    assert first_type("https://a.example/1") is None
    assert has_type({"type": ["Group", "Organization"]}, "Person", "Organization")
    assert has_type({"type": "Note"}, "Note")
    assert not has_type({"type": "Note"}, "Article")
    assert not has_type(None, "Note")


@pytest.mark.parametrize("addr", [PUBLIC, "as:Public", "Public", {"id": PUBLIC}])
def test_is_public(addr: object) -> None:
    assert is_public(addr)


@pytest.mark.parametrize("addr", ["https://a.example/followers", None, "public", 3])
def test_is_not_public(addr: object) -> None:
    assert not is_public(addr)


@pytest.mark.parametrize(
    "accept",
    [
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "application/ld+json",
        "Application/Activity+JSON; charset=utf-8",
        "application/activity+json, application/ld+json",
        "text/html;q=0.5, application/activity+json",
        "application/activity+json;q=0.9, */*;q=0.1",
    ],
)
def test_accepts_activity_json(accept: str) -> None:
    assert accepts_activity_json(accept)


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/json",
        "*/*",
        "application/activity+json;q=0",
        "application/activity+json; q=0.0, text/html",
        "text/html, application/activity+json;q=0.5",
        "application/activity+json;q=bogus",
    ],
)
def test_does_not_accept_activity_json(accept: str) -> None:
    assert not accepts_activity_json(accept)
