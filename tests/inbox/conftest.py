"""Fixtures for the inbox tests: a fake remote server next to a real instance."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.peer import Peer, running_peer


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    """A fake remote server on a loopback port, with one actor, ``alice``."""
    async with running_peer() as server:
        server.actor("alice")
        yield server
