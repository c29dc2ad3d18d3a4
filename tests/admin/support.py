"""Browsing the admin pages over real HTTP: a signed-in client, forms with their CSRF token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import func, select

from accounts import roles
from accounts.accounts import create_account
from accounts.models import AuditEntry
from actors.models import Group
from tests.instances import Instance

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def add_account(
    instance: Instance, name: str, group: Group | None = None, *held: str, admin: bool = False
) -> None:
    """An account with ``held`` roles in ``group``."""
    async with instance.ctx.sessions() as session:
        account = await create_account(session, name, PASSWORD, by="test", admin=admin)
        for role in held:
            assert group is not None
            await roles.grant(session, account, group, role, by="test")
        await session.commit()


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of the first form on ``page``."""
    found = CSRF.search(page.text)
    assert found, page.text
    return found[1]


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str], *, from_page: str | None = None
) -> httpx.Response:
    """GET the page with the form (``from_page``, else ``path``), then POST it with its token."""
    page = await client.get(from_page or path)
    return await client.post(path, data={"csrf": csrf_of(page), **data})


@asynccontextmanager
async def signed_in(
    instance: Instance, name: str, **kwargs: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as ``name``."""
    async with instance.client(**kwargs) as client:
        answer = await post_form(client, "/login", {"username": name, "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        yield client


async def log(instance: Instance, actor: str) -> list[tuple[str, str, int | None]]:
    """What ``actor`` did, as the audit log says: what, detail, group id; oldest first."""
    async with instance.ctx.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor == actor).order_by(AuditEntry.id)
        )
        return [(row.action, row.detail, row.group_id) for row in rows]


async def count(instance: Instance, model: type[Any]) -> int:
    """How many rows of ``model`` the instance's database holds."""
    async with instance.ctx.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
