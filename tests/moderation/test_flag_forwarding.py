"""The grievance process across real instances on loopback: one Mutuals instance reports a
group of another and forwards the report as a ``Flag``; the other routes it to the group
concerned; status changes tell the person who asked by a private ``Create{Note}``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from accounts.models import AuditEntry
from moderation.grievances import grievances
from moderation.models import ReportCase
from tests.admin.support import add_account
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.inbox.support import assert_all_done, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer
from tests.sharing.network import Cli

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    """Alice's server (a Mastodon-like peer): she brought the report."""
    async with running_peer() as server:
        server.actor("alice")
        yield server


def private_notes(peer: Peer, person: PeerActor) -> list[dict[str, Any]]:
    """The Create{Note} activities ``person``'s inbox received, checked to be private."""
    notes = [a for a in peer.inbox_activities("Create") if a["object"]["type"] == "Note"]
    for create in notes:
        note = create["object"]
        assert create["to"] == note["to"] == [person.id]
        assert create["cc"] == note["cc"] == []
        assert PUBLIC not in str(create) and "/followers" not in str(note["to"] + note["cc"])
        assert {"type": "Mention", "href": person.id, "name": f"@alice@{peer.base_url[7:]}"} in (
            note["tag"]
        )
    return notes


async def test_a_forwarded_report_reaches_the_group_concerned_and_tells_the_reporter(
    make_instance: InstanceFactory, peer: Peer, cli: Cli
) -> None:
    # Given: eastside on one instance, troublemakers on an ally's Mutuals instance.
    ours, ally = await make_instance(), await make_instance()
    eastside = await add_group(ours, "eastside")
    troublemakers = await add_group(ally, "troublemakers")
    await add_account(ours, "mo", eastside, "moderator")
    alice = peer.actors["alice"]
    reported = ally.ctx.urls.group(troublemakers.uid)

    # When: eastside reports it, forwarded, for alice who brought it.
    out = await cli.ok(
        ours,
        "report",
        "eastside",
        reported,
        "--reason",
        "harassing our members",
        "--forward",
        "--notify",
        alice.id,
    )
    await settle(ours, ally)

    # Then: the Flag went to the ally's instance actor inbox, from our instance actor,
    # and the ally routed it to the group concerned, open, with nobody to tell.
    assert out == f"report #1 about {reported} recorded; Flag sent to {ally.base_url}/inbox\n"
    await assert_all_done(ally)
    async with ally.ctx.sessions() as session:
        (found,) = await grievances(session, troublemakers)
    received = found.report
    assert (received.direction, received.reporter_ap_id, received.target_ids) == (
        "received",
        f"{ours.base_url}/actor",
        [reported],
    )
    (case,) = await rows(ally, ReportCase)
    assert (case.status, case.notify_ap_id) == ("open", None)
    listing = await cli.ok(ally, "reports", "troublemakers", "--status", "open")
    assert listing.startswith(f"#{received.id}\t") and "harassing our members" in listing

    # When: our moderator takes it, then hands it to the ally it was forwarded to.
    assert "in mediation with mo" in await cli.ok(ours, "report", "assign", "eastside", "1", "mo")
    ally_name = ally.base_url.removeprefix("http://")
    await cli.ok(ours, "report", "assign", "eastside", "#1", ally_name)
    await settle(ours)
    # Then: alice is told once that it is in mediation (a new mediator is no new status).
    (first,) = private_notes(peer, alice)
    assert "is now in mediation" in first["object"]["content"]
    assert "mo" not in first["object"]["content"].replace("mention", "")
    assert first["actor"] == ours.ctx.urls.group(eastside.uid)

    # When: it is resolved. Then: alice reads the outcome, privately.
    await cli.ok(
        ours, "report", "resolve", "eastside", "1", "--outcome", "Their server removed the posts"
    )
    await settle(ours)
    _, second = private_notes(peer, alice)
    assert "was resolved: Their server removed the posts" in second["object"]["content"]
    (ours_case,) = await rows(ours, ReportCase)
    assert (ours_case.status, ours_case.mediator_ally) == ("resolved", ally_name)
    logged = [(e.action, e.detail) for e in await rows(ours, AuditEntry)]
    assert logged[-3:] == [
        ("report assign", "#1 to mo"),
        ("report assign", f"#1 to {ally_name}"),
        ("report resolve", "#1"),
    ]

    # And the ally's moderators move their copy along without telling anyone (an
    # instance actor reported it): nothing more reaches alice.
    await cli.ok(ally, "report", "dismiss", "troublemakers", str(received.id), "--outcome", "n/a")
    await settle(ours, ally)
    assert len(private_notes(peer, alice)) == 2


async def test_a_flag_signed_by_a_person_tells_them_of_each_status_change(
    instance: Instance, peer: Peer, cli: Cli
) -> None:
    group = await add_group(instance, "demo")
    await add_account(instance, "mo", group, "moderator")
    alice = peer.actors["alice"]
    group_id = instance.ctx.urls.group(group.uid)
    flag = peer.activity(alice, "Flag", [group_id], content="Spam")

    assert (await peer.post(inbox_url(instance, None), flag)).status_code == 202
    await settle(instance)
    (case,) = await rows(instance, ReportCase)
    assert case.notify_ap_id == alice.id

    await cli.ok(instance, "report", "assign", "demo", str(case.report_id), "mo")
    await cli.ok(instance, "report", "note", "demo", str(case.report_id), "asked alice for links")
    await cli.ok(
        instance, "report", "dismiss", "demo", str(case.report_id), "--outcome", "Not spam"
    )
    await settle(instance)

    mediation, dismissed = private_notes(peer, alice)
    assert mediation["actor"] == group_id
    assert "now in mediation" in mediation["object"]["content"]
    assert "was dismissed: Not spam" in dismissed["object"]["content"]
    # The private note never leaves the instance.
    assert "asked alice" not in str(peer.inbox_activities())
    # An instance actor's Flag (Mastodon's way) is stored with nobody to tell.
    server = peer.actor("instance", type="Application")
    mastodon_flag = peer.activity(server, "Flag", [group_id], content="")
    assert (await peer.post(inbox_url(instance, None), mastodon_flag)).status_code == 202
    await settle(instance)
    cases = await rows(instance, ReportCase)
    assert [c.notify_ap_id for c in cases] == [alice.id, None]
