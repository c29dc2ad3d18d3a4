"""The one declarative base, column types shared by every package, and the engine factory."""

from __future__ import annotations

import datetime as dt
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, Engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


def is_sqlite(url: str) -> bool:
    """True when the database URL names SQLite."""
    return url.startswith("sqlite")


SQLITE_TIMEOUT = 30
"""Seconds an SQLite connection waits for another's write lock before giving up."""


def sqlite_pragmas(engine: Engine) -> None:
    """Give every new connection of ``engine`` WAL, foreign keys and ``synchronous=NORMAL``."""

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_TIMEOUT}, **kwargs)
        sqlite_pragmas(engine.sync_engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


_database_keys: WeakKeyDictionary[object, str] = WeakKeyDictionary()


def database_key(session: AsyncSession) -> str:
    """A string telling the session's database apart, for per-process caches.

    Remembered per engine: rendering (or hashing) an engine's URL on every cache
    lookup cost the inbox several per cent of its time.
    """
    bind = session.bind
    engine = bind if isinstance(bind, AsyncEngine) else session.sync_session.get_bind().engine
    key = _database_keys.get(engine)
    if key is None:
        key = _database_keys[engine] = engine.url.render_as_string()
    return key


def dialect_of(sessions: async_sessionmaker[AsyncSession]) -> str:
    """The name of the database these sessions open (``sqlite``, ``postgresql``)."""
    engine: AsyncEngine = sessions.kw["bind"]
    return engine.dialect.name


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
