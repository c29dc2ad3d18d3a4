"""The instance admin's queue and groups pages, over real HTTP against a real database."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from accounts import roles
from accounts.accounts import get_account
from accounts.models import AuditEntry
from actors.groups import find_group
from inbox.models import InboxItem
from outbox.models import Delivery, DeliveryHost
from outbox.send import queue_activity
from store.db import utcnow
from tests.admin.support import add_account, post_form, signed_in
from tests.helpers import AP, add_group
from tests.instances import Instance


async def failed_rows(instance: Instance) -> None:
    """Three deliveries (one failed, one retrying), a failed inbox item, a host gone."""
    async with instance.ctx.sessions() as session:
        doc = {"id": f"{instance.base_url}/a/1", "type": "Delete", "actor": "x"}
        inboxes = [f"http://h{n}.example/inbox" for n in range(3)]
        await queue_activity(session, group=None, activity=doc, inboxes=inboxes)
        session.add(
            InboxItem(activity_ap_id="x#1", actor_ap_id="x", payload={}, status="failed", error="E")
        )
        session.add(
            DeliveryHost(
                host="h2.example",
                unavailable=True,
                unavailable_since=utcnow(),
                last_error="<b>refused</b>",
            )
        )
        await session.flush()
        rows = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
        rows[0].status = "failed"
        rows[1].attempts = 2
        await session.commit()


def row_of(page: httpx.Response, queue: str) -> list[str]:
    """The numbers in the queue table's row of ``queue``."""
    found = re.search(rf'<th scope="row">{queue}</th>((?:<td>\d+</td>)+)</tr>', page.text)
    assert found, page.text
    return re.findall(r"<td>(\d+)</td>", found[1])


async def test_the_queue_page_shows_counts_and_retry_requeues(instance: Instance) -> None:
    await add_account(instance, "root", admin=True)
    await failed_rows(instance)
    async with signed_in(instance, "root") as client:
        shown = await client.get("/admin/queue")
        assert shown.status_code == 200
        # pending, sending, retrying, failed, done
        assert row_of(shown, "inbox") == ["0", "0", "0", "1", "0"]
        assert row_of(shown, "delivery") == ["1", "0", "1", "1", "0"]
        assert "<bdi>h2.example</bdi>" in shown.text
        assert "<bdi>&lt;b&gt;refused&lt;/b&gt;</bdi>" in shown.text

        retried = await post_form(client, "/admin/queue", {})
        assert retried.status_code == 200
        assert "1 inbox, 0 fan-out, 1 delivery" in retried.text
        assert row_of(retried, "delivery") == ["2", "0", "1", "0", "0"]
        assert "<bdi>h2.example</bdi>" in retried.text  # hosts only when asked
        async with instance.ctx.sessions() as session:
            statuses = set((await session.scalars(select(Delivery.status))).all())
            item = (await session.scalars(select(InboxItem))).one()
            host = await session.get(DeliveryHost, "h2.example")
        assert statuses == {"pending"}
        assert (item.status, item.attempts) == ("pending", 0)
        assert host is not None and host.unavailable

        with_hosts = await post_form(client, "/admin/queue", {"hosts": "on"})
        assert "Servers marked available again: 1." in with_hosts.text
        assert "No server is paused or unavailable." in with_hosts.text
    async with instance.ctx.sessions() as session:
        host = await session.get(DeliveryHost, "h2.example")
        log = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.actor == "root").order_by(AuditEntry.id)
            )
        ).all()
    assert host is not None and not host.unavailable
    assert [(e.actor, e.action, e.group_id) for e in log] == [("root", "queue retry", None)] * 2
    assert log[0].detail == "inbox: 1, fan-out: 0, delivery: 1"
    assert log[1].detail == "inbox: 0, fan-out: 0, delivery: 0; hosts: 1"


async def test_an_admin_creates_a_group_and_its_actor_is_served(instance: Instance) -> None:
    await add_group(instance, "eastside", display_name="Eastside")
    await add_account(instance, "root", admin=True)
    form = {
        "name": "northside",
        "display_name": "Northside <Mutual> Aid",
        "summary": "We *share* tools.",
        "posting": "open",
        "manual_approval": "on",
        "organizer": "on",
    }
    async with signed_in(instance, "root") as client:
        listed = await client.get("/admin/groups")
        assert "@eastside@" in listed.text
        created = await post_form(client, "/admin/groups", form)
        assert created.status_code == 303
        assert created.headers["location"] == "/admin/groups?created=northside"
        after = await client.get(created.headers["location"])
        assert "Group northside created" in after.text
        assert 'href="/admin/groups/northside/">Open its dashboard' in after.text
        dashboard = await client.get("/admin/groups/northside/")
        assert dashboard.status_code == 200
        assert "Northside &lt;Mutual&gt; Aid" in dashboard.text

        # Without "make me organizer", nobody holds a role in it
        quiet = await post_form(client, "/admin/groups", {"name": "southside"})
        assert quiet.status_code == 303
        refused = await client.get("/admin/groups/southside/")
        assert refused.status_code == 403

        # Bad input: the package's message next to the form, what was typed kept
        bad = await post_form(client, "/admin/groups", {**form, "name": "North Side"})
        assert bad.status_code == 400
        assert "invalid group name &#39;North Side&#39;" in bad.text
        assert 'value="North Side"' in bad.text and "We *share* tools.</textarea>" in bad.text
        taken = await post_form(client, "/admin/groups", {**form, "name": "eastside"})
        assert taken.status_code == 400 and "is taken" in taken.text
        policy = await post_form(client, "/admin/groups", {**form, "posting": "anyone"})
        assert policy.status_code == 400

    async with instance.client() as anonymous:
        actor = await anonymous.get("/groups/northside", headers={"Accept": AP})
    assert actor.status_code == 200
    doc = actor.json()
    assert doc["preferredUsername"] == "northside" and doc["name"] == "Northside <Mutual> Aid"
    assert doc["manuallyApprovesFollowers"] is True
    async with instance.ctx.sessions() as session:
        group = await find_group(session, "northside")
        root = await get_account(session, "root")
        assert group is not None and group.posting == "open"
        assert await roles.roles_in(session, root, group) == {"organizer"}
        log = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.actor == "root").order_by(AuditEntry.id)
            )
        ).all()
    done = [(e.actor, e.action, e.detail) for e in log]
    assert done == [
        ("root", "group create", f"@northside@{instance.host}"),
        ("root", "grant", "organizer to root"),
        ("root", "group create", f"@southside@{instance.host}"),
    ]
