"""Votes on our polls, as Mastodon sends them: ``Create{Note}`` with ``name`` = the option.

A vote counts once per account: a second vote in a single-choice poll, a repeated
option, an option the poll does not have, a vote with text, or a vote after closing
is ignored. The unique constraints on ``poll_votes`` back this up when two workers
race: the losing transaction rolls back whole and its retry finds the vote stored.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharing.models import Poll, Vote, vote_slot
from sharing.polls import poll_spec
from store.db import utcnow

log = logging.getLogger("mutuals.inbox")


def _refusal(poll: Poll, note: dict[str, Any], taken: list[Vote]) -> str | None:
    option = note.get("name")
    if not isinstance(option, str) or option not in poll.options:
        return f"no option {option!r}"
    if note.get("content") or note.get("contentMap"):
        return "a reply with text, not a vote"
    if poll_spec(poll).is_closed(utcnow()):
        return "the poll is closed"
    if any(v.slot == vote_slot(poll.multiple, option) for v in taken):
        return "already voted" if not poll.multiple else f"already voted for {option!r}"
    return None


async def record_vote(session: AsyncSession, poll: Poll, actor: str, note: dict[str, Any]) -> bool:
    """Count ``note`` as ``actor``'s vote when it is a valid one; False when ignored."""
    taken = list(
        await session.scalars(
            select(Vote).where(Vote.poll_id == poll.id, Vote.actor_ap_id == actor)
        )
    )
    if any(v.object_ap_id == note["id"] for v in taken):
        return False
    reason = _refusal(poll, note, taken)
    if reason is not None:
        log.info("vote %s by %s ignored: %s", note["id"], actor, reason)
        return False
    option = str(note["name"])
    slot = vote_slot(poll.multiple, option)
    session.add(
        Vote(poll_id=poll.id, actor_ap_id=actor, option=option, slot=slot, object_ap_id=note["id"])
    )
    await session.flush()
    return True
