"""``mutuals account …`` against a real instance's database."""

from __future__ import annotations

import io
import re

import pytest

from accounts import links
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli

PASSWORD = "correct horse battery"


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Standard input for ``--password-stdin``."""
    given = io.StringIO()
    monkeypatch.setattr("sys.stdin", given)
    return given


async def create(instance: Instance, cli: Cli, stdin: io.StringIO, *argv: str) -> str:
    stdin.seek(0)
    stdin.truncate()
    stdin.write(PASSWORD + "\n")
    stdin.seek(0)
    return await cli.ok(instance, "account", "create", *argv, "--password-stdin")


async def test_accounts_and_roles_from_the_command_line(
    instance: Instance, cli: Cli, stdin: io.StringIO
) -> None:
    await add_group(instance, "eastside")

    out = await create(instance, cli, stdin, "ana", "--admin")
    assert out == f"created instance admin ana; sign in at {instance.base_url}/login\n"
    await create(instance, cli, stdin, "bea")
    assert await cli.ok(instance, "account", "grant", "ana", "eastside", "organizer") == (
        "ana is now organizer of eastside\n"
    )
    await cli.ok(
        instance, "account", "grant", "bea", "eastside", "liaison", "--handle", "@bea@x.example"
    )
    await cli.ok(instance, "account", "grant", "bea", "eastside", "editor")

    listed = await cli.ok(instance, "account", "list")
    assert listed == "ana\tadmin\teastside: organizer\nbea\t-\teastside: editor+liaison\n"

    # The last organizer cannot be removed; errors are one line
    error = await cli.fails(instance, "account", "revoke", "ana", "eastside", "organizer")
    assert (
        error == "error: ana is the last organizer of eastside: make someone else organizer first"
    )
    error = await cli.fails(instance, "account", "grant", "cleo", "eastside", "editor")
    assert error == "error: no account named 'cleo' (see `mutuals account list`)"

    await cli.ok(instance, "account", "revoke", "bea", "eastside", "editor")
    await cli.ok(instance, "account", "disable", "bea")
    listed = await cli.ok(instance, "account", "list")
    assert listed.splitlines()[1] == "bea\tdisabled\teastside: liaison"


async def test_invitation_and_reset_links(instance: Instance, cli: Cli, stdin: io.StringIO) -> None:
    await add_group(instance, "eastside")
    await create(instance, cli, stdin, "ana")

    code, out, err = await cli(instance, "account", "invite", "eastside", "--role", "moderator")
    assert code == 0
    invite = re.fullmatch(rf"{re.escape(instance.base_url)}/invite/([\w-]{{43}})\n", out)
    assert invite, out
    assert err == "(joins eastside as moderator; valid 7 days, once)\n"
    async with instance.ctx.sessions() as session:
        link = await links.open_link(session, invite[1], links.INVITE)
        assert link.role == "moderator"

    code, out, err = await cli(instance, "account", "reset-password", "ana")
    reset = re.fullmatch(rf"{re.escape(instance.base_url)}/reset/([\w-]{{43}})\n", out)
    assert code == 0 and reset, out
    async with instance.ctx.sessions() as session:
        await links.reset_password(session, reset[1], "another long passphrase")
        await session.commit()


async def test_a_weak_password_is_refused(instance: Instance, cli: Cli, stdin: io.StringIO) -> None:
    stdin.write("short\n")
    stdin.seek(0)
    error = await cli.fails(instance, "account", "create", "ana", "--password-stdin")
    assert error == "error: the password must have at least 10 characters"


async def test_a_liaison_handle_is_shown_on_the_groups_page(
    instance: Instance, cli: Cli, stdin: io.StringIO
) -> None:
    await add_group(instance, "eastside")
    await create(instance, cli, stdin, "bea")
    error = await cli.fails(
        instance, "account", "grant", "bea", "eastside", "liaison", "--handle", "<b>bea</b>"
    )
    assert error == (
        "error: '<b>bea</b>' is not a fediverse handle: write it as @name@server.example"
    )
    await cli.ok(
        instance, "account", "grant", "bea", "eastside", "liaison", "--handle", "bea@X.example"
    )
    async with instance.client() as client:
        page = await client.get("/groups/eastside", headers={"accept": "text/html"})
    assert "Contact for other groups: <bdi>@bea@x.example</bdi>" in page.text
