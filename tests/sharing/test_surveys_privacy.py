"""Answers from a survey's page stay private: no public page, feed, collection or
activity shows them, the name a visitor gave, or any browser token."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sharing.survey_models import SurveyBrowser
from tests.helpers import add_group
from tests.instances import Instance
from tests.privacy import public_texts
from tests.sharing.network import Cli
from tests.sharing.test_surveys_flow import answer, create_survey, fields

NEEDLE = "Needle-7f3a"
NAME = "Respondent-Q9"


async def test_page_answers_appear_in_nothing_public(instance: Instance, cli: Cli) -> None:
    group = await add_group(instance, "eastside")
    _anonymous, url = await create_survey(cli, instance, "eastside", "--anonymous")
    _named, named_url = await create_survey(cli, instance, "eastside")
    tokens = []
    for page_url, extra in ((url, {}), (named_url, {"respondent": NAME})):
        async with instance.client() as visitor:
            names = fields(await visitor.get(page_url))
            sent = await answer(visitor, page_url, {
                names["1"]: "Food", names["2"]: "Tue", names["3"]: "2",
                names["4"]: f"The {NEEDLE} answer", **extra,
            })  # fmt: skip
            assert sent.status_code == 200
            tokens.append(visitor.cookies["mutuals_survey"])
    async with instance.ctx.sessions() as session:
        hashes = (await session.scalars(select(SurveyBrowser.token_hash))).all()
    secrets = [NEEDLE, NAME, *tokens, *hashes]
    assert len(secrets) == 6
    public = await public_texts(instance, group)
    assert any("What do you need most?" in text for text in public)  # the survey is there
    for text in public:
        assert not [s for s in secrets if s in text]
    # The answer page itself shows the questions, never the answers
    async with instance.client() as other:
        page = await other.get(named_url)
    assert not [s for s in secrets if s in page.text]


async def test_the_answer_page_is_not_cached_or_indexed(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "eastside")
    _id, url = await create_survey(cli, instance, "eastside")
    async with instance.client() as visitor:
        page = await visitor.get(url)
    cookie: Any = page.headers.get_list("set-cookie")
    assert page.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in page.text
    assert any(c.startswith("mutuals_survey=") and "HttpOnly" in c for c in cookie)
