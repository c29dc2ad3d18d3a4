"""Bad input gets one clear line on stderr and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from outbox.models import Activity
from posts.models import Post
from sharing.models import Event, Offer, Poll
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli

TWO = ("--option", "a", "--option", "b")
CASES = [
    (("offer", "g", "  "), "error: the title (en) is empty"),
    (("need", "g", "Ladder", "--skill", "two words"), "must be one word"),
    (("offer", "g", "Soup", "--until", "2001-01-01"),
     "the end date (2001-01-01 23:59+00:00) is in the past"),
    (("offer", "g", "Soup", "--until", "soon"), "'soon' is not a date; write it as 2025-11-30"),
    (("offer", "close", "g", "nope"), "say why it closes: --fulfilled or --withdrawn"),
    (("offer", "g", "Soup", "--lang", "es", "Sopa", "--lang-body", "es", "x"), "needs one in en"),
    (("offer", "g", "Soup", "--lang", "e s", "Sopa"), "'e s' is not a language tag"),
    (("event", "g", "Meet"), "an event needs --start"),
    (("event", "g", "Meet", "--start", "2099-01-01 10:00", "--end", "2099-01-01 09:00"),
     "error: the event ends (2099-01-01 09:00+00:00) before it starts (2099-01-01 10:00+00:00)"),
    (("event", "g", "Meet", "--start", "2099-01-01 10:00", "--timezone", "Mars/Olympus"),
     "error: unknown timezone 'Mars/Olympus'; use an IANA name such as Europe/Berlin or UTC"),
    (("event", "g", "Meet", "--start", "2099-01-01 10:00", "--repeat", "sometimes"),
     "unknown repeat rule 'sometimes'"),
    (("event", "g", "Meet", "--start", "2099-01-01 10:00", "--online", "ftp://x"),
     "the online link 'ftp://x' is not a web address"),
    (("poll", "g", "Q?", "--option", "only"), "error: a poll needs 2 to 20 options; 1 given"),
    (("poll", "g", "Q?", *[a for i in range(100) for a in ("--option", f"o{i}")]),
     "error: a poll needs 2 to 20 options; 100 given"),
    (("poll", "g", "Q?", "--option", "a", "--option", "A"), "the option 'A' is given twice"),
    (("poll", "g", "Q?", *TWO, "--closes", "2001-01-01 00:00"), "is in the past"),
    (("poll", "g", "  ", *TWO), "error: the question (en) is empty"),
    (("offer", "nobody", "Soup"), "error: unknown group 'nobody'"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), CASES)
async def test_refused_and_nothing_stored(
    instance: Instance, cli: Cli, argv: tuple[str, ...], message: str
) -> None:
    await add_group(instance, "g")
    err = await cli.fails(instance, *argv)
    assert message in err and err.startswith("error: ")
    async with instance.ctx.sessions() as session:
        for model in (Post, Activity, Offer, Event, Poll):
            count: Any = await session.scalar(select(func.count()).select_from(model))
            assert count == 0, model
