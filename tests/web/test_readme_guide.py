"""The README's "Run your own" guide, followed once from start to finish on loopback.

The systemd path (2b) is the one followed: Docker Compose (2a) cannot run here, these
machines have a Docker client but no Docker engine (`tests/test_deploy.py` reads
``compose.yaml`` instead). Everything is taken from the guide and the units, not
re-typed (`tests/web/guide_support.py` parses them), so a change there that breaks the
guide breaks this test:

- the install steps in the comment of ``deploy/systemd/mutuals-web.service`` are played
  under a temporary root: ``install`` steps for real; ``useradd``, owners, ``User=`` and
  ``ProtectSystem=`` need root and are left out; the guide's virtualenv is this one;
- the settings file gets the keys the unit's comment names (the guide must name them
  too), with ``MUTUALS_DEV=1`` standing in for TLS: DNS (step 1), Caddy and the
  certificate (step 3) need a public name, so the domain becomes ``127.0.0.1:PORT``
  and ``https://`` becomes ``http://``. ``MUTUALS_RUN_WORKERS=0`` keeps the production
  default that development mode would turn on: the worker unit does the work;
- ``ExecStartPre=``/``ExecStart=`` run as the units say (web, then ``mutuals-worker@1``),
  with the unit's ``EnvironmentFile`` and ``WorkingDirectory``, on a fresh database;
- ``sudo mutuals …`` is ``deploy/systemd/mutuals``: its ``systemd-run`` line is checked
  against the units (user, settings file, folder, program), then played as they run;
- steps 4 and 5 run their ```sh lines (curl for real), step 6 is a Mastodon-like peer
  following the handle the guide names, and the troubleshooting's ``mutuals doctor``
  must pass. The processes stop on their unit's ``KillSignal``.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shlex
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
from alembic import command

from tests.peer import AP, running_peer
from tests.web.guide_support import (
    DOMAIN,
    PROGRAM,
    README,
    ROOT,
    SIGNALS,
    SYSTEMD,
    SYSTEMD_PATH,
    Server,
    Unit,
    commands,
    curl,
    doctor_lines,
    section,
    sh_blocks,
    stop,
    verified_from,
    wait_for,
)
from web.migrate import alembic_config

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
SUMMARY = "Food, rides and childcare between **neighbours**."
POST = "Food distribution moves to **Saturday**, 10:00."


def guide(heading: str) -> str:
    """One part of the README's "Run your own" section."""
    return section(section(README.read_text(), "## Run your own"), heading)


def systemd_settings(web: Unit) -> tuple[set[str], str]:
    """The settings the guide (2b) says ``/etc/mutuals/env`` holds, and the venv it names."""
    text = " ".join(guide("### 2b. With systemd (one machine, no containers)").split())
    env_file = web.one("EnvironmentFile")
    found = re.search(rf"`{re.escape(env_file)}` \(.*?\) with (.*?), then enables", text)
    assert found, f"2b no longer says what {env_file} holds"
    venv = re.search(r"the virtualenv `(/\S+)`", text)
    assert venv, "2b no longer names the virtualenv"
    return set(re.findall(r"`(MUTUALS_\w+)`", found.group(1))), venv.group(1)


def test_the_guide_and_the_units_agree() -> None:
    web, worker = Unit.read("mutuals-web.service"), Unit.read("mutuals-worker@.service")
    named, venv = systemd_settings(web)
    example = web.env_file_example()
    # What the guide says to write is what the unit's comment says (it may say more).
    assert named <= set(example), f"2b names {named - set(example)}, the unit's comment not"
    assert example["MUTUALS_BASE_URL"].startswith("https://")
    for unit in (web, worker):
        assert unit.one("EnvironmentFile") == web.one("EnvironmentFile")
        assert unit.one("WorkingDirectory") == web.one("WorkingDirectory")
        assert unit.service["ReadWritePaths"] == [unit.one("WorkingDirectory")]
        for line in unit.service.get("ExecStartPre", []) + unit.service["ExecStart"]:
            assert shlex.split(line)[0] == f"{venv}/bin/mutuals", line
    # Under ProtectSystem=strict the default SQLite database must be in ReadWritePaths.
    assert (
        example.get("MUTUALS_DATA_DIR", web.one("WorkingDirectory"))
        in web.service["ReadWritePaths"]
    )
    # Caddy proxies to where the web unit listens, as 2b says.
    serve = shlex.split(web.one("ExecStart"))
    listens = f"{serve[serve.index('--host') + 1]}:{serve[serve.index('--port') + 1]}"
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    upstream = re.search(r"reverse_proxy \{\$MUTUALS_UPSTREAM:(\S+)\}", caddy)
    assert upstream, "the Caddyfile no longer proxies to {$MUTUALS_UPSTREAM:…}"
    assert upstream[1] == listens
    assert f"it proxies to `{listens}`" in guide(
        "### 2b. With systemd (one machine, no containers)"
    )


def test_the_shell_command_runs_the_cli_as_the_units_do(tmp_path: Path) -> None:
    web = Unit.read("mutuals-web.service")
    _, venv = systemd_settings(web)
    script = SYSTEMD / "mutuals"
    # Installed by the unit's install steps on the PATH sudo gives (Debian's secure_path)
    installs = [step for step in web.setup_commands() if step.startswith("install ")]
    [target] = [shlex.split(step)[-1] for step in installs if "deploy/systemd/mutuals " in step]
    assert target.rsplit("/", 1)[0] in SYSTEMD_PATH.split(":"), target
    # Step 4 uses it
    [line] = commands(sh_blocks(guide("### 4. Create a group"))[0])
    assert line.startswith("sudo mutuals "), line

    # It runs systemd-run with the units' user, settings file, folder and program
    [exec_line] = [line for line in commands(script.read_text()) if line.startswith("exec ")]
    argv = shlex.split(exec_line)
    assert argv[:2] == ["exec", "systemd-run"]
    assert argv[-2:] == [f"{venv}/bin/mutuals", "$@"]
    options = argv[2:-2]
    assert {"--pipe", f"--uid={web.one('User')}", f"--gid={web.one('Group')}"} <= set(options)
    properties = {options[n + 1] for n, option in enumerate(options) if option == "-p"}
    assert properties == {
        f"EnvironmentFile={web.one('EnvironmentFile')}",
        f"WorkingDirectory={web.one('WorkingDirectory')}",
    }

    # And hands the arguments on untouched (a stand-in systemd-run prints what it got)
    (tmp_path / "systemd-run").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (tmp_path / "systemd-run").chmod(0o755)
    words = ["group", "create", "neighbours", "--summary", "Food, rides & 'care'"]
    shown = subprocess.run(
        [str(script), *words],
        env={"PATH": f"{tmp_path}:{SYSTEMD_PATH}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.splitlines() == [*argv[2:-1], *words]


async def test_the_guide_from_start_to_finish(database_url: str, tmp_path: Path) -> None:
    web, worker = Unit.read("mutuals-web.service"), Unit.read("mutuals-worker@.service")
    named, venv = systemd_settings(web)
    server = Server(tmp_path / "root", venv)
    # A fresh server has an empty database: ExecStartPre's `mutuals migrate` builds it.
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "base")
    try:
        enabled = install(server, web, database_url, named)
        assert enabled == ["mutuals-web", "mutuals-worker@1", "mutuals-worker@2"]
        await start_services(server, web, worker)
        group = await check_from_outside(server)
        await follow_from_mastodon(server, web, group)
        await doctor(server, web, group)
        await stop_services(server, web, worker)
    finally:
        server.kill_all()


def install(server: Server, web: Unit, database_url: str, named: set[str]) -> list[str]:
    """Play the unit's install comment; the units its last step enables."""
    steps = web.setup_commands()
    env_file = web.one("EnvironmentFile")
    for step in steps:
        argv = shlex.split(step)
        if argv[0] == "install":
            server.install(step)
        elif argv[0] == "editor":
            assert argv[1:] == [env_file]
            write_settings(server, web, database_url, named)
        elif argv[:3] == ["python3", "-m", "venv"]:
            assert argv[3:] == [server.venv]  # this virtualenv stands in for it
        elif argv[0] == f"{server.venv}/bin/pip":
            assert argv[1:] == ["install", "-c", "constraints.txt", "."]
        elif argv[0] == "cp":
            assert argv[1:-1] == [f"deploy/systemd/{name}" for name in sorted(UNIT_NAMES)]
        else:
            # useradd and systemctl need root: the test plays the units itself below.
            assert argv[0] in {"useradd", "systemctl"}, f"a new install step: {step}"
    assert (server.local(env_file).stat().st_mode & 0o777) == 0o640
    enable = shlex.split(steps[-1])
    assert enable[:3] == ["systemctl", "enable", "--now"], steps[-1]
    return enable[3:]


UNIT_NAMES = ("mutuals-web.service", "mutuals-worker@.service")


def write_settings(server: Server, web: Unit, database_url: str, named: set[str]) -> None:
    """``/etc/mutuals/env`` with every key the unit's comment names, on loopback."""
    stand_ins = {
        "MUTUALS_BASE_URL": server.base_url,
        "MUTUALS_SECRET_KEY": secrets.token_urlsafe(32),
        "MUTUALS_DATABASE_URL": database_url,
    }
    values: dict[str, str] = {}
    for key, example in web.env_file_example().items():
        if example.startswith("/"):
            values[key] = str(server.local(example))
        else:
            assert key in stand_ins, f"the guide's settings gained {key}: give it a stand-in"
            values[key] = stand_ins[key]
    assert named <= set(values)
    values |= {"MUTUALS_DEV": "1", "MUTUALS_RUN_WORKERS": "0"}
    path = server.local(web.one("EnvironmentFile"))
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))


async def start_services(server: Server, web: Unit, worker: Unit) -> None:
    """``systemctl start``: ExecStartPre, then each ExecStart, until /readyz says ready."""
    for line in web.service.get("ExecStartPre", []):
        out = (await server.cli(web, server.argv(line))).ok()
        assert out == "database is up to date\n"

    # 4. Create a group (the "…" placeholder gets a summary).
    for line in commands(sh_blocks(guide("### 4. Create a group"))[0]):
        argv = server.argv(line.replace('"…"', shlex.quote(SUMMARY)))
        out = (await server.cli(web, argv)).ok()
        assert re.fullmatch(
            rf"created group {argv[3]}: @{argv[3]}@{server.host} at {server.base_url}/groups/\S+\n",
            out,
        ), out

    logs = server.root / "log"
    logs.mkdir()
    [serve] = web.service["ExecStart"]
    [work] = worker.service["ExecStart"]
    server.start(web, server.argv(serve), logs / "mutuals-web.log")
    server.start(worker, server.argv(work, instance="1"), logs / "mutuals-worker@1.log")

    async with httpx.AsyncClient(base_url=server.base_url) as client:

        async def ready() -> bool:
            server.check_running()
            try:
                response = await client.get("/readyz")
            except httpx.TransportError:
                return False
            return response.status_code == 200

        await wait_for(ready)
    assert "worker running" in (logs / "mutuals-worker@1.log").read_text()


async def check_from_outside(server: Server) -> dict[str, Any]:
    """5. Check from outside: each curl line, and what the guide says it shows."""
    text = guide("### 5. Check from outside")
    lines = commands(sh_blocks(text)[0])
    assert len(lines) == 3, lines
    outside = {"PATH": SYSTEMD_PATH, "HOME": str(server.root)}
    done = [await curl(server.argv(line), outside, server.root) for line in lines]
    for result in done:
        assert result.code == 0, (result.argv, result.err)

    # "WebFinger must answer JSON whose `links` point at `https://groups.example.org/…`."
    assert f"whose `links` point at `https://{DOMAIN}/…`" in text
    jrd = json.loads(done[0].out)
    assert jrd["links"], jrd
    # Links (href) and templates alike: the subscribe template and intents are ours too
    targets = [link.get("href") or link["template"] for link in jrd["links"]]
    assert all(target.startswith(f"{server.base_url}/") for target in targets), jrd
    [self_link] = [link for link in jrd["links"] if link["rel"] == "self"]
    assert self_link["type"] == AP

    group: dict[str, Any] = json.loads(done[1].out)
    assert group["id"] == self_link["href"]
    assert (group["type"], group["preferredUsername"]) == ("Group", "neighbours")
    assert group["name"] == "Neighbours' mutual aid"
    assert "<strong>neighbours</strong>" in group["summary"]
    assert group["publicKey"]["owner"] == group["id"]

    # `/readyz` "# 200 ready": the body, then the status curl's -w writes.
    code, body = shlex.split(lines[2].split("#", 1)[1])
    assert done[2].out == f"{body}\n{code}\n"
    return group


async def follow_from_mastodon(server: Server, web: Unit, group: dict[str, Any]) -> None:
    """6. A Mastodon-like account finds the handle, follows, is accepted, hears a post."""
    text = " ".join(guide("### 6. Find the group from Mastodon").split())
    handle = re.search(rf"the full handle `@(\w+@{re.escape(DOMAIN)})`", text)
    assert handle, "step 6 no longer names the handle to search"
    user, _, host = server.text(handle[1]).partition("@")
    assert "--manual-approval" not in commands(sh_blocks(guide("### 4. Create a group"))[0])[0]

    async with running_peer() as peer:
        ana = peer.actor("ana")
        # Mastodon's search: WebFinger on the handle's host, then the actor it links.
        async with httpx.AsyncClient() as client:
            jrd = (
                await client.get(
                    f"http://{host}/.well-known/webfinger",
                    params={"resource": f"acct:{user}@{host}"},
                )
            ).json()
            [href] = [link["href"] for link in jrd["links"] if link.get("type") == AP]
            actor = (await client.get(href, headers={"Accept": AP})).json()
        assert actor == group

        # Follow: a signed POST; the worker answers with a signed Accept.
        follow = peer.activity(ana, "Follow", actor["id"])
        response = await peer.post(actor["inbox"], follow)
        assert response.status_code == 202, response.text
        accept = await received(server, peer, actor, lambda a: a["type"] == "Accept")
        assert accept["object"]["id"] == follow["id"]
        assert accept["object"]["actor"] == ana.id

        # A post published with the command line reaches the follower.
        out = (await server.cli(web, [str(PROGRAM), "post", user, POST])).ok()
        posted = re.fullmatch(r"posted \S+: (\S+)\n", out)
        assert posted, out
        create = await received(server, peer, actor, lambda a: a["type"] == "Create")
        note = create["object"]
        assert note["id"] == posted[1]
        assert note["attributedTo"] == actor["id"]
        assert "<strong>Saturday</strong>" in note["content"]
        assert PUBLIC in note["to"] and PUBLIC in create["to"]
        assert [a["type"] for a in peer.inbox_activities()] == ["Accept", "Create"]


async def received(server: Server, peer: Any, group: dict[str, Any], wanted: Any) -> dict[str, Any]:
    """Wait for the first activity ``wanted`` accepts; it must carry the group's signature."""

    async def arrived() -> bool:
        server.check_running()
        return any(wanted(r.activity) for r in peer.received)

    await wait_for(arrived)
    delivered = next(r for r in peer.received if wanted(r.activity))
    return verified_from(delivered, peer.base_url + delivered.path, group)


async def doctor(server: Server, web: Unit, group: dict[str, Any]) -> None:
    """ "When Mastodon cannot find the group": ``mutuals doctor`` passes what applies here."""
    text = " ".join(guide("### When Mastodon cannot find the group").split())
    found = re.search(r"Run `(mutuals doctor[^`]*)` on the server", text)
    assert found, "the troubleshooting no longer starts with `mutuals doctor`"

    out = (await server.cli(web, server.argv(found[1]))).ok()

    checks = doctor_lines(out)
    handle = f"acct:{group['preferredUsername']}@{server.host}"
    assert checks == {
        "base URL": f"✓ base URL: {server.base_url} (development mode)",
        "database": "✓ database: reachable",
        "schema": checks["schema"],
        "workers": "✓ workers: every loop seen in the last 60 s",
        "webfinger": f"✓ webfinger: {handle} → {group['id']}",
        "actor": f"✓ actor: {group['id']} answers with its id",
        "TLS": "- TLS: skipped (the base URL is not https://)",
        "clock": checks["clock"],
    }, out
    assert checks["schema"].startswith("✓ schema: current (")
    assert checks["clock"].startswith("✓ clock: within ")
    assert out.endswith("all checks passed\n")


async def stop_services(server: Server, web: Unit, worker: Unit) -> None:
    """``systemctl stop``: each unit's KillSignal, waiting at most its TimeoutStopSec."""
    [(web_process, web_log), (worker_process, worker_log)] = server.started
    sig = SIGNALS[worker.one("KillSignal")]
    code = await stop(worker_process, sig, float(worker.one("TimeoutStopSec")))
    assert code == 0, worker_log.read_text()
    # The web unit keeps systemd's defaults: SIGTERM, 90 s.
    assert "KillSignal" not in web.service and "TimeoutStopSec" not in web.service
    code = await stop(web_process, signal.SIGTERM, 90.0)
    # Uvicorn re-raises the SIGTERM it handled once shut down: systemd counts it clean.
    assert code in {0, -signal.SIGTERM}, web_log.read_text()
    assert "Application shutdown complete" in web_log.read_text()
