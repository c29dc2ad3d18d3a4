"""``mutuals block|unblock|blocks|domain|report|reports`` against a fresh database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Group
from actors.remote import store_actor
from moderation.models import Block, Report
from outbox.models import Activity, Delivery
from store.db import make_engine, make_sessionmaker
from tests.conftest import Databases
from tests.moderation.conftest import actor_document
from web.cli import main

BASE = "http://127.0.0.1:8123"
TROLL = "https://trolls.example/users/troll"
T = TypeVar("T")
Row = TypeVar("Row", Block, Report)


@pytest.fixture
def db_url(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> str:
    url = asyncio.run(databases.new())
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", BASE)
    monkeypatch.setenv("MUTUALS_DATABASE_URL", url)
    monkeypatch.delenv("MUTUALS_FEDERATION", raising=False)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def in_db(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` against the database and commit."""

    async def go() -> T:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())


@pytest.fixture
def with_troll(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A group ``eastside`` followed by (and following) a stored remote troll."""
    assert run(capsys, "group", "create", "eastside")[0] == 0

    async def setup(session: AsyncSession) -> None:
        troll = await store_actor(
            session, actor_document(TROLL, shared_inbox="https://trolls.example/inbox")
        )
        group = (await session.execute(select(Group))).scalar_one()
        session.add(Follower(group_id=group.id, actor_id=troll.id, follow_ap_id=TROLL + "/f"))

    in_db(db_url, setup)
    return db_url


def test_block_and_unblock(with_troll: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "block", "eastside", TROLL) == (
        0,
        f"eastside blocks {TROLL}; removed 1 follow(s)\n",
        "",
    )
    assert run(capsys, "block", "eastside", TROLL) == (
        0,
        f"{TROLL} is already blocked by eastside\n",
        "",
    )
    code, out, _ = run(capsys, "blocks", "eastside")
    assert code == 0 and out.startswith(TROLL + "\t")

    async def check(session: AsyncSession) -> tuple[list[str], list[int]]:
        kinds = (await session.execute(select(Activity.type).order_by(Activity.id))).scalars()
        followers = (await session.execute(select(Follower.id))).scalars()
        return list(kinds), list(followers)

    assert in_db(with_troll, check) == (["Block"], [])
    assert run(capsys, "unblock", "eastside", TROLL) == (
        0,
        f"eastside no longer blocks {TROLL}\n",
        "",
    )
    assert in_db(with_troll, check) == (["Block", "Undo"], [])
    code, _, err = run(capsys, "unblock", "eastside", TROLL)
    assert (code, err) == (1, f"error: {TROLL} is not blocked by eastside\n")
    assert run(capsys, "blocks", "eastside")[1] == "eastside blocks nobody\n"


def test_block_errors(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "group", "create", "eastside")
    code, _, err = run(capsys, "block", "nobody", TROLL)
    assert code == 1 and err.startswith("error: unknown group 'nobody'")
    code, _, err = run(capsys, "block", "eastside", f"{BASE}/groups/xyz")
    assert (code, err) == (
        1,
        f"error: {BASE}/groups/xyz is on this instance; moderation applies to remote accounts\n",
    )
    code, _, err = run(capsys, "block", "eastside", "not-a-handle")
    assert code == 1 and "neither user@host nor an actor URL" in err
    assert len(err.splitlines()) == 1


def test_block_of_an_unreachable_account_still_holds(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "group", "create", "eastside")
    run(capsys, "domain", "block", "trolls.example")  # so the fetch is refused, not attempted
    code, out, _ = run(capsys, "block", "eastside", TROLL)
    assert code == 0
    assert out.splitlines()[1].startswith("no Block sent: not fetching")
    assert in_db(db_url, lambda s: _all(s, Block))[0].actor_ap_id == TROLL


async def _all(session: AsyncSession, table: type[Row]) -> list[Row]:
    return list((await session.execute(select(table))).scalars())


def test_domain_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "domain", "block", "Trolls.Example") == (
        0,
        "blocked trolls.example and its subdomains: nothing is received from or sent to it\n",
        "",
    )
    assert run(capsys, "domain", "block", "loud.example", "--silence", "--reject-media")[1] == (
        "limited loud.example and its subdomains: silenced, media rejected\n"
    )
    code, out, _ = run(capsys, "domain", "allow", "allies.example")
    assert code == 0
    assert out == (
        "allowed allies.example\n"
        "note: MUTUALS_FEDERATION is 'open'; the allowlist applies only in allowlist mode\n"
    )
    assert run(capsys, "domain", "list")[1] == (
        "federation: open\n"
        "limited\tloud.example\tsilence,reject-media\n"
        "blocked\ttrolls.example\n"
        "allowed\tallies.example\n"
    )
    assert run(capsys, "domain", "unblock", "trolls.example")[1] == "unblocked trolls.example\n"
    assert run(capsys, "domain", "unblock", "trolls.example")[2] == (
        "error: trolls.example is not blocked\n"
    )
    assert run(capsys, "domain", "disallow", "allies.example")[0] == 0
    assert run(capsys, "domain", "disallow", "allies.example")[2] == (
        "error: allies.example is not on the allowlist\n"
    )
    assert run(capsys, "domain", "block", "a b")[2] == "error: 'a b' is not a domain name\n"


def test_report_and_reports(with_troll: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "reports", "eastside")[1] == "no reports for eastside\n"
    code, out, _ = run(capsys, "report", "eastside", TROLL, "--reason", "spam")
    assert (code, out) == (0, f"report #1 about {TROLL} recorded\n")
    post = "https://trolls.example/notes/1"
    code, out, _ = run(
        capsys, "report", "eastside", TROLL, "--reason", "threats", "--post", post, "--forward"
    )
    assert out == f"report #2 about {TROLL} recorded; Flag sent to https://trolls.example/inbox\n"

    async def sent(session: AsyncSession) -> tuple[dict[str, object], str]:
        activity = (await session.execute(select(Activity))).scalar_one()
        inbox = (await session.execute(select(Delivery.inbox))).scalar_one()
        return activity.document, inbox

    flag, inbox = in_db(with_troll, sent)
    assert (flag["type"], flag["object"], flag["content"]) == ("Flag", [TROLL, post], "threats")
    assert inbox == "https://trolls.example/inbox"
    lines = run(capsys, "reports", "eastside")[1].splitlines()
    assert [line.split("\t")[0] for line in lines] == ["#2", "#1"]
    assert lines[0].endswith(f"sent\tby us\tabout {TROLL} {post}\t'threats'")
    assert len(in_db(with_troll, lambda s: _all(s, Report))) == 2


def test_report_needs_a_reason_and_a_reachable_account_to_forward(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "group", "create", "eastside")
    with pytest.raises(SystemExit):
        main(["report", "eastside", TROLL])
    capsys.readouterr()
    run(capsys, "domain", "block", "trolls.example")
    code, _, err = run(capsys, "report", "eastside", TROLL, "--reason", "x", "--forward")
    assert code == 1 and err.startswith("error: cannot forward the report: not fetching")
