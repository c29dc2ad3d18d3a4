"""Building the instance context from settings (shared by the app and the CLI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

import httpx

from actors.instance import Context, PostingLimits, instance_key_pair
from actors.urls import Urls
from federation.delivery_client import DeliveryClient
from federation.failure_memory import FailureMemory
from federation.httpsig import SchemeMemory
from federation.safe_client import FetchPolicy, build_client
from inbox.writer import InboxWriter
from store.db import make_engine, make_sessionmaker
from store.retention import Retention
from web.settings import Settings


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The outgoing-request policy: loopback and plain http only in development mode."""
    return FetchPolicy(
        allow_private=settings.dev,
        allow_http=settings.dev,
        user_agent=f"Mutuals/{version('mutuals')} (+{settings.base_url}/)",
        connect_timeout=settings.connect_timeout,
        total_timeout=settings.request_timeout,
    )


@asynccontextmanager
async def open_context(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Context]:
    """Open the database and HTTP clients for an instance; close them on exit.

    ``transport`` (tests) replaces the fetching client's network; deliveries always go
    out over the network (tests deliver to real servers on loopback).
    """
    engine = make_engine(settings.database_url)
    policy = fetch_policy(settings)
    http = build_client(policy, transport=transport)
    schemes = SchemeMemory()
    delivery = DeliveryClient(policy, schemes)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            private_pem, public_pem = await instance_key_pair(session)
        yield Context(
            urls=Urls(settings.base_url),
            host=settings.host,
            sessions=sessions,
            http=http,
            delivery=delivery,
            policy=policy,
            schemes=schemes,
            dev=settings.dev,
            instance_private_pem=private_pem,
            instance_public_pem=public_pem,
            failures=FailureMemory(),
            federation=settings.federation,
            lease=dt.timedelta(seconds=settings.queue_lease),
            posting=PostingLimits(settings.posts_per_hour, settings.max_mentions),
            retention=Retention(days=settings.retention_days),
        )
    finally:
        await InboxWriter.close(sessions)
        await http.aclose()
        await delivery.aclose()
        await engine.dispose()
