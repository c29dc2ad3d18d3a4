"""Who may speak to our inboxes: the refusals the receive pipeline applies around verifying.

Each check returns the one-line reason for refusing, or None. They run in this order:

1. ``refused_key`` before the signature is verified, so a blocked (or, in allowlist
   mode, unlisted) domain never makes us fetch or store its key, and nobody signs
   with a key id on our own origin;
2. ``misplaced_activity`` once the signer is known to be the actor: the activity's id
   must be on the actor's origin (Mastodon CVE-2024-23832), never one of ours;
3. ``refused_actor`` before storing: the actor's domain and the group's block list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.context import Context
from actors.moderation import domain_refused, refusal
from federation.origin import same_origin


async def refused_key(ctx: Context, session: AsyncSession, key_id: str) -> str | None:
    """Why a request signed with ``key_id`` is refused (403) before any key fetch."""
    if ctx.urls.is_local(key_id):
        return "the key id is on this instance; remote servers sign with their own keys"
    return await domain_refused(session, ctx.federation, key_id)


def misplaced_activity(ctx: Context, activity: dict[str, Any], actor: str) -> str | None:
    """Why the activity's id cannot be the actor's (400): ours, or on another origin."""
    activity_id = activity["id"]
    if ctx.urls.is_local(activity_id):
        return "the activity claims an id of this instance"
    if not same_origin(activity_id, actor):
        return "the activity id is not on its actor's origin"
    return None


async def refused_actor(
    ctx: Context, session: AsyncSession, actor: str, group_id: int | None
) -> str | None:
    """Why an activity by ``actor`` (to ``group_id``, if any) is refused (403)."""
    return await refusal(session, ctx.federation, actor, group_id=group_id)
