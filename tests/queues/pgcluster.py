"""A private, throw-away PostgreSQL cluster for tests that stop and start the server.

Never the shared cluster on 127.0.0.1:5432: other tests run against that one. The
cluster lives in a temporary directory, listens on a free loopback port with its socket
in the same directory, and is deleted on exit. The server refuses to run as root, so
as root the directory is given to ``postgres`` and every command runs as that user;
as anyone else it runs as them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

MISSING = (
    "the PostgreSQL server programs (initdb, pg_ctl) are not installed: "
    "install the Debian package postgresql (make install does), or put pg_config on PATH"
)


def server_bin() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: pg_config's, else the newest
    Debian one. Fails the test with what to install when there is none."""
    candidates: list[Path] = []
    if (pg_config := shutil.which("pg_config")) is not None:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(debian, key=lambda path: int(path.parent.name), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    pytest.fail(MISSING)


class Cluster:
    """``initdb`` + ``pg_ctl`` in ``root``, as ``postgres`` when we are root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.bin = server_bin()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *arguments: str, check: bool = True) -> None:
        command = [str(self.bin / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast", *, check: bool = True) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=check)


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A running private cluster, stopped and deleted afterwards."""
    root = Path(tempfile.mkdtemp(prefix="mutuals-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate", check=False)
        shutil.rmtree(root, ignore_errors=True)
