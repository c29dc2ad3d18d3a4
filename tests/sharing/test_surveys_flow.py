"""A survey between two instances and a Mastodon-shaped peer: the thread, votes from the
timeline, answers from the page, combined results and CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
from sqlalchemy import select

from inbox.models import RemoteObject
from sharing.survey_models import SurveyAnswer, SurveyBrowser, SurveyResponse
from tests.admin.support import csrf_of
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer
from tests.sharing.network import Cli, linked, vote

CREATED = re.compile(r"^survey (\d+) created: (http://\S+/surveys/\S+)$")
SECRET = "Our landlord is Mr Needle"


async def create_survey(cli: Cli, instance: Instance, group: str, *extra: str) -> tuple[str, str]:
    """Create the test survey by the command line: its id and answer page URL (the first
    line; one that opens later says when on a second)."""
    out = await cli.ok(
        instance, "survey", "create", group, "Needs in March",
        "--description", "Tell us what would help.",
        "--question", "What do you need most?", "--option", "Food", "--option", "Rent",
        "--question", "Which days suit you?", "--option", "Mon", "--option", "Tue",
        "--option", "Sat", "--multiple",
        "--scale-question", "How hard is this month?",
        "--text-question", "Anything else?",
        "--closes", "2099-01-01 12:00", *extra,
    )  # fmt: skip
    found = CREATED.match(out.splitlines()[0])
    assert found, out
    return found[1], found[2]


async def answer(client: httpx.AsyncClient, url: str, data: dict[str, Any]) -> httpx.Response:
    """Open the page (which sets the cookies), then send ``data`` with its CSRF token."""
    page = await client.get(url)
    assert page.status_code == 200
    return await client.post(url, data={"csrf": csrf_of(page), **data})


def fields(page: httpx.Response) -> dict[str, str]:
    """Each question's field name on the page, by the question's number."""
    names = re.findall(r'name="(q\d+)"', page.text)
    return {str(i): name for i, name in enumerate(dict.fromkeys(names), 1)}


async def _follow(peer: Peer, who: PeerActor, group: str) -> None:
    follow = peer.activity(who, "Follow", group, to=[group])
    assert (await peer.post(f"{group}/inbox", follow)).status_code == 202


async def test_a_survey_answered_from_the_timeline_and_the_page(
    make_instance: Any, cli: Cli
) -> None:
    # Given alpha (instance one) and a Mastodon-shaped account following beta (two)
    one, two = await linked(make_instance)
    beta = f"{two.base_url}/groups/beta"
    async with running_peer() as peer:
        ana, bo = peer.actor("ana"), peer.actor("bo")
        await _follow(peer, ana, beta)
        await settle(one, two)
        # When beta publishes a survey
        survey_id, url = await create_survey(cli, two, "beta", "--anonymous")
        await settle(one, two)
        # Then it arrives as a thread: a Note, then one Question per choice or scale question
        creates = [a["object"] for a in peer.inbox_activities("Create")]
        [first] = [c for c in creates if c["type"] == "Note"]
        questions = sorted((c for c in creates if c is not first), key=lambda c: c["content"])
        assert "(1/4) What do you need most?" in questions[0]["content"]
        assert first["type"] == "Note" and url in first["content"]
        assert [q["type"] for q in questions] == ["Question"] * 3
        assert all(q["inReplyTo"] == first["id"] for q in questions)
        assert [o["name"] for o in questions[0]["oneOf"]] == ["Food", "Rent"]
        assert [o["name"] for o in questions[1]["anyOf"]] == ["Mon", "Tue", "Sat"]
        assert [o["name"] for o in questions[2]["oneOf"]] == ["1", "2", "3", "4", "5"]
        async with one.ctx.sessions() as session:
            seen = await session.scalar(
                select(RemoteObject).where(RemoteObject.ap_id == questions[0]["id"])
            )
        assert seen is not None and seen.document["inReplyTo"] == first["id"]
        # When two accounts vote in their timeline, as Mastodon sends votes
        inbox = f"{beta}/inbox"
        for activity in (
            vote(ana, questions[0]["id"], "Food", 1),
            vote(bo, questions[0]["id"], "Rent", 2),
            vote(ana, questions[1]["id"], "Sat", 3),
            vote(ana, questions[2]["id"], "4", 4),
        ):
            assert (await peer.post(inbox, activity)).status_code == 202
        await settle(one, two)
    # And an anonymous visitor answers every question on the page
    async with two.client() as visitor:
        names = fields(await visitor.get(url))
        sent = await answer(visitor, url, {
            names["1"]: "Food", names["2"]: ["Mon", "Sat"], names["3"]: "2",
            names["4"]: f"<script>alert(1)</script>{SECRET}",
        })  # fmt: skip
        assert sent.status_code == 200 and "your answers were counted" in sent.text
        # A second answer from the same browser is refused
        again = await answer(visitor, url, {names["1"]: "Rent", names["3"]: "1"})
        assert again.status_code == 400
        assert "this browser has already answered this survey" in again.text
    # Then the results combine both paths
    listed = await cli.ok(two, "survey", "list", "beta")
    assert listed == f"{survey_id}\tNeeds in March\t{url}\n"
    out = await cli.ok(two, "survey", "results", "beta", survey_id)
    assert out.splitlines() == [
        "Needs in March (open, 1 answered on the page)",
        "1. What do you need most?",
        "  2\tFood\t(page 1, fediverse 1)",
        "  1\tRent\t(page 0, fediverse 1)",
        "2. Which days suit you?",
        "  1\tMon\t(page 1, fediverse 0)",
        "  0\tTue\t(page 0, fediverse 0)",
        "  2\tSat\t(page 1, fediverse 1)",
        "3. How hard is this month?",
        "  0\t1\t(page 0, fediverse 0)",
        "  1\t2\t(page 1, fediverse 0)",
        "  0\t3\t(page 0, fediverse 0)",
        "  1\t4\t(page 0, fediverse 1)",
        "  0\t5\t(page 0, fediverse 0)",
        "4. Anything else?",
        f"  - {SECRET}",
    ]
    rows = list(
        csv.reader(io.StringIO(await cli.ok(two, "survey", "results", "beta", survey_id, "--csv")))
    )
    assert rows[0] == ["question", "kind", "answer", "page", "fediverse", "total"]
    assert ["What do you need most?", "one", "Food", "1", "1", "2"] in rows
    assert ["Anything else?", "text", SECRET, "1", "0", "1"] in rows
    # And nothing about who answered is stored with the answers
    async with two.ctx.sessions() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
        [browser] = (await session.scalars(select(SurveyBrowser))).all()
        values = set((await session.scalars(select(SurveyAnswer.value))).all())
    assert response.respondent is None
    assert len(browser.token_hash) == 64 and browser.token_hash not in values
    assert visitor.cookies.get("mutuals_survey") not in browser.token_hash
