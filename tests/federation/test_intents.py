"""Reading handles and WebFinger templates (``federation.intents``), without a network."""

from __future__ import annotations

from typing import Any

import pytest

from federation.intents import (
    Action,
    BadHandle,
    Elsewhere,
    Handle,
    NoTemplate,
    NotSecure,
    expand,
    interaction_url,
    parse_handle,
)

POST = "https://groups.example/groups/ab12/posts/cd34"


@pytest.mark.parametrize(
    ("typed", "handle"),
    [
        ("@ana@mastodon.social", Handle("ana", "mastodon.social")),
        ("  ana@Mastodon.Social. ", Handle("ana", "mastodon.social")),
        ("acct:ana@mastodon.social", Handle("ana", "mastodon.social")),
        ("@ana.b-c_d@127.0.0.1:8080", Handle("ana.b-c_d", "127.0.0.1", 8080)),
        ("@ana@bücher.example", Handle("ana", "xn--bcher-kva.example")),
    ],
)
def test_handles_as_people_write_them(typed: str, handle: Handle) -> None:
    assert parse_handle(typed) == handle


@pytest.mark.parametrize(
    "typed",
    ["", "ana", "@ana", "@ana@", "@@host.example", "@a@b@c.example", "@ana@host:99999",
     "@ana@host/path", "@ana@host.example?x", "@ana@exa mple.org", "@ana@ho_st!.example"],
)  # fmt: skip
def test_anything_else_is_not_a_handle(typed: str) -> None:
    with pytest.raises(BadHandle):
        parse_handle(typed)


def test_the_webfinger_url_asks_for_the_acct() -> None:
    handle = parse_handle("@ana@127.0.0.1:8080")
    assert handle.webfinger_url("http") == (
        "http://127.0.0.1:8080/.well-known/webfinger?resource=acct%3Aana%40127.0.0.1%3A8080"
    )


def test_expansion_encodes_the_value_and_empties_the_other_variables() -> None:
    template = "https://h.example/share?inReplyTo={inReplyTo}&text={content}&{on-success}"
    assert expand(template, "inReplyTo", POST) == (
        "https://h.example/share?inReplyTo=https%3A%2F%2Fgroups.example%2Fgroups%2Fab12"
        "%2Fposts%2Fcd34&text=&"
    )


def _jrd(*links: dict[str, str]) -> dict[str, Any]:
    return {"subject": "acct:ana@h.example", "links": list(links)}


def _url(jrd: dict[str, Any], action: Action, *, allow_http: bool = False) -> str:
    return interaction_url(jrd, action, POST, allow_http=allow_http, hosts={"h.example"})


def test_intents_come_before_the_subscribe_template() -> None:
    jrd = _jrd(
        {
            "rel": "http://ostatus.org/schema/1.0/subscribe",
            "template": "https://h.example/s?u={uri}",
        },
        {"rel": "https://w3id.org/fep/3b86/Object", "template": "https://h.example/o?id={object}"},
        # An early draft of the FEP named the template ``href``
        {"rel": "https://w3id.org/fep/3b86/Follow", "href": "https://h.example/f?o={object}"},
    )
    assert _url(jrd, Action.VOTE).startswith("https://h.example/o?id=https%3A")
    assert _url(jrd, Action.REPLY).startswith("https://h.example/o?id=https%3A")
    assert _url(jrd, Action.FOLLOW).startswith("https://h.example/f?o=https%3A")


def test_a_template_without_our_variable_is_no_template() -> None:
    jrd = _jrd(
        {"rel": "https://w3id.org/fep/3b86/Create", "template": "https://h.example/x?t={content}"}
    )
    with pytest.raises(NoTemplate):
        _url(jrd, Action.REPLY)
    with pytest.raises(NoTemplate):
        _url({"links": "nonsense"}, Action.FOLLOW)


@pytest.mark.parametrize(
    "template", ["http://h.example/s?u={uri}", "javascript:alert({uri})", "/relative?u={uri}"]
)
def test_only_https_templates_outside_development(template: str) -> None:
    jrd = _jrd({"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template})
    with pytest.raises(NotSecure):
        _url(jrd, Action.FOLLOW)


def test_plain_http_in_development() -> None:
    jrd = _jrd(
        {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": "http://h.example/?u={uri}"}
    )
    assert _url(jrd, Action.FOLLOW, allow_http=True).startswith("http://h.example/?u=")


@pytest.mark.parametrize(
    ("template", "allowed"),
    [
        ("https://social.h.example/s?u={uri}", True),
        ("https://H.EXAMPLE:8443/s?u={uri}", True),
        ("https://evil.example/s?u={uri}", False),
        ("https://h.example.evil.example/s?u={uri}", False),
        ("https://evilh.example/s?u={uri}", False),
    ],
)
def test_only_to_the_handles_server_or_its_subdomains(template: str, allowed: bool) -> None:
    jrd = _jrd({"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template})
    if allowed:
        assert _url(jrd, Action.FOLLOW).endswith(
            "s?u=https%3A%2F%2Fgroups.example%2Fgroups%2Fab12%2Fposts%2Fcd34"
        )
    else:
        with pytest.raises(Elsewhere):
            _url(jrd, Action.FOLLOW)
