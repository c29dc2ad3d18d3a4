"""The follow and post commands, run against a live instance's database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from actors.models import Follower
from outbox.models import Delivery
from posts.models import Post
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower
from web.cli import main


@pytest.fixture
def cli(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> Instance:
    """Point the command line at ``instance`` (its database and base URL)."""
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", instance.base_url)
    monkeypatch.setenv("MUTUALS_DATABASE_URL", instance.settings.database_url)
    return instance


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``mutuals ARGV`` in a thread (it has its own event loop); (code, out, err)."""
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_post_edit_delete(cli: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    await add_group(cli, "eastside")
    code, out, _ = await run(capsys, "post", "eastside", "Hello *all*", "--unlisted")
    assert code == 0
    async with cli.ctx.sessions() as session:
        post = (await session.execute(select(Post))).scalar_one()
    assert out == f"posted {post.uid}: {post.document['id']}\n"
    assert post.visibility == "unlisted"
    code, out, _ = await run(capsys, "edit", "eastside", post.document["id"], "Hello everyone")
    assert (code, out) == (0, f"edited {post.uid}: {post.document['id']}\n")
    assert await run(capsys, "delete", "eastside", post.uid) == (0, f"deleted {post.uid}\n", "")
    code, _, err = await run(capsys, "delete", "eastside", post.uid)
    assert (code, err) == (1, f"error: post {post.uid!r} was deleted\n")
    code, _, err = await run(capsys, "edit", "eastside", "nope", "x")
    assert (code, err) == (1, "error: eastside has no post 'nope'\n")
    code, _, err = await run(capsys, "post", "eastside", "  ")
    assert (code, err) == (1, "error: the text is empty; write something to post\n")
    code, _, err = await run(capsys, "post", "nobody", "hi")
    assert code == 1 and err.startswith("error: unknown group 'nobody'")
    assert len(err.splitlines()) == 1


async def test_followers_only_flag(cli: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    await add_group(cli, "eastside")
    assert (await run(capsys, "post", "eastside", "members", "--followers-only"))[0] == 0
    async with cli.ctx.sessions() as session:
        post = (await session.execute(select(Post))).scalar_one()
    assert post.visibility == "followers"
    with pytest.raises(SystemExit):
        await asyncio.to_thread(main, ["post", "eastside", "x", "--unlisted", "--followers-only"])
    assert "not allowed with argument" in capsys.readouterr().err


async def test_follow_following_unfollow(cli: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    await add_group(cli, "eastside")
    async with Sink() as sink:
        ana = sink.add_actor("ana")
        code, out, _ = await run(capsys, "follow", "eastside", f"ana@{sink.host}")
        assert (code, out) == (
            0,
            f"eastside asked to follow ana@{sink.host}; pending until accepted\n",
        )
        code, _, err = await run(capsys, "follow", "eastside", ana)
        assert code == 1
        assert err == f"error: eastside already asked to follow ana@{sink.host}; not accepted yet\n"
        assert await run(capsys, "following", "eastside") == (
            0,
            f"ana@{sink.host}\t{ana}\tpending\n",
            "",
        )
        await settle(cli)
        assert [d.activity["type"] for d in sink.at("/users/ana/inbox")] == ["Follow"]
        code, out, _ = await run(capsys, "unfollow", "eastside", f"ana@{sink.host}")
        assert (code, out) == (0, f"eastside no longer follows ana@{sink.host}\n")
        await settle(cli)
        assert [d.activity["type"] for d in sink.at("/users/ana/inbox")] == ["Follow", "Undo"]
        code, out, _ = await run(capsys, "following", "eastside")
        assert out.startswith("eastside follows nobody yet")
        code, _, err = await run(capsys, "follow", "eastside", f"nobody@{sink.host}")
        assert code == 1 and err.startswith("error: WebFinger lookup of nobody@") and "404" in err


async def test_followers_approve_reject_remove(
    cli: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    group = await add_group(cli, "eastside", manual_approval=True)
    async with Sink() as sink:
        ana, bo, cy = (sink.add_actor(name) for name in ("ana", "bo", "cy"))
        await add_follower(cli, group, ana, accepted=False)
        await add_follower(cli, group, bo, accepted=False)
        await add_follower(cli, group, cy)
        assert await run(capsys, "followers", "eastside") == (0, f"cy@{sink.host}\t{cy}\n", "")
        code, out, _ = await run(capsys, "followers", "eastside", "--pending")
        assert out == f"ana@{sink.host}\t{ana}\nbo@{sink.host}\t{bo}\n"
        code, out, _ = await run(capsys, "approve", "eastside", f"ana@{sink.host}")
        assert (code, out) == (0, f"ana@{sink.host} now follows eastside\n")
        code, _, err = await run(capsys, "approve", "eastside", ana)
        assert (code, err) == (1, f"error: {ana} already follows eastside\n")
        code, _, err = await run(capsys, "reject", "eastside", cy)
        assert code == 1 and "use: mutuals remove-follower eastside" in err
        code, out, _ = await run(capsys, "reject", "eastside", bo)
        assert (code, out) == (0, f"rejected the follow request of bo@{sink.host}\n")
        code, out, _ = await run(capsys, "remove-follower", "eastside", f"@cy@{sink.host}")
        assert (code, out) == (0, f"cy@{sink.host} no longer follows eastside\n")
        code, _, err = await run(capsys, "remove-follower", "eastside", "https://x.example/u")
        assert (code, err) == (1, "error: https://x.example/u is not known here\n")
        await settle(cli)
        answers = {d.activity["object"]["actor"]: d.activity["type"] for d in sink.received}
    assert answers == {ana: "Accept", bo: "Reject", cy: "Reject"}
    async with cli.ctx.sessions() as session:
        rows = (await session.execute(select(Follower))).scalars().all()
    assert [(row.actor.ap_id, row.accepted) for row in rows] == [(ana, True)]


async def test_group_update(cli: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    group = await add_group(cli, "eastside")
    async with Sink() as sink:
        await add_follower(cli, group, sink.add_actor("ana"))
        code, _, err = await run(capsys, "group", "update", "eastside")
        assert (code, err) == (
            1,
            "error: nothing to change: give --display-name, --summary, --manual-approval, "
            "--field, --clear-fields, --icon, --rename, --place, --coordinates, --topic, "
            "--clear-topics, --language, --clear-languages, --listed, --unlisted, --posting, "
            "--announce-replies or --also-known-as\n",
        )
        code, _, err = await run(capsys, "group", "update", "eastside", "--field", "Website")
        assert (code, err) == (
            1,
            "error: --field 'Website': write it as NAME=VALUE, e.g. Website=https://…\n",
        )
        code, out, _ = await run(
            capsys, "group", "update", "eastside", "--display-name", "East", "--manual-approval"
        )
        assert (code, out) == (
            0,
            "updated group eastside; its followers will see the new profile\n",
        )
        code, _, _ = await run(
            capsys, "group", "update", "eastside", "--no-manual-approval", "--field", "Site=x"
        )
        await settle(cli)
        updates = [d.activity["object"] for d in sink.at("/inbox")]
    # Both Updates were queued before delivery, which sends them concurrently.
    updates.sort(key=lambda u: u["manuallyApprovesFollowers"], reverse=True)
    assert [(u["name"], u["manuallyApprovesFollowers"]) for u in updates] == [
        ("East", True),
        ("East", False),
    ]
    assert updates[1]["attachment"] == [{"type": "PropertyValue", "name": "Site", "value": "x"}]
    async with cli.ctx.sessions() as session:
        assert {row.status for row in (await session.execute(select(Delivery))).scalars()} == {
            "delivered"
        }
