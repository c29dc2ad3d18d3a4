"""Reading a subscribed list over a mocked network: a good copy replaces the last, and a
list that fails, grows past the size cap, cannot be parsed or blocks a protected domain
is refused with the reason while the last good copy stays in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from actors.instance import Context
from moderation import subscriptions
from moderation.checks import domain_refused
from moderation.subscriptions import list_subscriptions, read_list, refresh_once, subscribe
from store.db import utcnow
from tests.moderation.conftest import settings_for
from web.runtime import open_context

URL = "https://allies.example/blocklist.csv"
GOOD = b"#domain,#severity,#public_comment\nspam.example,suspend,spam\nloud.example,silence,\n"


@pytest.fixture
def served() -> dict[str, httpx.Response]:
    return {URL: httpx.Response(200, content=GOOD, headers={"Content-Type": "text/csv"})}


@pytest.fixture
async def ctx(database_url: str, served: dict[str, httpx.Response]) -> AsyncIterator[Context]:
    def handle(request: httpx.Request) -> httpx.Response:
        return served.get(str(request.url), httpx.Response(404))

    transport = httpx.MockTransport(handle)
    async with open_context(settings_for(database_url), transport=transport) as context:
        yield context


async def _state(ctx: Context) -> tuple[int, str | None]:
    async with ctx.sessions() as session:
        (state,) = await list_subscriptions(session)
    return state.rules, state.subscription.error


async def _refused(ctx: Context, domain: str) -> str | None:
    async with ctx.sessions() as session:
        return await domain_refused(session, "open", domain)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(404), "status 404"),
        (httpx.Response(200, content=b"x" * 60), "exceeds 50 bytes"),
        (httpx.Response(200, content=b"<html>hi</html>"), "not Mastodon's domain-block CSV"),
        (httpx.Response(200, content=b"#domain\nexample\n"), "which covers allies.example"),
        (httpx.Response(200, content=b"#domain\n127.0.0.1\n"), "which covers 127.0.0.1"),
    ],
)
async def test_a_bad_read_is_refused_and_the_last_good_copy_stays(
    ctx: Context,
    served: dict[str, httpx.Response],
    monkeypatch: pytest.MonkeyPatch,
    answer: httpx.Response,
    error: str,
) -> None:
    outcome = await subscribe(ctx, URL, limit_only=False)
    assert (outcome.rules, outcome.error) == (2, None)
    assert await _refused(ctx, "a.spam.example") == "the domain spam.example is blocked"
    monkeypatch.setattr(subscriptions, "MAX_BYTES", 50)
    served[URL] = answer

    outcome = await read_list(ctx, URL)

    assert outcome.rules == 2 and outcome.error is not None and error in outcome.error
    assert await _state(ctx) == (2, outcome.error)
    assert await _refused(ctx, "a.spam.example") == "the domain spam.example is blocked"


async def test_lists_are_read_again_after_an_hour_and_a_good_read_clears_the_error(
    ctx: Context, served: dict[str, httpx.Response]
) -> None:
    served[URL] = httpx.Response(500)
    outcome = await subscribe(ctx, URL, limit_only=True)
    assert outcome.error is not None and "500" in outcome.error
    served[URL] = httpx.Response(200, content=GOOD)
    assert await refresh_once(ctx) == 0  # read a moment ago
    assert await refresh_once(ctx, utcnow() + dt.timedelta(minutes=61)) == 1
    assert await _state(ctx) == (2, None)
    # --limit-only: the list's suspension is a limit here
    assert await _refused(ctx, "spam.example") is None
