"""Health checks for load balancers and orchestrators: ``/healthz`` and ``/readyz``.

``/healthz`` says the process answers (it touches nothing else). ``/readyz`` says the
instance can do its work: the database answers, its schema is the one this code
expects, and every worker loop recorded a heartbeat within `web.doctor.SEEN_WITHIN`. Otherwise
503, with one line per failed check (``database:``, ``schema:``, ``workers:``).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from store.db import utcnow
from store.heartbeats import last_seen
from web.doctor import workers_problem
from web.schema import current_revisions, schema_problem
from web.state import app_context

TIMEOUT = 5.0
"""Seconds the database gets to answer every check."""
NO_STORE = {"Cache-Control": "no-store"}

log = logging.getLogger("mutuals.health")


async def healthz(request: Request) -> Response:
    """200 ``ok`` whenever the process serves requests."""
    return PlainTextResponse("ok\n", headers=NO_STORE)


async def readyz(request: Request) -> Response:
    """200 ``ready`` when every check passes, else 503 naming each failure."""
    try:
        async with asyncio.timeout(TIMEOUT):
            problems = await _problems(app_context(request).sessions)
    except TimeoutError:
        problems = [f"database: no answer within {TIMEOUT:g} s"]
    if problems:
        return PlainTextResponse("\n".join(problems) + "\n", status_code=503, headers=NO_STORE)
    return PlainTextResponse("ready\n", headers=NO_STORE)


async def _problems(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    # One session a check: a failed query (no heartbeat table yet) spoils no other.
    async with sessions() as session:
        try:
            await session.execute(select(1))
        except Exception as exc:  # whatever the driver raises, it is the answer here
            return [f"database: unreachable ({_logged(exc)})"]
    problems = []
    async with sessions() as session:
        try:
            schema = schema_problem(await current_revisions(session))
        except Exception as exc:
            schema = f"cannot read the migrations applied ({_logged(exc)})"
    if schema is not None:
        problems.append(f"schema: {schema}")
    async with sessions() as session:
        try:
            workers = workers_problem(await last_seen(session), utcnow())
        except Exception as exc:  # no heartbeat table before migration 0007
            workers = f"cannot read heartbeats ({_logged(exc)})"
    if workers is not None:
        problems.append(f"workers: {workers}")
    return problems


def _logged(exc: Exception) -> str:
    """Log ``exc`` in full; only its type goes in the public answer (no hosts, no SQL)."""
    log.warning("readiness check failed", exc_info=exc)
    return type(exc).__name__


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
]
