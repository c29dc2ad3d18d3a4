"""Surveys refuse bad input with a clear message and store nothing: on the command line
and on the answer page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from posts.models import Post
from sharing.models import Poll
from sharing.survey_models import Survey, SurveyAnswer, SurveyResponse
from tests.admin.support import count, csrf_of
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli
from tests.sharing.test_surveys_flow import answer, create_survey, fields


async def _nothing_stored(instance: Instance) -> None:
    assert await count(instance, Survey) == 0
    assert await count(instance, Post) == 0
    assert await count(instance, Poll) == 0


async def test_the_command_line_refuses_bad_surveys(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    create = ("survey", "create", "eastside", "Needs")
    assert await cli.fails(instance, *create) == (
        "error: a survey needs 1 to 20 questions; 0 given"
    )
    many = [flag for n in range(200) for flag in ("--text-question", f"Q{n}")]
    assert await cli.fails(instance, *create, *many) == (
        "error: a survey needs 1 to 20 questions; 200 given"
    )
    assert await cli.fails(instance, *create, "--option", "Food", "--question", "What?") == (
        "error: --option Food comes before any --question: put each --option (and --multiple) "
        "after the question it belongs to"
    )
    assert await cli.fails(instance, *create, "--question", "What?", "--option", "Food") == (
        "error: question 1: a poll needs 2 to 20 options; 1 given"
    )
    assert await cli.fails(
        instance, *create, "--text-question", "Why?", "--option", "A", "--option", "B"
    ) == (
        "error: --option A comes before any --question: put each --option (and --multiple) "
        "after the question it belongs to"
    )
    assert await cli.fails(
        instance, *create, "--text-question", "Why?", "--closes", "2001-01-01 10:00"
    ) == ("error: the closing time (2001-01-01 10:00+00:00) is in the past")
    asked = (*create, "--text-question", "Why?")
    assert await cli.fails(instance, *asked, "--opens", "2001-01-01 10:00") == (
        "error: the opening time (2001-01-01 10:00+00:00) is in the past"
    )
    for opens in ("2099-01-02 10:00", "2099-01-01 10:00"):
        assert await cli.fails(
            instance, *asked, "--opens", opens, "--closes", "2099-01-01 10:00"
        ) == (
            f"error: the survey closes (2099-01-01 10:00+00:00) before it opens ({opens}+00:00): "
            "make the opening time earlier than the closing time"
        )
    assert await cli.fails(instance, *asked, "--opens", "next week") == (
        "error: 'next week' is not a date and time; write it as 2025-11-29 18:30"
    )
    assert await cli.fails(instance, "survey", "results", "eastside", "7") == (
        "error: eastside has no survey '7'; `mutuals survey list eastside` lists them"
    )
    assert await cli.ok(instance, "survey", "list", "eastside") == "eastside has no surveys\n"
    await _nothing_stored(instance)


async def test_the_page_refuses_bad_answers(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    survey_id, url = await create_survey(cli, instance, "eastside")
    async with instance.client() as visitor:
        names = fields(await visitor.get(url))
        # A required answer missing
        missing = await answer(visitor, url, {names["1"]: "Food", names["4"]: "kept"})
        assert missing.status_code == 400
        assert "question 2 needs an answer" in missing.text
        assert "kept</textarea>" in missing.text  # what was typed is not lost
        # An option the question does not have, and two answers to a one-choice question
        for bad in ({names["1"]: "Cake"}, {names["1"]: ["Food", "Rent"]}):
            refused = await answer(visitor, url, {**bad, names["2"]: "Mon", names["3"]: "3"})
            assert refused.status_code == 400
        # A form without its CSRF token
        forged = await visitor.post(url, data={names["1"]: "Food"})
        assert forged.status_code == 403 and "This form has expired" in forged.text
    # A browser that refuses cookies
    async with instance.client() as bare:
        page = await bare.get(url)
        bare.cookies.delete("mutuals_survey")
        valid = {names["1"]: "Food", names["2"]: "Mon", names["3"]: "3"}
        no_cookie = await bare.post(url, data={"csrf": csrf_of(page), **valid})
        assert no_cookie.status_code == 400 and "allow cookies for this site" in no_cookie.text
    assert await count(instance, SurveyResponse) == 0
    # After closing, answers are refused with a clear message
    async with instance.client() as late:
        token = csrf_of(await late.get(url))
        async with instance.ctx.sessions() as session:
            past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
            await session.execute(update(Survey).values(closes_at=past))
            await session.commit()
        page = await late.get(url)
        assert "This survey has closed" in page.text and 'action="/surveys' not in page.text
        valid = {names["1"]: "Food", names["2"]: "Mon", names["3"]: "3"}
        refused = await late.post(url, data={"csrf": token, **valid})
        assert refused.status_code == 400
        assert "This survey has closed: answers are no longer taken" in refused.text
    assert await count(instance, SurveyResponse) == 0
    assert survey_id.isdigit()


async def test_an_unknown_survey_is_not_found(instance: Instance) -> None:
    async with instance.client() as visitor:
        page = await visitor.get("/surveys/nothing-here")
    assert page.status_code == 404 and "There is no survey at this address" in page.text


async def test_answers_are_rate_limited_per_address(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    _id, url = await create_survey(cli, instance, "eastside")
    statuses = []
    async with instance.client() as visitor:
        for _ in range(12):
            statuses.append((await visitor.post(url, data={})).status_code)
    assert statuses[:10] == [403] * 10 and statuses[10:] == [429, 429]


async def test_a_named_answer_keeps_the_name_and_texts_are_sanitized(
    instance: Instance, cli: Cli
) -> None:
    await add_group(instance, "eastside")
    _id, url = await create_survey(cli, instance, "eastside")
    async with instance.client() as visitor:
        names = fields(await visitor.get(url))
        hostile = "<b onclick=x()>bold</b>\u202e<script>steal()</script>"
        sent = await answer(visitor, url, {
            names["1"]: "Rent", names["2"]: "Tue", names["3"]: "5", names["4"]: hostile,
            "respondent": "Ana",
        })  # fmt: skip
        assert sent.status_code == 200
    async with instance.ctx.sessions() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
        texts = (await session.scalars(select(SurveyAnswer.value))).all()
    assert response.respondent == "Ana"
    assert "bold" in texts and not any("<" in t or "steal" in t or "\u202e" in t for t in texts)
