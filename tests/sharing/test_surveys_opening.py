"""A survey that opens later: stored with its questions, nothing published and no answer
taken until the periodic sharing step opens it, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from inbox.models import RemoteObject
from posts.models import Post
from sharing import step
from sharing.models import Poll
from sharing.survey_models import Survey, SurveyQuestion, SurveyResponse
from tests.admin.support import count, csrf_of
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import running_peer
from tests.sharing.network import Cli, linked
from tests.sharing.test_surveys_flow import answer, create_survey, fields

# "2098-06-01 10:00" in Europe/Madrid, on summer time (UTC+2)
LATER = ("--opens", "2098-06-01 10:00", "--timezone", "Europe/Madrid")
OPENS = dt.datetime(2098, 6, 1, 8, 0, tzinfo=dt.UTC)
WAITING = "This survey opens 2098-06-01 08:00 UTC: answers are taken from then on."
REFUSED = (
    '<p class="error" role="alert">'
    "this survey is not open yet: answers are taken from 2098-06-01 08:00 UTC</p>"
)


async def _published(instance: Instance) -> tuple[int, int]:
    """How many posts and polls the instance holds."""
    return await count(instance, Post), await count(instance, Poll)


async def _question_ids(instance: Instance) -> list[int]:
    async with instance.ctx.sessions() as session:
        found = await session.scalars(select(SurveyQuestion.id).order_by(SurveyQuestion.position))
    return list(found)


async def test_a_survey_opens_at_its_time_and_only_once(make_instance: Any, cli: Cli) -> None:
    # Given alpha (instance one) and a Mastodon-shaped account following beta (two)
    one, two = await linked(make_instance)
    beta = f"{two.base_url}/groups/beta"
    async with running_peer() as peer:
        ana = peer.actor("ana")
        follow = peer.activity(ana, "Follow", beta, to=[beta])
        assert (await peer.post(f"{beta}/inbox", follow)).status_code == 202
        await settle(one, two)
        # When beta creates a survey that opens later (the workers run meanwhile)
        survey_id, url = await create_survey(cli, two, "beta", *LATER)
        await settle(one, two)
        # Then it is stored with its questions, and nothing is published or delivered
        async with two.ctx.sessions() as session:
            survey = await session.get(Survey, int(survey_id))
        assert survey is not None and survey.post_id is None and survey.opens_at == OPENS
        assert len(await _question_ids(two)) == 4
        assert await _published(two) == (0, 0)
        assert peer.inbox_activities("Create") == []
        assert await count(one, RemoteObject) == 0
        # And its page says when it opens, shows no form and refuses an answer
        async with two.client() as early:
            page = await early.get(url)
            assert page.status_code == 200 and WAITING in page.text
            assert 'action="/surveys' not in page.text
            first, second, third, _text = await _question_ids(two)
            sent = {f"q{first}": "Food", f"q{second}": "Mon", f"q{third}": "3"}
            token = csrf_of(await early.get("/login"))  # the page itself has no form
            refused = await early.post(url, data={"csrf": token, **sent})
            assert refused.status_code == 400 and REFUSED in refused.text
        assert await count(two, SurveyResponse) == 0
        # And the organizers see when it opens, with results all zero
        listed = await cli.ok(two, "survey", "list", "beta")
        assert listed == f"{survey_id}\tNeeds in March\t{url}\topens 2098-06-01 08:00 UTC\n"
        results = (await cli.ok(two, "survey", "results", "beta", survey_id)).splitlines()
        assert results[0] == "Needs in March (opens 2098-06-01 08:00 UTC, 0 answered on the page)"
        assert results[2] == "  0\tFood\t(page 0, fediverse 0)"
        assert all(line.startswith(("  0\t", "1.", "2.", "3.", "4.")) for line in results[1:])

        # When the sharing step runs just before the opening time, nothing happens
        assert await step.run_once(two.ctx, OPENS - dt.timedelta(minutes=1)) == 0
        assert await _published(two) == (0, 0)
        # When it runs after it, the thread is published, once
        after = OPENS + dt.timedelta(minutes=1)
        assert await step.run_once(two.ctx, after) == 1
        assert await step.run_once(two.ctx, after) == 0
        await settle(one, two)
        assert await step.run_once(two.ctx, after + dt.timedelta(hours=1)) == 0
        await settle(one, two)
        # Then followers got the thread as create_survey publishes it: a Note, then polls
        creates = [a["object"] for a in peer.inbox_activities("Create")]
        [note] = [c for c in creates if c["type"] == "Note"]
        polls = sorted((c for c in creates if c is not note), key=lambda c: c["content"])
        assert len(creates) == 4 and url in note["content"]
        assert [p["type"] for p in polls] == ["Question"] * 3
        assert "(1/4) What do you need most?" in polls[0]["content"]
        assert all(p["inReplyTo"] == note["id"] for p in polls)
        assert [o["name"] for o in polls[1]["anyOf"]] == ["Mon", "Tue", "Sat"]
        assert await _published(two) == (4, 3)
        async with one.ctx.sessions() as session:
            seen = await session.scalar(
                select(RemoteObject).where(RemoteObject.ap_id == note["id"])
            )
        assert seen is not None
    # And the page now takes answers
    async with two.client() as visitor:
        names = fields(await visitor.get(url))
        done = await answer(visitor, url, {names["1"]: "Food", names["2"]: "Mon", names["3"]: "3"})
        assert done.status_code == 200 and "your answers were counted" in done.text
    results = (await cli.ok(two, "survey", "results", "beta", survey_id)).splitlines()
    assert results[:3] == [
        "Needs in March (open, 1 answered on the page)",
        "1. What do you need most?",
        "  1\tFood\t(page 1, fediverse 0)",
    ]
    assert (await cli.ok(two, "survey", "list", "beta")) == f"{survey_id}\tNeeds in March\t{url}\n"


async def test_the_command_line_says_when_it_opens(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    out = await cli.ok(
        instance, "survey", "create", "eastside", "Later", "--text-question", "Why?", *LATER
    )
    created, when = out.splitlines()
    assert created.startswith("survey ") and "/surveys/" in created
    assert when == "it opens 2098-06-01 08:00 UTC; nothing is posted until then"
    assert await _published(instance) == (0, 0)
