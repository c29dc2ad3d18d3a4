"""Reading and writing blocklists: Mastodon's domain-block CSV (its export, byte for
byte), the JSON of its ``/api/v1/instance/domain_blocks``, and lists that must be refused."""

from __future__ import annotations

import hashlib
import json

import pytest

from moderation.blocklist_format import (
    HEADER,
    MAX_LINES,
    BlocklistError,
    ListedRule,
    check_protected,
    parse_blocklist,
    render_csv,
    render_json,
)

# Mastodon's own fixture (spec/fixtures/files/domain_blocks.csv), as its export writes it.
MASTODON_EXPORT = (
    b"#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
    b"bad.domain,silence,false,false,bad,false\n"
    b"worse.domain,suspend,true,true,worse,true\n"
    b"reject.media,noop,true,false,reject media,false\n"
)


def test_mastodon_export_is_read_exactly() -> None:
    assert parse_blocklist(MASTODON_EXPORT) == [
        ListedRule("bad.domain", "silence", False, "bad"),
        ListedRule("worse.domain", "suspend", True, "worse"),
        ListedRule("reject.media", "noop", True, "reject media"),
    ]


def test_what_we_write_is_mastodon_export_and_reads_back() -> None:
    rules = parse_blocklist(MASTODON_EXPORT)
    written = render_csv(rules)
    assert written.splitlines()[0] == ",".join(HEADER)
    # Suspend's flags as we keep them: reject_media is implied, reports are not kept.
    assert written.splitlines()[1] == "bad.domain,silence,false,false,bad,false"
    assert parse_blocklist(written.encode()) == rules


def test_missing_columns_take_mastodon_defaults_and_others_are_ignored() -> None:
    body = "#domain,#note\nspam.example,hi\n\nQuoted.Example.,x\nbücher.example,\n".encode()
    assert parse_blocklist(body) == [
        ListedRule("spam.example", "suspend"),
        ListedRule("quoted.example", "suspend"),
        ListedRule("xn--bcher-kva.example", "suspend"),
    ]


def test_a_comment_with_commas_quotes_and_newlines_survives() -> None:
    rules = [ListedRule("a.example", "suspend", False, 'spam, "scams", and worse')]
    assert parse_blocklist(render_csv(rules).encode()) == rules


def test_noop_without_media_does_nothing_here_and_is_left_out() -> None:
    body = b"#domain,#severity,#reject_media\nreports.example,noop,false\n"
    assert parse_blocklist(body) == []


def test_mastodon_api_json_is_read_and_obfuscated_domains_skipped() -> None:
    body = json.dumps(
        [
            {"domain": "bad.example", "digest": "…", "severity": "suspend", "comment": "spam"},
            {"domain": "quiet.example", "digest": "…", "severity": "silence", "comment": None},
            {"domain": "wo**e.example", "digest": "…", "severity": "suspend"},
        ]
    ).encode()
    assert parse_blocklist(body) == [
        ListedRule("bad.example", "suspend", False, "spam"),
        ListedRule("quiet.example", "silence", False, ""),
    ]


def test_our_json_has_mastodon_fields_and_reads_back() -> None:
    rules = [ListedRule("bad.example", "noop", True, "media")]
    doc = render_json(rules)
    assert doc == [
        {
            "domain": "bad.example",
            # As Mastodon's domain_digest: the SHA-256 of the domain, in hex.
            "digest": hashlib.sha256(b"bad.example").hexdigest(),
            "severity": "noop",
            "comment": "media",
            "reject_media": True,
        }
    ]
    assert parse_blocklist(json.dumps(doc).encode()) == rules


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"domain,severity\nbad.example,suspend\n", "not Mastodon's domain-block CSV"),
        (b"bad.example\n", "not Mastodon's domain-block CSV"),
        (b"", "not Mastodon's domain-block CSV"),
        (b"#domain,#severity\nbad.example,ban\n", "line 2: severity 'ban'"),
        (b"#domain,#reject_media\nbad.example,yes\n", "line 2: reject_media 'yes'"),
        (b"#domain\nok.example\nnot a domain!\n", "line 3: 'not a domain!' is not a domain"),
        (b"#domain\nhttps://\n", "line 2:"),
        (b'#domain\n"unclosed\n', "not a readable CSV file"),
        (b"#domain\n\xff\xfe\n", "not UTF-8"),
        (b"[1, 2]", "entry 1 has no domain"),
        (b"[{", "not valid JSON"),
    ],
)
def test_bad_lists_are_refused_with_the_reason(body: bytes, message: str) -> None:
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist(body)
    assert message in str(caught.value)


def test_a_list_over_the_line_limit_is_refused_before_parsing() -> None:
    body = b"#domain\n" + b"a.example\n" * MAX_LINES
    with pytest.raises(BlocklistError, match="more than 100000"):
        parse_blocklist(body)
    assert len(parse_blocklist(b"#domain\n" + b"a.example\n" * (MAX_LINES - 1))) == 1


def test_a_list_covering_a_protected_domain_is_hostile() -> None:
    rules = [ListedRule("fine.example", "suspend"), ListedRule("example.org", "silence")]
    check_protected(rules, ["other.example"])
    with pytest.raises(BlocklistError) as caught:
        check_protected(rules, ["groups.example.org"])
    assert str(caught.value) == "the list blocks example.org, which covers groups.example.org"
