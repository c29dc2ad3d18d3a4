"""Polls between two instances: Mastodon-style votes counted once, tallies sent, closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from inbox.models import RemoteObject
from outbox.models import Activity
from sharing import step
from sharing.models import Vote
from sharing.polls import TALLY_INTERVAL
from store.db import utcnow
from tests.instances import Instance, settle
from tests.peer import running_peer
from tests.sharing.network import Cli, linked, post_by_uid, vote


async def _question(instance: Instance, uid: str) -> dict[str, Any]:
    return (await post_by_uid(instance, uid)).document


async def _updates(instance: Instance) -> int:
    async with instance.ctx.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Activity).where(Activity.type == "Update")
        )
    return int(count or 0)


async def test_votes_tallies_and_results(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    out = await cli.ok(
        two, "poll", "beta", "Which evening?", "--option", "Tuesday", "--option", "Thursday",
        "--closes", "2099-01-01 12:00", "--timezone", "Europe/Madrid",
    )  # fmt: skip
    uid = out.split()[1]
    question = (await _question(two, uid))["id"]
    inbox = f"{two.base_url}/groups/beta/inbox"
    async with running_peer() as peer:
        ana, bo = peer.actor("ana"), peer.actor("bo")
        votes = [
            vote(ana, question, "Tuesday", 1),
            vote(ana, question, "Thursday", 2),  # a second vote: ignored
            vote(bo, question, "Friday", 3),  # no such option: ignored
            vote(bo, question, "Thursday", 4),
        ]
        for activity in votes:
            assert (await peer.post(inbox, activity)).status_code == 202
        await settle(one, two)
    async with two.ctx.sessions() as session:
        rows = (await session.execute(select(Vote.actor_ap_id, Vote.option))).all()
    assert sorted(rows) == [(ana.id, "Tuesday"), (bo.id, "Thursday")]
    assert await cli.ok(two, "poll", "results", "beta", uid) == (
        "Which evening? (open, 2 voters)\n1\tTuesday\n1\tThursday\n"
    )
    # The tallies wait for the debounce interval, then go out in one Update.
    assert await _updates(two) == 0
    later = utcnow() + TALLY_INTERVAL + dt.timedelta(seconds=1)
    assert await step.run_once(two.ctx, later) == 1
    assert await step.run_once(two.ctx, later) == 0
    await settle(one, two)
    document = await _question(two, uid)
    assert [o["replies"]["totalItems"] for o in document["oneOf"]] == [1, 1]
    assert document["votersCount"] == 2
    assert "updated" not in document and "closed" not in document
    async with one.ctx.sessions() as session:
        seen = await session.scalar(select(RemoteObject).where(RemoteObject.ap_id == question))
    assert seen is not None and seen.document["votersCount"] == 2
    assert seen.document["endTime"] == "2099-01-01T11:00:00Z"
    # At the closing time one more Update says it is closed.
    closing = dt.datetime(2099, 1, 1, 11, 0, 1, tzinfo=dt.UTC)
    assert await step.run_once(two.ctx, closing) == 1
    assert (await _question(two, uid))["closed"] == "2099-01-01T11:00:00Z"
