"""``mutuals report assign|note|resolve|dismiss`` and ``reports --status``: what each
says when done, and the clear refusal for each kind of bad input."""

from __future__ import annotations

import pytest

from tests.admin.support import add_account
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli

TROLL = "https://trolls.example/users/troll"


async def usage_error(cli: Cli, instance: Instance, *argv: str) -> str:
    """What argparse says (on stderr, exiting 2) about a command line it cannot parse."""
    with pytest.raises(SystemExit) as exited:
        await cli(instance, *argv)
    assert exited.value.code == 2
    return cli.capsys.readouterr().err


async def test_report_actions_and_their_refusals(instance: Instance, cli: Cli) -> None:
    demo = await add_group(instance, "demo")
    other = await add_group(instance, "other")
    await add_account(instance, "mo", demo, "moderator")
    await add_account(instance, "ed", demo, "editor")
    await add_account(instance, "olga", other, "organizer")
    assert await cli.ok(instance, "report", "demo", TROLL, "--reason", "spam") == (
        f"report #1 about {TROLL} recorded\n"
    )
    await cli.ok(instance, "report", "other", TROLL, "--reason", "spam")

    assert await cli.fails(instance, "report", "assign", "demo", "9", "mo") == (
        "error: demo has no report #9 (see `mutuals reports demo`)"
    )
    assert await cli.fails(instance, "report", "note", "demo", "2", "hello") == (
        "error: demo has no report #2 (see `mutuals reports demo`)"
    )
    assert await cli.fails(instance, "report", "assign", "demo", "1", "olga") == (
        "error: olga is not a moderator of demo: grant the role first "
        "(`mutuals account grant olga demo moderator`)"
    )
    assert "ed is not a moderator of demo" in await cli.fails(
        instance, "report", "assign", "demo", "1", "ed"
    )
    assert await cli.fails(instance, "report", "assign", "demo", "1", "nobody") == (
        "error: 'nobody' is no moderator here, and report #1 was not sent on to another "
        "server: give a moderator's username"
    )
    assert await cli.fails(instance, "report", "resolve", "demo", "1", "--outcome", " ") == (
        "error: the outcome is empty: write it"
    )
    assert "the following arguments are required: --outcome" in await usage_error(
        cli, instance, "report", "resolve", "demo", "1"
    )
    assert "'first' is not a report number such as 12" in await usage_error(
        cli, instance, "report", "assign", "demo", "first", "mo"
    )
    assert "invalid choice: 'closed'" in await usage_error(
        cli, instance, "reports", "demo", "--status", "closed"
    )

    assert await cli.ok(instance, "report", "assign", "demo", "#1", "mo") == (
        "report #1 of demo is in mediation with mo\n"
    )
    assert await cli.ok(instance, "report", "note", "demo", "1", "asked for links") == (
        "note added to report #1 of demo\n"
    )
    assert await cli.ok(instance, "report", "dismiss", "demo", "1", "--outcome", "no spam") == (
        "report #1 of demo is dismissed\n"
    )
    assert await cli.fails(instance, "report", "resolve", "demo", "1", "--outcome", "x") == (
        "error: report #1 is already dismissed: a closed report is not changed again"
    )
    assert await cli.fails(instance, "report", "assign", "demo", "1", "mo") == (
        "error: report #1 is already dismissed: a closed report is not changed again"
    )

    (line,) = (await cli.ok(instance, "reports", "demo", "--status", "dismissed")).splitlines()
    assert line.startswith("#1\t") and "\tdismissed\tsent\tby us\t" in line
    assert line.endswith("\t'spam'\tmediator mo\toutcome 'no spam'")
    assert await cli.ok(instance, "reports", "demo", "--status", "open") == (
        "no reports for demo open\n"
    )
