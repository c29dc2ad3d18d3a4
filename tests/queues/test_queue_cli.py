"""``mutuals queue`` shows the queues' counts; ``mutuals queue retry`` re-queues failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from inbox.models import InboxItem
from outbox.models import Delivery, DeliveryHost
from outbox.send import queue_activity
from store.db import utcnow
from tests.queues.support import BASE_URL, context


def _mutuals(database_url: str, cwd: Path, *args: str) -> str:
    env = {**os.environ, "MUTUALS_DEV": "1", "MUTUALS_DATABASE_URL": database_url}
    env["MUTUALS_BASE_URL"] = BASE_URL
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


async def test_queue_shows_counts_and_retry_requeues(database_url: str, tmp_path: Path) -> None:
    async with context(database_url) as ctx, ctx.sessions() as session:
        doc = {"id": f"{BASE_URL}/a/1", "type": "Delete", "actor": "x"}
        inboxes = [f"http://h{n}.example/inbox" for n in range(3)]
        await queue_activity(session, group=None, activity=doc, inboxes=inboxes)
        session.add(
            InboxItem(activity_ap_id="x#1", actor_ap_id="x", payload={}, status="failed", error="E")
        )
        session.add(DeliveryHost(host="h2.example", unavailable=True, unavailable_since=utcnow()))
        await session.flush()
        rows = (await session.execute(select(Delivery).order_by(Delivery.id))).scalars().all()
        rows[0].status = "failed"
        rows[1].attempts = 2
        await session.commit()

    shown = _mutuals(database_url, tmp_path, "queue").splitlines()
    assert shown[0].split() == ["queue", "pending", "in-flight", "retrying", "failed"]
    assert shown[1].split() == ["inbox", "0", "0", "0", "1", "(0", "done)"]
    assert shown[3].split() == ["delivery", "1", "0", "1", "1", "(0", "done)"]
    assert "hosts: 0 paused, 1 unavailable" in shown
    assert any(line.startswith("  unavailable: h2.example since ") for line in shown)

    retried = _mutuals(database_url, tmp_path, "queue", "retry", "--hosts")
    assert "inbox: 1 failed re-queued" in retried
    assert "delivery: 1 failed re-queued" in retried
    assert "hosts: 1 marked available" in retried
    async with context(database_url) as ctx, ctx.sessions() as session:
        statuses = (await session.execute(select(Delivery.status))).scalars().all()
        item = (await session.execute(select(InboxItem))).scalar_one()
    assert set(statuses) == {"pending"}
    assert (item.status, item.attempts) == ("pending", 0)
