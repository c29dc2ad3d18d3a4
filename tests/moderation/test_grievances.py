"""The grievance process on the database: who may mediate, what a closed report refuses,
the action log, the private message queued for the reporter, and where a Flag goes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import roles
from accounts.accounts import create_account
from accounts.models import AuditEntry
from actors.groups import create_group
from actors.instance import Context
from actors.models import Group
from moderation.forwarding import flag_inbox
from moderation.grievances import (
    GrievanceError,
    add_note,
    assign,
    close,
    get_grievance,
    grievances,
    notes_of,
)
from moderation.reports import report_account
from outbox.models import Activity, Delivery
from tests.moderation.conftest import FakeNetwork, actor_document, add_remote
from web.dashboard import group_numbers

TROLL = "https://trolls.example/users/troll"
ALICE = "https://friends.example/users/alice"
JRD = "application/jrd+json"
WEBFINGER = "https://trolls.example/.well-known/webfinger?resource=" + quote(
    "https://trolls.example/"
)


class WebFingerNetwork(FakeNetwork):
    """The fake network, serving WebFinger answers as ``application/jrd+json``."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        answer = super().handle(request)
        if answer.status_code != 200 or request.url.path != "/.well-known/webfinger":
            return answer
        return httpx.Response(200, content=answer.content, headers={"Content-Type": JRD})


@pytest.fixture
def network() -> FakeNetwork:
    return WebFingerNetwork()


async def sent_notes(session: AsyncSession) -> list[tuple[dict[str, Any], list[str]]]:
    """The Create activities queued, with their inboxes."""
    out = []
    for row in await session.scalars(select(Activity).where(Activity.type == "Create")):
        inboxes = await session.scalars(
            select(Delivery.inbox).where(Delivery.activity_id == row.id)
        )
        out.append((row.document, list(inboxes)))
    return out


@pytest.fixture
async def setting(ctx: Context, session: AsyncSession, group: Group) -> Group:
    """eastside (moderated by mo; ed only edits) and westside (moderated by ann)."""
    westside = await create_group(session, "westside", ctx.urls)
    for name, where, role in (
        ("mo", group, "moderator"),
        ("ed", group, "editor"),
        ("ann", westside, "moderator"),
    ):
        account = await create_account(session, name, "correct horse battery", by="test")
        await roles.grant(session, account, where, role, by="test")
    await add_remote(session, TROLL, shared_inbox="https://trolls.example/inbox")
    await add_remote(session, ALICE)
    await session.commit()
    return westside


async def test_refusals_and_the_path_of_a_report(
    ctx: Context, session: AsyncSession, group: Group, setting: Group
) -> None:
    westside = setting
    ours = await report_account(ctx, session, group, TROLL, reason="spam", notify=ALICE)
    theirs = await report_account(ctx, session, westside, TROLL, reason="spam")

    async def refused(work: Any) -> str:
        with pytest.raises(GrievanceError) as caught:
            await work
        return str(caught.value)

    assert await refused(get_grievance(session, group, 99)) == (
        "eastside has no report #99 (see `mutuals reports eastside`)"
    )
    # Another group's report is as unknown as one that does not exist.
    assert "eastside has no report" in await refused(
        assign(session, ctx, group, theirs.id, "mo", by="x")
    )
    for who in ("ed", "ann"):
        assert await refused(assign(session, ctx, group, ours.id, who, by="x")) == (
            f"{who} is not a moderator of eastside: grant the role first "
            f"(`mutuals account grant {who} eastside moderator`)"
        )
    assert "was not sent on to another server" in await refused(
        assign(session, ctx, group, ours.id, "trolls.example", by="x")
    )
    assert await refused(close(session, ctx, group, ours.id, "resolved", "  ", by="x")) == (
        "the outcome is empty: write it"
    )
    assert (
        await refused(add_note(session, group, ours.id, "", by="x"))
        == "the note is empty: write it"
    )
    assert (await get_grievance(session, group, ours.id)).case.status == "open"

    assert (await group_numbers(session, group)).reports == 1  # open reports, on the dashboard
    assigned = await assign(session, ctx, group, ours.id, "MO", by="mo")
    assert (await group_numbers(session, group)).reports == 1  # in mediation: still open
    assert (assigned.case.status, assigned.mediator) == ("mediation", "mo")
    await add_note(session, group, ours.id, "they apologised in DMs", by="mo")
    done = await close(session, ctx, group, ours.id, "dismissed", "Settled between them", by="mo")
    assert (done.case.status, done.case.outcome, done.mediator) == (
        "dismissed",
        "Settled between them",
        "mo",
    )
    for again in (
        close(session, ctx, group, ours.id, "resolved", "more", by="x"),
        assign(session, ctx, group, ours.id, "mo", by="x"),
    ):
        assert await refused(again) == (
            f"report #{ours.id} is already dismissed: a closed report is not changed again"
        )
    assert (await group_numbers(session, group)).reports == 0
    # A note changes nothing, so a closed report still takes one.
    await add_note(session, group, ours.id, "follow-up: all quiet", by="mo")
    await session.commit()

    assert [n.text for n in await notes_of(session, done.case)] == [
        "they apologised in DMs",
        "follow-up: all quiet",
    ]
    assert [g.report.id for g in await grievances(session, group, "dismissed")] == [ours.id]
    assert await grievances(session, group, "open") == []
    log = await session.scalars(
        select(AuditEntry).where(AuditEntry.group_id == group.id, AuditEntry.actor != "test")
    )
    assert [(e.actor, e.action, e.detail) for e in log] == [
        ("command line", "report", f"#{ours.id} about {TROLL}"),
        ("mo", "report assign", f"#{ours.id} to mo"),
        ("mo", "report note", f"#{ours.id}"),
        ("mo", "report dismiss", f"#{ours.id}"),
        ("mo", "report note", f"#{ours.id}"),
    ]
    # Alice was told twice, privately, by the group: what happened, not who said what.
    (first, inboxes), (second, _) = await sent_notes(session)
    assert inboxes == [ALICE + "/inbox"]
    assert first["actor"] == ctx.urls.group(group.uid)
    assert (first["to"], first["cc"], first["object"]["to"], first["object"]["cc"]) == (
        [ALICE],
        [],
        [ALICE],
        [],
    )
    assert f"Your report about {TROLL} is now in mediation." in first["object"]["content"]
    assert "was dismissed: Settled between them" in second["object"]["content"]
    assert "apologised" not in str(second) and ">mo<" not in str(second)


async def test_an_ally_mediates_only_a_report_forwarded_to_it(
    ctx: Context, session: AsyncSession, group: Group, setting: Group
) -> None:
    forwarded = await report_account(
        ctx, session, group, TROLL, reason="spam", forward_to="https://trolls.example/inbox"
    )
    with pytest.raises(GrievanceError, match=r"was sent on to trolls\.example only"):
        await assign(session, ctx, group, forwarded.id, "elsewhere.example", by="x")
    done = await assign(session, ctx, group, forwarded.id, "https://Trolls.example/", by="x")
    assert (done.case.status, done.mediator, done.case.mediator_account_id) == (
        "mediation",
        "trolls.example",
        None,
    )
    # Nobody asked to be told: nothing but the Flag was queued.
    assert await sent_notes(session) == []


async def test_without_a_server_actor_a_flag_goes_to_the_account_shared_inbox(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    troll = await add_remote(session, TROLL, shared_inbox="https://trolls.example/inbox")
    # WebFinger answers 404 for the origin: Mastodon's shared inbox takes Flags.
    assert await flag_inbox(ctx, session, troll) == "https://trolls.example/inbox"
    assert WEBFINGER in network.requests


async def test_flag_goes_to_the_server_actor_found_by_webfinger(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    troll = await add_remote(session, TROLL, shared_inbox="https://trolls.example/inbox")
    # FEP-d556: the origin's WebFinger names the instance actor; its inbox is used.
    server = actor_document("https://trolls.example/actor")
    server["type"] = "Application"
    network.documents[server["id"]] = server
    links = [{"rel": "self", "type": "application/activity+json", "href": server["id"]}]
    network.documents[WEBFINGER] = {"subject": "https://trolls.example/", "links": links}
    assert await flag_inbox(ctx, session, troll) == "https://trolls.example/actor/inbox"


async def test_a_server_actor_on_another_origin_is_ignored(
    ctx: Context, session: AsyncSession, network: FakeNetwork
) -> None:
    troll = await add_remote(session, TROLL)
    links = [{"rel": "self", "type": "application/activity+json", "href": "https://evil.example/a"}]
    network.documents[WEBFINGER] = {"subject": "https://trolls.example/", "links": links}
    assert await flag_inbox(ctx, session, troll) == TROLL + "/inbox"
    assert "https://evil.example/a" not in network.requests
