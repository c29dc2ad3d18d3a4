"""Shared blocklists between real instances on loopback: ``two`` follows the lists ``one``
and ``three`` publish; its worker re-reads them and refuses what they block. A rule made
on ``two`` wins, ``--limit-only`` turns suspensions into limits, unsubscribing removes
only what that list brought, and a list turned hostile is refused while its last good
copy stays in force. The domain refused is ``localhost`` (a peer on loopback)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import update

from moderation.models import BlocklistSubscription
from store.pacing import Pacer
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.inbox.support import inbox_url
from tests.instances import Instance
from tests.peer import Peer, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def ally() -> AsyncIterator[Peer]:
    """A remote server named ``localhost``."""
    async with running_peer("localhost") as server:
        server.actor("ana")
        yield server


async def _knock(ally: Peer, instance: Instance) -> httpx.Response:
    """``ana@localhost`` sends a Follow to the shared inbox of ``instance``."""
    follow = ally.activity(ally.actor("ana"), "Follow", f"{instance.base_url}/groups/demo")
    return await ally.post(inbox_url(instance, None), follow)


async def _worker_rereads(instance: Instance) -> None:
    """An hour passes for the instance's lists; its worker steps once."""
    async with instance.ctx.sessions() as session:
        old = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        await session.execute(update(BlocklistSubscription).values(read_at=old))
        await session.commit()
    instance.ctx.blocklists = Pacer(0)
    await instance.step()
    instance.ctx.blocklists = Pacer(math.inf)
    instance.ctx.blocklists.ran()


async def _rules(cli: Cli, instance: Instance) -> list[str]:
    lines = (await cli.ok(instance, "domain", "list")).splitlines()
    return [line for line in lines if not line.startswith("federation:")]


async def test_an_allys_list_is_followed_reread_and_kept_when_it_turns_hostile(
    make_instance: InstanceFactory, cli: Cli, ally: Peer
) -> None:
    one, two, three = [await make_instance() for _ in range(3)]
    await add_group(two, "demo")
    await cli.ok(one, "domain", "block", "spam.example", "--reason", "spam", "--public")
    await cli.ok(one, "domain", "block", "private.example", "--reason", "not shared")
    await cli.ok(three, "domain", "block", "spam.example", "--silence", "--reason", "s", "--public")
    await cli.ok(two, "domain", "block", "mine.example")
    listed = f"{one.base_url}/blocklist.csv"
    other = f"{three.base_url}/blocklist.json"

    # Given two follows the lists of one (CSV) and three (JSON), read at once
    out = await cli.ok(two, "domain", "subscribe", listed)
    assert out == f"subscribed to {listed}; 1 rule(s) in force\n"
    await cli.ok(two, "domain", "subscribe", other)
    assert await _rules(cli, two) == [
        "blocked\tmine.example",
        f"blocked\tspam.example\tfrom {listed}\t'spam'",
    ]
    assert (await _knock(ally, two)).status_code == 202

    # When one blocks localhost publicly, and two's worker re-reads the lists
    await cli.ok(one, "domain", "block", "localhost", "--reason", "harassment", "--public")
    await _worker_rereads(two)
    # Then two refuses localhost, saying which list blocked it
    refused = await _knock(ally, two)
    assert (refused.status_code, refused.text) == (403, "the domain localhost is blocked\n")
    assert f"blocked\tlocalhost\tfrom {listed}\t'harassment'" in await _rules(cli, two)
    shown = (await cli.ok(two, "domain", "subscriptions")).splitlines()
    assert shown[0].startswith(f"{listed}\t2 rule(s)\tread 20") and shown[0].endswith("\tok")
    assert shown[1].startswith(f"{other}\t1 rule(s)\tread ")

    # A rule made on two wins over the list's, and the list's applies again without it
    await cli.ok(two, "domain", "block", "localhost", "--silence", "--reason", "ours")
    await _worker_rereads(two)
    assert "limited\tlocalhost\tsilence\t'ours'" in await _rules(cli, two)
    assert (await _knock(ally, two)).status_code == 202
    code, _out, err = await cli(two, "domain", "unblock", "spam.example")
    assert code == 1 and f"spam.example is blocked by the list {listed}" in err
    await cli.ok(two, "domain", "unblock", "localhost")
    assert f"blocked\tlocalhost\tfrom {listed}\t'harassment'" in await _rules(cli, two)

    # --limit-only: the list's suspensions become limits (silence)
    await cli.ok(two, "domain", "subscribe", listed, "--limit-only")
    assert f"limited\tlocalhost\tsilence\tfrom {listed}\t'harassment'" in await _rules(cli, two)
    assert (await _knock(ally, two)).status_code == 202
    await cli.ok(two, "domain", "subscribe", listed)
    assert (await _knock(ally, two)).status_code == 403

    # When one's list turns hostile (it blocks two's own domain, and one's), it is
    # refused with the reason, and its last good copy stays in force
    await cli.ok(one, "domain", "block", "127.0.0.1", "--reason", "oops", "--public")
    await cli.ok(one, "domain", "block", "new.example", "--reason", "new", "--public")
    await _worker_rereads(two)
    shown = (await cli.ok(two, "domain", "subscriptions")).splitlines()
    assert shown[0].startswith(f"{listed}\t2 rule(s)\t")
    assert shown[0].endswith("\terror: the list blocks 127.0.0.1, which covers 127.0.0.1")
    assert (await _knock(ally, two)).status_code == 403
    assert not any("new.example" in rule for rule in await _rules(cli, two))

    # When two unsubscribes from one's list, only what that list alone brought goes
    assert await cli.ok(two, "domain", "unsubscribe", listed) == f"unsubscribed from {listed}\n"
    assert await _rules(cli, two) == [
        "blocked\tmine.example",
        f"limited\tspam.example\tsilence\tfrom {other}\t's'",
    ]
    assert (await _knock(ally, two)).status_code == 202
