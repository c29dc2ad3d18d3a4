"""The audit log: who did what, when, in which group."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AuditEntry
from actors.models import Group

COMMAND_LINE = "command line"
"""The actor recorded for what was done with ``mutuals`` on the server."""


async def record(
    session: AsyncSession, actor: str, action: str, group: Group | None, detail: str = ""
) -> AuditEntry:
    """Add an entry to the log, committed with the change it describes."""
    entry = AuditEntry(
        actor=actor, action=action, group_id=group.id if group else None, detail=detail
    )
    session.add(entry)
    return entry


async def entries(
    session: AsyncSession, group: Group | None, *, limit: int = 100
) -> Sequence[AuditEntry]:
    """The newest entries of ``group`` (or of the instance, with None), newest first."""
    where = AuditEntry.group_id == group.id if group else AuditEntry.group_id.is_(None)
    rows = await session.scalars(
        select(AuditEntry).where(where).order_by(AuditEntry.id.desc()).limit(limit)
    )
    return rows.all()
