"""``/blocklist.json`` and ``/blocklist.csv`` on a running instance, and the commands that
make, import and export the rules they publish: private rules stay private, public ones
are shown with their reasons, ``MUTUALS_BLOCKLIST_PUBLIC`` publishes every rule that has
a reason."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import InstanceFactory
from tests.instances import Instance
from tests.sharing.network import Cli

HEADER = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"


async def _published(instance: Instance) -> tuple[list[dict[str, object]], list[list[str]]]:
    async with instance.client() as client:
        as_json = await client.get("/blocklist.json")
        as_csv = await client.get("/blocklist.csv")
    assert as_json.status_code == as_csv.status_code == 200
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_json.headers["access-control-allow-origin"] == "*"
    assert as_csv.text.splitlines()[0] == HEADER
    return as_json.json(), list(csv.reader(io.StringIO(as_csv.text)))[1:]


async def _rules(cli: Cli, instance: Instance) -> None:
    await cli.ok(instance, "domain", "block", "spam.example", "--reason", "spam", "--public")
    await cli.ok(instance, "domain", "block", "loud.example", "--silence", "--reason", "harassment")
    await cli.ok(
        instance,
        "domain",
        "block",
        "quiet.example",
        "--reject-media",
        "--public",
        "--reason",
        "gore, unmarked",
    )
    await cli.ok(instance, "domain", "block", "nameless.example")


async def test_only_public_rules_are_published_with_their_reasons(
    instance: Instance, cli: Cli
) -> None:
    # Given public and private rules
    await _rules(cli, instance)
    # When the lists are read
    listed, rows = await _published(instance)
    # Then only the public rules are shown, with their reasons, in Mastodon's shapes
    assert [(e["domain"], e["severity"], e["comment"], e["reject_media"]) for e in listed] == [
        ("quiet.example", "noop", "gore, unmarked", True),
        ("spam.example", "suspend", "spam", False),
    ]
    assert rows == [
        ["quiet.example", "noop", "true", "false", "gore, unmarked", "false"],
        ["spam.example", "suspend", "false", "false", "spam", "false"],
    ]
    # And `domain list` says which rules are public and why
    shown = await cli.ok(instance, "domain", "list")
    assert "blocked\tspam.example\tpublic\t'spam'\n" in shown
    assert "limited\tloud.example\tsilence\t'harassment'\n" in shown


async def test_the_public_all_setting_publishes_every_rule_with_a_reason(
    make_instance: InstanceFactory, cli: Cli
) -> None:
    instance = await make_instance(blocklist_public="1")
    await _rules(cli, instance)
    listed, rows = await _published(instance)
    assert [entry["domain"] for entry in listed] == [
        "loud.example",
        "quiet.example",
        "spam.example",
    ]
    assert [row[:2] for row in rows] == [
        ["loud.example", "silence"],
        ["quiet.example", "noop"],
        ["spam.example", "suspend"],
    ]


async def test_a_public_rule_needs_a_reason_and_keeps_it_when_changed(
    instance: Instance, cli: Cli
) -> None:
    code, _out, err = await cli(instance, "domain", "block", "spam.example", "--public")
    assert (code, err) == (1, "error: a public rule needs a reason: fill in Reason (or --reason)\n")
    await cli.ok(instance, "domain", "block", "spam.example", "--reason", "spam")
    await cli.ok(instance, "domain", "block", "spam.example", "--silence", "--public")
    listed, _rows = await _published(instance)
    assert listed[0]["comment"] == "spam" and listed[0]["severity"] == "silence"
    await cli.ok(instance, "domain", "unblock", "spam.example")
    assert await _published(instance) == ([], [])


async def test_import_reads_mastodon_csv_and_export_writes_it(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    # Given a rule made here and Mastodon's export naming the same domain
    await cli.ok(instance, "domain", "block", "bad.domain", "--reason", "ours")
    exported = tmp_path / "domain_blocks.csv"
    exported.write_text(
        f"{HEADER}\n"
        "bad.domain,silence,false,false,bad,false\n"
        "worse.domain,suspend,true,true,worse,true\n"
        "reject.media,noop,true,false,reject media,false\n"
    )
    # When it is imported, its rules published
    out = await cli.ok(instance, "domain", "import", str(exported), "--public")
    # Then the rule made here is kept, the others are added
    assert out == f"imported 2 rule(s) from {exported}; kept 1 existing rule(s) made here\n"
    assert await cli.ok(instance, "domain", "export") == (
        f"{HEADER}\n"
        "bad.domain,suspend,false,false,ours,false\n"
        "reject.media,noop,true,false,reject media,false\n"
        "worse.domain,suspend,false,false,worse,false\n"
    )
    listed, _rows = await _published(instance)
    assert [entry["domain"] for entry in listed] == ["reject.media", "worse.domain"]


async def test_import_refuses_what_is_not_mastodon_csv(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    cases = {
        "plain.txt": ("bad.example\n", "error: not Mastodon's domain-block CSV: the first line"),
        "bad.csv": ("#domain\nnot a domain\n", "error: line 2: 'not a domain' is not a domain"),
        "ours.csv": (f"#domain\n{instance.host.split(':')[0]}\n", "error: the list blocks 127"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        code, _out, err = await cli(instance, "domain", "import", str(tmp_path / name))
        assert code == 1 and err.startswith(message), err
    code, _out, err = await cli(instance, "domain", "import", str(tmp_path / "missing.csv"))
    assert code == 1 and "cannot read" in err
    assert await cli.ok(instance, "domain", "export") == HEADER + "\n"


async def test_bad_subscriptions_are_refused_with_a_clear_error(
    instance: Instance, cli: Cli
) -> None:
    for url, message in (
        ("ftp://lists.example/blocklist.csv", "error: 'ftp://lists.example/blocklist.csv' is not"),
        ("lists.example/blocklist.csv", "is not an http(s) URL"),
    ):
        code, _out, err = await cli(instance, "domain", "subscribe", url)
        assert code == 1 and message in err, err
    code, _out, err = await cli(instance, "domain", "unsubscribe", "https://lists.example/x")
    assert (code, err) == (1, "error: not subscribed to https://lists.example/x\n")
    assert await cli.ok(instance, "domain", "subscriptions") == "no blocklist subscriptions\n"
    async with instance.client() as client:
        assert json.loads((await client.get("/blocklist.json")).text) == []
