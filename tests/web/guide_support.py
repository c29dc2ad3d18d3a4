"""Reading the README's "Run your own" guide and the systemd units, and playing them on loopback.

The guide and the units are parsed, never re-typed: `Guide` finds the sections, their
```sh blocks and the units' ``[Service]`` keys; `Server` maps what they name on a real
server (``/var/lib/mutuals``, ``/etc/mutuals/env``, ``/opt/mutuals/.venv``, the domain,
``https://``) onto a temporary folder, this virtualenv and ``http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from actors.keys import load_public_key
from federation.httpsig import signature_key_id, verify_request
from tests.peer import Received

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SYSTEMD = ROOT / "deploy" / "systemd"
DOMAIN = "groups.example.org"
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"""The PATH systemd gives a service, and a fresh login shell has."""
PROGRAM = Path(sys.executable).parent / "mutuals"
"""This virtualenv's ``mutuals``, standing in for the one the guide installs."""


def section(text: str, heading: str) -> str:
    """From the line ``heading`` to the next heading of the same level or higher."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    assert heading in lines, f"README.md has no heading {heading!r}"
    start = lines.index(heading)
    fenced = False
    for end in range(start + 1, len(lines)):
        fenced ^= lines[end].startswith("```")
        if not fenced and re.match(rf"#{{1,{level}}} ", lines[end]):
            return "\n".join(lines[start:end])
    return "\n".join(lines[start:])


def sh_blocks(text: str) -> list[str]:
    """The contents of every ```sh fenced block."""
    return re.findall(r"^```sh\n(.*?)^```$", text, flags=re.M | re.S)


def commands(block: str) -> list[str]:
    """The command lines of a block (continuations joined), comments and blank lines left out."""
    joined = block.replace("\\\n", " ")
    return [line for line in joined.splitlines() if shlex.split(line, comments=True)]


@dataclass
class Unit:
    """A systemd unit file: its leading comment and its ``[Service]`` keys (each a list)."""

    path: Path
    comment: list[str] = field(default_factory=list)
    service: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, name: str) -> Unit:
        unit = cls(SYSTEMD / name)
        part = ""
        for line in unit.path.read_text().splitlines():
            if line.startswith("#"):
                if not part:
                    unit.comment.append(line.removeprefix("#"))
                continue
            if line.startswith("["):
                part = line.strip("[]")
            elif "=" in line and part == "Service":
                key, _, value = line.partition("=")
                unit.service.setdefault(key.strip(), []).append(value.strip())
        return unit

    def one(self, key: str) -> str:
        [value] = self.service[key]
        return value

    def setup_commands(self) -> list[str]:
        """The install steps of the leading comment, one shell line each, comments dropped."""
        steps = [line.strip() for line in self.comment if line.startswith("   ")]
        return [step.split("  #")[0].strip() for step in steps if not step.startswith("#")]

    def env_file_example(self) -> dict[str, str]:
        """``KEY=example`` pairs the comment says to write with ``editor ENV_FILE``."""
        env_file = self.one("EnvironmentFile")
        text = "\n".join(self.comment)
        found = re.search(rf"editor {re.escape(env_file)}\s+#(.*?)\n(?!\s+#)", text, re.S)
        assert found, f"{self.path.name}: no `editor {env_file}` step naming the settings"
        return dict(re.findall(r"(MUTUALS_\w+)=([^\s,]*)", found.group(1)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Done:
    """A finished command: exit code and output."""

    argv: list[str]
    code: int
    out: str
    err: str

    def ok(self) -> str:
        assert (self.code, self.err) == (0, ""), f"{self.argv}: exit {self.code}\n{self.err}"
        return self.out


async def run(argv: list[str], env: dict[str, str], cwd: Path) -> Done:
    """Run ``argv`` to its end without blocking the event loop (peers in it keep answering)."""
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Done(argv, process.returncode, out.decode(), err.decode())


@dataclass
class Server:
    """The guide's server on loopback: the paths it names live under ``root``."""

    root: Path
    venv: str
    """The guide's virtualenv, e.g. ``/opt/mutuals/.venv``: its ``bin/mutuals`` is `PROGRAM`."""
    port: int = field(default_factory=free_port)
    started: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    def local(self, path: str) -> Path:
        """Where a path of the real server lives here."""
        assert path.startswith("/"), path
        return self.root / path.lstrip("/")

    def text(self, line: str) -> str:
        """A guide line with the domain on loopback and http standing in for TLS."""
        return line.replace(f"https://{DOMAIN}", self.base_url).replace(DOMAIN, self.host)

    def argv(self, line: str, instance: str = "1") -> list[str]:
        """A command of the guide or a unit's ``Exec…=`` line, runnable here.

        ``mutuals`` (bare, or the guide's virtualenv's) becomes `PROGRAM`; ``--port`` gets
        this server's port; ``%i`` the unit instance.
        """
        argv = shlex.split(self.text(line).replace("%i", instance), comments=True)
        if argv[0] == "sudo":
            # `sudo mutuals …` is deploy/systemd/mutuals, which runs the CLI as the units
            # run their programs (checked by test_the_shell_command_runs_the_cli_as_the_units_do).
            argv = argv[1:]
            assert argv[0] == "mutuals" and self.on_path("mutuals"), f"{line}: not installed"
        if argv[0] in {"mutuals", f"{self.venv}/bin/mutuals"}:
            argv[0] = str(PROGRAM)
        elif argv[0].startswith("/"):
            raise AssertionError(f"{argv[0]} is not the guide's virtualenv {self.venv}")
        if "--port" in argv:
            argv[argv.index("--port") + 1] = str(self.port)
        return argv

    def on_path(self, program: str) -> bool:
        """True when an install step put ``program`` in a directory of a login's PATH."""
        return any(
            self.local(f"{folder}/{program}").is_file() for folder in SYSTEMD_PATH.split(":")
        )

    def install(self, step: str) -> None:
        """Play one ``install -d``/``install … /dev/null FILE``/``install deploy/… FILE`` step.

        Owners need root: they are left out.
        """
        argv = shlex.split(step)
        mode = int(argv[argv.index("-m") + 1], 8) if "-m" in argv else 0o755
        target = self.local(argv[-1])
        if "-d" in argv:
            target.mkdir(parents=True, exist_ok=True)
        else:
            source = argv[-2]
            assert source == "/dev/null" or source.startswith("deploy/"), step
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"" if source == "/dev/null" else (ROOT / source).read_bytes())
        target.chmod(mode)

    def unit_env(self, unit: Unit) -> dict[str, str]:
        """The environment systemd gives ``unit``: its PATH and HOME, then its EnvironmentFile."""
        env = {"PATH": SYSTEMD_PATH, "HOME": str(self.local(unit.one("WorkingDirectory")))}
        for line in self.local(unit.one("EnvironmentFile")).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip()
        return env

    async def cli(self, unit: Unit, argv: list[str]) -> Done:
        """Run a command as ``unit`` runs its programs: its environment and working directory."""
        return await run(argv, self.unit_env(unit), self.local(unit.one("WorkingDirectory")))

    def start(self, unit: Unit, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        """Start a long-running ``Exec…`` program of ``unit``, logging to ``log``."""
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                cwd=self.local(unit.one("WorkingDirectory")),
                env=self.unit_env(unit),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append((process, log))
        return process

    def check_running(self) -> None:
        for process, log in self.started:
            assert process.poll() is None, f"{process.args!r} exited:\n{log.read_text()}"

    def kill_all(self) -> None:
        """After a failure: kill what is still running (only what this server started)."""
        for process, _ in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    """Poll ``condition`` until true (TimeoutError after ``timeout`` s)."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.05)


async def stop(process: subprocess.Popen[bytes], sig: int, timeout: float) -> int:
    """Send ``sig`` (the unit's KillSignal) and wait up to ``timeout`` s for the exit code."""
    process.send_signal(sig)
    async with asyncio.timeout(timeout):
        while (code := process.poll()) is None:
            await asyncio.sleep(0.02)
    return code


async def curl(argv: list[str], env: dict[str, str], cwd: Path) -> Done:
    """Run a curl line of the guide: the real curl when installed.

    Without one, the flags the guide uses (``-f -s -S -H -w '%{http_code}\\n'``) are
    played with httpx so the check still runs; the output is the same.
    """
    assert argv[0] == "curl", argv
    found = shutil.which("curl", path=env["PATH"])
    if found is not None:
        return await run([found, *argv[1:]], env, cwd)
    headers: dict[str, str] = {}
    write_out, fail, url = "", False, ""
    args = iter(argv[1:])
    for arg in args:
        if arg == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-w":
            write_out = next(args)
        elif arg.startswith("-") and set(arg[1:]) <= set("fsS"):
            fail = fail or "f" in arg
        else:
            url = arg
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers=headers)
    if fail and response.status_code >= 400:
        return Done(argv, 22, "", f"curl: (22) error: {response.status_code}\n")
    code = str(response.status_code)
    return Done(argv, 0, response.text + write_out.replace("%{http_code}", code), "")


def verified_from(delivered: Received, url: str, actor: dict[str, Any]) -> dict[str, Any]:
    """The activity POSTed to the peer at ``url``, once its signature is checked as
    the peer would: signed with ``actor``'s published key, by ``actor``."""
    key = actor["publicKey"]
    assert signature_key_id("POST", delivered.headers) == key["id"]
    verify_request(
        "POST", url, delivered.headers, delivered.body, load_public_key(key["publicKeyPem"])
    )
    activity: dict[str, Any] = json.loads(delivered.body)
    assert activity["actor"] == actor["id"]
    return activity


def doctor_lines(out: str) -> dict[str, str]:
    """``mutuals doctor``'s lines by check name (a fix line joined to its check)."""
    checks: dict[str, str] = {}
    name = ""
    for line in out.splitlines():
        if line.startswith("    fix: "):
            checks[name] += "\n" + line
        elif line[:2] in {"✓ ", "✗ ", "- "}:
            name = line[2:].split(":", 1)[0]
            checks[name] = line
    return checks


SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
CLEAN_SIGNALS = {-signal.SIGHUP, -signal.SIGINT, -signal.SIGTERM, -signal.SIGPIPE}
"""Deaths by these signals systemd counts as a clean stop (``SuccessExitStatus`` default)."""
