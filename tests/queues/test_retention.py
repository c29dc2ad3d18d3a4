"""Finished queue rows older than ``MUTUALS_RETENTION_DAYS`` are pruned by a worker step;
failed, pending and recent rows stay, and so does every activity.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from actors.instance import Context
from inbox.models import InboxItem
from outbox.models import Activity, Delivery, FanOut
from store.db import utcnow
from store.retention import Retention, prune
from tests.instances import Instance
from tests.queues.support import add_group
from web.settings import SettingsError, load_settings

OLD = dt.timedelta(days=8)
RECENT = dt.timedelta(days=6)
LATER = dt.timedelta(days=365)  # pending rows are never due during the test
NO_ENV_FILE = Path("/nonexistent/.env")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _activity(ctx: Context, n: int) -> int:
    async with ctx.sessions() as session:
        row = Activity(ap_id=f"{ctx.urls.base}/a/{n}", type="Create", document={"n": n})
        session.add(row)
        await session.commit()
        return row.id


async def _add(ctx: Context, *rows: Any) -> None:
    async with ctx.sessions() as session:
        session.add_all(rows)
        await session.commit()


def _delivery(activity_id: int, name: str, status: str, age: dt.timedelta) -> Delivery:
    now = utcnow()
    return Delivery(
        activity_id=activity_id,
        inbox=f"https://{name}.example/inbox",
        host=f"{name}.example",
        status=status,
        created_at=now - age,
        next_attempt_at=now + LATER if status == "pending" else now - age,
        delivered_at=now - age if status == "delivered" else None,
    )


def _item(name: str, status: str, age: dt.timedelta) -> InboxItem:
    now = utcnow()
    return InboxItem(
        activity_ap_id=f"https://peer.example/{name}",
        actor_ap_id="https://peer.example/actor",
        payload={"type": "Create", "name": name},
        status=status,
        received_at=now - age,
        next_attempt_at=now + LATER if status == "pending" else now - age,
        processed_at=None if status == "pending" else now - age,
    )


async def _left(ctx: Context) -> tuple[set[str], set[str], set[int], int]:
    async with ctx.sessions() as session:
        inboxes = set((await session.execute(select(Delivery.inbox))).scalars())
        items = set((await session.execute(select(InboxItem.activity_ap_id))).scalars())
        jobs = set((await session.execute(select(FanOut.cursor))).scalars())
        activities = (await session.execute(select(func.count()).select_from(Activity))).scalar()
    names = {url.split("//")[1].split(".")[0] for url in inboxes}
    return names, {url.rsplit("/", 1)[1] for url in items}, jobs, int(activities or 0)


async def test_old_finished_rows_go_and_the_rest_stay(instance: Instance) -> None:
    # Given finished, failed and pending rows of every queue, some older than 7 days
    ctx = instance.ctx
    group = await add_group(ctx)
    sent, expanding, other = [await _activity(ctx, n) for n in range(3)]
    now = utcnow()
    await _add(
        ctx,
        _delivery(sent, "old-delivered", "delivered", OLD),
        _delivery(sent, "recent-delivered", "delivered", RECENT),
        _delivery(sent, "old-failed", "failed", OLD),
        _delivery(sent, "old-pending", "pending", OLD),
        # Its activity still has a fan-out job running, which needs the row to skip it.
        _delivery(expanding, "old-expanding", "delivered", OLD),
        # The cursor names each job in the assertions.
        FanOut(activity_id=other, group_id=group.id, cursor=1, status="done", created_at=now - OLD),
        FanOut(
            activity_id=other, group_id=group.id, cursor=2, status="done", created_at=now - RECENT
        ),
        FanOut(
            activity_id=other, group_id=group.id, cursor=3, status="failed", created_at=now - OLD
        ),
        FanOut(
            activity_id=expanding,
            group_id=group.id,
            cursor=4,
            created_at=now - OLD,
            next_attempt_at=now + LATER,
        ),
        _item("old-done", "done", OLD),
        _item("recent-done", "done", RECENT),
        _item("old-failed", "failed", OLD),
        _item("old-pending", "pending", OLD),
    )

    # When the workers step
    await instance.step()

    # Then only the old finished rows are gone, and every activity is still there
    deliveries, items, jobs, activities = await _left(ctx)
    assert deliveries == {"recent-delivered", "old-failed", "old-pending", "old-expanding"}
    assert items == {"recent-done", "old-failed", "old-pending"}
    assert jobs == {2, 3, 4}
    assert activities == 3


async def test_pruning_runs_at_most_once_a_period(instance: Instance) -> None:
    ctx = instance.ctx
    clock = FakeClock()
    ctx.retention = Retention(days=7, every=300, clock=clock)
    await _add(ctx, _item("first", "done", OLD))
    await instance.step()
    assert (await _left(ctx))[1] == set()

    await _add(ctx, _item("second", "done", OLD))
    clock.now += 299
    await instance.step()
    assert (await _left(ctx))[1] == {"second"}  # not due yet

    clock.now += 1
    await instance.step()
    assert (await _left(ctx))[1] == set()


async def test_zero_days_keeps_everything(instance: Instance) -> None:
    ctx = instance.ctx
    ctx.retention = Retention(days=0)
    await _add(ctx, _item("kept", "done", dt.timedelta(days=4000)))
    await instance.step()
    assert (await _left(ctx))[1] == {"kept"}


async def test_prune_deletes_in_batches_and_stops_after_the_last(instance: Instance) -> None:
    ctx = instance.ctx
    await _add(ctx, *[_item(f"i{n}", "done", OLD) for n in range(5)])
    done = InboxItem.status == "done"

    assert await prune(ctx.sessions, InboxItem, done, batch=2, max_batches=2) == 4
    assert (await _left(ctx))[1] == {"i4"}  # the oldest ids go first
    assert await prune(ctx.sessions, InboxItem, done, batch=2, max_batches=2) == 1
    assert await prune(ctx.sessions, InboxItem, done, batch=2, max_batches=2) == 0


def test_retention_days_setting() -> None:
    base = {"MUTUALS_DEV": "1"}
    assert load_settings(base, NO_ENV_FILE).retention_days == 7
    assert (
        load_settings(base | {"MUTUALS_RETENTION_DAYS": "0.5"}, NO_ENV_FILE).retention_days == 0.5
    )
    assert load_settings(base | {"MUTUALS_RETENTION_DAYS": "0"}, NO_ENV_FILE).retention_days == 0
    for wrong in ("-1", "soon", "inf", "nan"):
        with pytest.raises(SettingsError, match="MUTUALS_RETENTION_DAYS"):
            load_settings(base | {"MUTUALS_RETENTION_DAYS": wrong}, NO_ENV_FILE)
