"""Surveys in the admin interface, over real HTTP: create, results with votes from a peer
and answers from the page, CSV export, free text to organizers only."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from posts.models import Post
from sharing.models import Poll
from sharing.survey_models import Survey
from tests.admin.support import add_account, count, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import running_peer
from tests.sharing.network import vote
from tests.sharing.test_surveys_flow import answer, fields

BASE = "/admin/groups/eastside"
FORM = {
    "title": "Winter needs",
    "description": "",
    "closes": "2099-01-01T12:00",
    "timezone": "Europe/Madrid",
    "q1-text": "What is missing?",
    "q1-kind": "one",
    "q1-options": "Coats\nBlankets\n",
    "q2-text": "Anything else?",
    "q2-kind": "text",
    "anonymous": "on",
}


async def test_an_organizer_creates_a_survey_and_reads_its_results(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    await add_account(instance, "ed", group, "editor")
    async with signed_in(instance, "ana") as client:
        made = await post_form(client, f"{BASE}/surveys", FORM)
        assert made.status_code == 303
        listed = await client.get(f"{BASE}/surveys")
        assert "Winter needs" in listed.text
        url = re.findall(r'href="(http://[^"]+/surveys/[^"]+)"', listed.text)[0]
        async with instance.ctx.sessions() as session:
            survey = await session.scalar(select(Survey))
            poll = await session.scalar(select(Poll))
        assert survey is not None and survey.anonymous and poll is not None
        assert survey.closes_at is not None and survey.closes_at.hour == 11
        assert poll.options == ["Coats", "Blankets"]
        # A vote from the timeline and an answer from the page
        async with running_peer() as peer:
            question = f"{instance.base_url}/groups/eastside/posts/" + (
                await _uid(instance, poll.post_id)
            )
            inbox = f"{instance.base_url}/groups/eastside/inbox"
            posted = await peer.post(inbox, vote(peer.actor("bo"), question, "Blankets", 1))
            assert posted.status_code == 202
            await settle(instance)
        async with instance.client() as visitor:
            names = fields(await visitor.get(url))
            sent = await answer(visitor, url, {names["1"]: "Coats", names["2"]: "<i>socks</i>"})
            assert sent.status_code == 200
        page = await client.get(f"{BASE}/survey", params={"id": str(survey.id)})
        assert page.status_code == 200
        assert "<tr><td>Coats</td><td>1</td><td>0</td><td>1</td></tr>" in page.text
        assert "<tr><td>Blankets</td><td>0</td><td>1</td><td>1</td></tr>" in page.text
        assert "<li>socks</li>" in page.text and "<i>" not in page.text
        exported = await client.get(
            f"{BASE}/survey", params={"id": str(survey.id), "format": "csv"}
        )
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert ["What is missing?", "one", "Blankets", "0", "1", "1"] in rows
        assert ["Anything else?", "text", "socks", "1", "0", "1"] in rows
        missing = await client.get(f"{BASE}/survey", params={"id": "999"})
        assert missing.status_code == 404 and "eastside has no survey" in missing.text
    # An editor may create surveys but not read the answers
    async with signed_in(instance, "ed") as client:
        assert (await client.get(f"{BASE}/surveys")).status_code == 200
        refused = await client.get(f"{BASE}/survey", params={"id": str(survey.id)})
        assert refused.status_code == 403 and "socks" not in refused.text


async def test_a_bad_survey_form_is_refused_and_kept(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    async with signed_in(instance, "ana") as client:
        bad = {**FORM, "q1-options": "Coats"}
        refused = await post_form(client, f"{BASE}/surveys", bad)
        assert refused.status_code == 400
        assert "question 1: a poll needs 2 to 20 options; 1 given" in refused.text
        assert 'value="Winter needs"' in refused.text
        empty = await post_form(client, f"{BASE}/surveys", {"title": "Nothing asked"})
        assert empty.status_code == 400
        assert "a survey needs 1 to 20 questions; 0 given" in empty.text
    assert await count(instance, Survey) == 0


async def test_a_survey_that_opens_later_waits_and_says_so(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    async with signed_in(instance, "ana") as client:
        form = await client.get(f"{BASE}/surveys")
        assert '<label for="f-opens">Opens at (optional)</label>' in form.text
        # An opening time in the past, or not before the closing time, is refused and kept
        past = await post_form(client, f"{BASE}/surveys", {**FORM, "opens": "2001-01-01T10:00"})
        assert past.status_code == 400
        assert "the opening time (2001-01-01 10:00+01:00) is in the past" in past.text
        assert 'value="2001-01-01T10:00"' in past.text
        late = await post_form(client, f"{BASE}/surveys", {**FORM, "opens": "2099-02-01T10:00"})
        assert late.status_code == 400 and "before it opens (2099-02-01 10:00+01:00)" in late.text
        assert await count(instance, Survey) == 0
        # One that opens later is listed with its opening time, and nothing is posted
        later = {**FORM, "opens": "2098-12-01T10:00"}
        assert (await post_form(client, f"{BASE}/surveys", later)).status_code == 303
        listed = await client.get(f"{BASE}/surveys")
        assert '<span class="hint">opens 2098-12-01 09:00 UTC</span>' in listed.text
        assert await count(instance, Post) == 0 and await count(instance, Poll) == 0
        async with instance.ctx.sessions() as session:
            survey = await session.scalar(select(Survey))
        assert survey is not None
        page = await client.get(f"{BASE}/survey", params={"id": str(survey.id)})
        assert "It opens 2098-12-01 09:00 UTC: nothing is posted" in page.text
        assert "<tr><td>Coats</td><td>0</td><td>0</td><td>0</td></tr>" in page.text


async def _uid(instance: Instance, post_id: int) -> str:
    async with instance.ctx.sessions() as session:
        post = await session.get(Post, post_id)
    assert post is not None
    return post.uid
