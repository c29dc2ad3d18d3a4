"""``mutuals backup`` and ``mutuals restore``, on whichever engine the tests run on."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from actors.models import Follower, RemoteActor
from tests.conftest import Databases, InstanceFactory
from tests.helpers import AP, add_group
from tests.instances import Instance, start_instance
from tests.sharing.network import Cli
from web.cli import main

FAN = "https://remote.example/users/ann"


async def run_on(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
) -> tuple[int, str, str]:
    """Run ``mutuals …`` against a database no instance serves."""
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MUTUALS_DATABASE_URL", database_url)
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def populate(instance: Instance, cli: Cli) -> tuple[str, str]:
    """A group with a follower and a post; the group's actor URL and the post's URL."""
    group = await add_group(instance, "garden")
    async with instance.ctx.sessions() as session:
        fan = RemoteActor(ap_id=FAN, domain="remote.example", inbox=FAN + "/inbox")
        session.add(fan)
        await session.flush()
        session.add(
            Follower(group_id=group.id, actor_id=fan.id, follow_ap_id=FAN + "/f", accepted=True)
        )
        await session.commit()
    posted = await cli.ok(instance, "post", "garden", "Seed swap on Saturday")
    return instance.ctx.urls.group(group.uid), posted.split()[-1]


async def keep_writing(instance: Instance) -> None:
    """Store remote actors one commit at a time, as the inbox does while a backup runs."""
    for number in range(20):
        async with instance.ctx.sessions() as session:
            url = f"https://busy.example/users/{number}"
            session.add(RemoteActor(ap_id=url, domain="busy.example", inbox=url + "/inbox"))
            await session.commit()
        await asyncio.sleep(0.005)


async def served(instance: Instance, url: str) -> dict[str, object]:
    async with instance.client() as http:
        response = await http.get(url.removeprefix(instance.base_url), headers={"Accept": AP})
    assert response.status_code == 200, response.text
    document: dict[str, object] = response.json()
    return document


async def test_a_backup_of_a_running_instance_restores_its_groups_keys_and_posts(
    instance: Instance,
    databases: Databases,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a running instance with a group, a follower and a post
    actor_url, post_url = await populate(instance, cli)
    actor = await served(instance, actor_url)

    # When it is backed up while the instance keeps writing
    file = tmp_path / "mutuals.backup"
    backed_up, _ = await asyncio.gather(
        cli.ok(instance, "backup", str(file)), keep_writing(instance)
    )
    assert "1 group(s)" in backed_up and str(file) in backed_up
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    assert not file.with_name(file.name + ".partial").exists()

    # and restored into a fresh database
    fresh = await databases.new()
    code, out, err = await run_on(fresh, monkeypatch, capsys, "restore", str(file))
    assert (code, err) == (0, ""), err
    assert out.startswith(f"restored 1 group(s) from {file}")

    # Then an instance on the restored database serves the same actor, key and post
    restored = await start_instance(fresh, {"base_url": instance.base_url})
    try:
        assert await served(restored, actor_url) == actor
        post = await served(restored, post_url)
        assert "Seed swap on Saturday" in str(post)
        followers = await served(restored, actor_url + "/followers")
        assert followers["totalItems"] == 1
    finally:
        await restored.stop()


async def test_restore_refuses_a_database_with_groups_unless_forced(
    make_instance: InstanceFactory,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, other = await make_instance(), await make_instance()
    await add_group(old, "garden")
    await add_group(other, "kitchen")
    file = tmp_path / "old.backup"
    await cli.ok(old, "backup", str(file))
    assert "already exists" in await cli.fails(old, "backup", str(file))

    refused = await cli.fails(other, "restore", str(file))
    assert "already has 1 group(s)" in refused and "--force" in refused

    out = await cli.ok(other, "restore", "--force", str(file))
    assert "were first saved to" in out
    saved = [path for path in tmp_path.iterdir() if ".replaced-" in path.name]
    assert len(saved) == 1
    assert "garden" in await cli.ok(other, "group", "list")
    assert "kitchen" not in await cli.ok(other, "group", "list")


async def test_restore_refuses_what_is_not_a_backup(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    assert "not a Mutuals backup" in await cli.fails(instance, "restore", str(junk))
    assert "no backup file" in await cli.fails(instance, "restore", str(tmp_path / "none"))
