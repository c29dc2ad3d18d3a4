"""Fixtures: a real context over a fresh database, whose network is an httpx MockTransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import create_group
from actors.instance import Context
from actors.models import Group, RemoteActor
from actors.remote import store_actor
from web.runtime import open_context
from web.settings import Settings


@dataclass
class FakeNetwork:
    """Remote servers as a table of documents by URL; records every request made."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(fragment=None))
        self.requests.append(url)
        doc = self.documents.get(url)
        if doc is None:
            return httpx.Response(404, text="not found")
        return httpx.Response(200, json=doc, headers={"Content-Type": "application/activity+json"})


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": "http://127.0.0.1:8123",
        "database_url": database_url,
        "dev": True,
    }
    values.update(overrides)
    return Settings(**values).validate()


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


@pytest.fixture
async def ctx(database_url: str, network: FakeNetwork) -> AsyncIterator[Context]:
    transport = httpx.MockTransport(network.handle)
    async with open_context(settings_for(database_url), transport=transport) as context:
        yield context


@pytest.fixture
async def session(ctx: Context) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as opened:
        yield opened


@pytest.fixture
async def group(ctx: Context, session: AsyncSession) -> Group:
    made = await create_group(session, "eastside", ctx.urls)
    await session.commit()
    return made


def actor_document(ap_id: str, *, shared_inbox: str | None = None) -> dict[str, Any]:
    """A minimal remote Person, as its server would serve it."""
    doc: dict[str, Any] = {
        "id": ap_id,
        "type": "Person",
        "preferredUsername": ap_id.rsplit("/", 1)[-1],
        "inbox": ap_id + "/inbox",
    }
    if shared_inbox is not None:
        doc["endpoints"] = {"sharedInbox": shared_inbox}
    return doc


async def add_remote(session: AsyncSession, ap_id: str, **options: Any) -> RemoteActor:
    """Store a remote actor as if fetched from its origin (through ``store_actor``)."""
    return await store_actor(session, actor_document(ap_id, **options))
