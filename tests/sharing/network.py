"""Two linked instances for the sharing tests, and the command line aimed at one of them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from actors.groups import get_group
from follows import actions
from posts.models import Post
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import PeerActor
from web.cli import main


async def linked(make_instance: Any) -> tuple[Instance, Instance]:
    """``alpha`` on one instance follows ``beta`` on another (accepted)."""
    one, two = await make_instance(), await make_instance()
    await add_group(one, "alpha")
    await add_group(two, "beta")
    async with one.ctx.sessions() as session:
        alpha = await get_group(session, "alpha")
        await actions.follow(session, one.ctx, alpha, f"beta@{two.host}")
        await session.commit()
    await settle(one, two)
    return one, two


async def post_by_uid(instance: Instance, uid: str) -> Post:
    """A post of ``instance`` by the uid a command printed."""
    async with instance.ctx.sessions() as session:
        post = await session.scalar(select(Post).where(Post.uid == uid))
    assert post is not None
    return post


class Cli:
    """Runs ``mutuals …`` against one instance's database: ``await cli(instance, *argv)``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    async def __call__(self, instance: Instance, *argv: str) -> tuple[int, str, str]:
        self.monkeypatch.setenv("MUTUALS_DEV", "1")
        self.monkeypatch.setenv("MUTUALS_BASE_URL", instance.base_url)
        self.monkeypatch.setenv("MUTUALS_DATABASE_URL", instance.settings.database_url)
        code = await asyncio.to_thread(main, list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    async def ok(self, instance: Instance, *argv: str) -> str:
        """Run a command that must succeed; its output."""
        code, out, err = await self(instance, *argv)
        assert (code, err) == (0, ""), err
        return out

    async def fails(self, instance: Instance, *argv: str) -> str:
        """Run a command that must fail with one line on stderr; that line."""
        code, out, err = await self(instance, *argv)
        assert code != 0 and out == "" and len(err.splitlines()) == 1, (code, out, err)
        return err.strip()


def vote(voter: PeerActor, question: str, option: str, n: int) -> dict[str, Any]:
    """A vote exactly as Mastodon's ``ActivityPub::VoteSerializer`` sends it."""
    note = {
        "id": f"{voter.id}#votes/{n}",
        "type": "Note",
        "name": option,
        "attributedTo": voter.id,
        "inReplyTo": question,
        "to": [question.split("/posts/")[0]],
    }
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{voter.id}#votes/{n}/activity",
        "type": "Create",
        "actor": voter.id,
        "published": "2026-01-02T03:04:05Z",
        "to": note["to"],
        "object": note,
    }
