"""``Reject`` of a Follow one of our groups sent: the following is removed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Following
from inbox.handlers.accept import follow_answer
from inbox.registry import handles


@handles("Reject", "Follow")
@handles("Reject")
@follow_answer
async def reject(session: AsyncSession, following: Following) -> None:
    """Remove the following, pending or accepted (a later Reject revokes it)."""
    await session.delete(following)
