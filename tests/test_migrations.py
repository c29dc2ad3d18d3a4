"""Every table the models declare is exactly what ``mutuals migrate`` builds, on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import accounts.models
import actors.icons
import actors.models
import forum.models
import inbox.models
import moderation.models
import networks.models
import outbox.models
import posts.models
import sharing.distribution_models
import sharing.models
import sharing.needs_models
import sharing.survey_models
import sharing.transparency_models
import sharing.volunteer_models
import store.heartbeats
from store.db import Base, make_engine

MODELS = (
    accounts.models,
    actors.icons,
    actors.models,
    forum.models,
    inbox.models,
    moderation.models,
    networks.models,
    outbox.models,
    posts.models,
    sharing.models,
    sharing.transparency_models,
    sharing.volunteer_models,
    sharing.needs_models,
    sharing.distribution_models,
    sharing.survey_models,
    store.heartbeats,
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


async def test_the_migrations_build_every_model_exactly(engine: AsyncEngine) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    # Every module that declares a table is imported above, so nothing escapes the check.
    declaring = {mapper.class_.__module__ for mapper in Base.registry.mappers}
    assert declaring <= {model.__name__ for model in MODELS}
    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
