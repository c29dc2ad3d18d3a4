"""Alembic environment: runs migrations over the async engine named by the config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

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
from store.db import Base, is_sqlite, make_engine

# Importing the model modules registers their tables on the one metadata.
_MODELS = (
    accounts.models,
    actors.icons,
    actors.models,
    forum.models,
    moderation.models,
    networks.models,
    inbox.models,
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
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    url = str(connection.engine.url)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(url),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run() -> None:
    """Entry point alembic calls; the URL comes from the config's main option."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    asyncio.run(_run_async(url))


run()
