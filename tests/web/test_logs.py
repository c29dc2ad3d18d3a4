"""Logging: MUTUALS_LOG_LEVEL and MUTUALS_LOG_FORMAT, for our loggers and uvicorn's."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web.logs import UVICORN_LOGGERS, configure_logging

FIELDS = {"time", "level", "logger", "message"}


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Give the root and uvicorn loggers back as they were: configuring them is global."""
    loggers = [logging.getLogger(), *map(logging.getLogger, UVICORN_LOGGERS)]
    saved = [(lg, lg.level, list(lg.handlers), lg.propagate) for lg in loggers]
    yield
    for logger, level, handlers, propagate in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate


def _records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_fields_and_the_exception(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    log = logging.getLogger("mutuals.test")
    log.info("delivered %d of %d", 3, 4)
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("delivery failed for %s", "https://peer.example/inbox")

    first, second = _records(stream)
    assert set(first) == FIELDS
    assert (first["level"], first["logger"], first["message"]) == (
        "INFO",
        "mutuals.test",
        "delivered 3 of 4",
    )
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR"
    assert second["message"] == "delivery failed for https://peer.example/inbox"
    assert second["exception"].startswith("Traceback (most recent call last):")
    assert second["exception"].endswith("ValueError: boom")


def test_the_level_filters_and_configuring_again_replaces(restore_logging: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "json", first)
    configure_logging("WARNING", "text", second)
    log = logging.getLogger("mutuals.test")
    log.info("not shown")
    log.warning("host %s paused", "peer.example")
    assert first.getvalue() == ""
    (line,) = second.getvalue().splitlines()
    assert line.endswith(" WARNING mutuals.test: host peer.example paused")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve_once(database_url: str, cwd: Path, **settings: str) -> list[str]:
    """Run ``mutuals serve``, fetch one page once it answers, stop it: its stderr lines."""
    port = _free_port()
    env = {
        **os.environ,
        "MUTUALS_DEV": "1",
        "MUTUALS_BASE_URL": f"http://127.0.0.1:{port}",
        "MUTUALS_DATABASE_URL": database_url,
        "MUTUALS_RUN_WORKERS": "0",
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            assert process.poll() is None, process.communicate()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/.well-known/nodeinfo")
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            assert answer.status_code == 200
            break
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    # Uvicorn re-raises the SIGTERM it handled once it has shut down.
    assert process.returncode in {0, -signal.SIGTERM}
    assert out == ""
    return err.splitlines()


def test_serve_logs_json_lines_uvicorn_included(database_url: str, tmp_path: Path) -> None:
    lines = _serve_once(database_url, tmp_path, MUTUALS_LOG_FORMAT="json")
    records = [json.loads(line) for line in lines]
    assert all(set(record) >= FIELDS for record in records)
    said = {(record["logger"], record["level"], record["message"]) for record in records}
    assert ("uvicorn.error", "INFO", "Application startup complete.") in said
    assert any(
        logger == "uvicorn.access" and "GET /.well-known/nodeinfo HTTP/1.1" in message
        for logger, _, message in said
    )


def test_serve_logs_nothing_below_the_level(database_url: str, tmp_path: Path) -> None:
    assert _serve_once(database_url, tmp_path, MUTUALS_LOG_LEVEL="warning") == []
