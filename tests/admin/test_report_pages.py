"""One report's page over real HTTP: the moderators move it along (mediator, notes,
outcome); each bad input is refused with its reason, and nobody else sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from accounts.models import AuditEntry
from actors.groups import get_group
from moderation.reports import report_account
from tests.admin.support import add_account, post_form, signed_in
from tests.helpers import add_group
from tests.inbox.support import rows
from tests.instances import Instance, settle
from tests.peer import Peer, running_peer

GROUP = "/admin/groups/garden"
TROLL = "https://trolls.example/users/troll"


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        server.actor("alice")
        yield server


async def reports_of(instance: Instance, peer: Peer) -> tuple[int, int]:
    """garden (mo moderates, ed edits) and field (fay organizes), one report each; their ids.
    garden's report was brought by alice, who asked to be told."""
    garden = await add_group(instance, "garden")
    field = await add_group(instance, "field")
    await add_account(instance, "mo", garden, "moderator")
    await add_account(instance, "ed", garden, "editor")
    await add_account(instance, "fay", field, "organizer")
    async with instance.ctx.sessions() as session:
        ours = await report_account(
            instance.ctx,
            session,
            await get_group(session, "garden"),
            TROLL,
            reason="Spam <b>links</b>",
            notify=peer.actors["alice"].id,
        )
        theirs = await report_account(
            instance.ctx, session, await get_group(session, "field"), TROLL, reason="x"
        )
        await session.commit()
    return ours.id, theirs.id


async def test_a_report_moves_along_on_its_page(instance: Instance, peer: Peer) -> None:
    ours, theirs = await reports_of(instance, peer)
    page_of = f"{GROUP}/report?id={ours}"
    async with signed_in(instance, "mo") as client:
        listing = await client.get(GROUP + "/reports")
        assert f'href="{page_of}">#{ours}</a>' in listing.text
        page = await client.get(page_of)
        assert page.status_code == 200
        assert "Spam &lt;b&gt;links&lt;/b&gt;" in page.text
        assert '<option value="mo">mo</option>' in page.text
        assert '<option value="ed">' not in page.text  # an editor does not mediate

        refused = await post_form(client, page_of, {"action": "assign", "mediator": "ed"})
        assert refused.status_code == 400
        assert "ed is not a moderator of garden" in refused.text
        empty = await post_form(client, page_of, {"action": "resolved", "outcome": " "})
        assert empty.status_code == 400 and "the outcome is empty" in empty.text

        assigned = await post_form(client, page_of, {"action": "assign", "mediator": "mo"})
        assert assigned.status_code == 303
        assert "the report is in mediation" in (await client.get(assigned.headers["location"])).text
        noted = await post_form(client, page_of, {"action": "note", "text": "<i>called</i> them"})
        assert noted.status_code == 303
        closed = await post_form(
            client, page_of, {"action": "dismissed", "outcome": "No spam found"}
        )
        assert closed.status_code == 303
        page = await client.get(closed.headers["location"])
        assert "Report dismissed." in page.text
        assert "&lt;i&gt;called&lt;/i&gt; them" in page.text and "No spam found" in page.text
        assert "only notes can be added" in page.text and 'name="mediator"' not in page.text

        again = await post_form(client, page_of, {"action": "resolved", "outcome": "x"})
        assert again.status_code == 400
        assert "already dismissed: a closed report is not changed again" in again.text
        # Another group's report, or one that does not exist: not found.
        for missing in (theirs, 999):
            gone = await client.get(f"{GROUP}/report?id={missing}")
            assert gone.status_code == 404
            assert f"garden has no report #{missing}" in gone.text
        chooser = await client.get(f"{GROUP}/report")
        assert chooser.status_code == 200 and "Open a report" in chooser.text
        typo = await client.get(f"{GROUP}/report?id=abc")
        assert typo.status_code == 404
        assert "&#39;abc&#39; is not a report number such as 12" in typo.text
        other = await post_form(
            client,
            f"{GROUP}/report?id={theirs}",
            {"action": "note", "text": "hi"},
            from_page=page_of,
        )
        assert other.status_code == 404
        filtered = await client.get(GROUP + "/reports?status=open")
        assert f"#{ours}</a>" not in filtered.text and "No reports." in filtered.text
        assert f"#{ours}</a>" in (await client.get(GROUP + "/reports?status=dismissed")).text

    await settle(instance)
    told = [a["object"]["content"] for a in peer.inbox_activities("Create")]
    assert len(told) == 2 and "No spam found" in told[1] and "called" not in str(told)
    logged = [(e.actor, e.action, e.detail) for e in await rows(instance, AuditEntry)]
    assert [entry for entry in logged if entry[0] == "mo"] == [
        ("mo", "report assign", f"#{ours} to mo"),
        ("mo", "report note", f"#{ours}"),
        ("mo", "report dismiss", f"#{ours}"),
    ]


async def test_only_moderators_and_organizers_see_reports(instance: Instance, peer: Peer) -> None:
    ours, _ = await reports_of(instance, peer)
    for outsider in ("ed", "fay"):
        async with signed_in(instance, outsider) as client:
            page = await client.get(f"{GROUP}/report?id={ours}")
            assert page.status_code == 403
            assert "Spam" not in page.text
    async with signed_in(instance, "mo") as client:
        forged = await client.post(
            f"{GROUP}/report?id={ours}", data={"action": "note", "text": "no token"}
        )
        assert forged.status_code == 403
    assert [e.action for e in await rows(instance, AuditEntry) if e.actor == "mo"] == []
