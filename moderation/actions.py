"""What moderation sends: ``Block`` (and its ``Undo``) to a blocked account, ``Flag`` reports.

Each function changes the rows (``moderation.rules``) and queues the activity in the
caller's session, so both commit together. Shapes follow Mastodon: a ``Block``'s
``object`` is the blocked account's id; a ``Flag`` comes from the instance actor (the
reporting group stays anonymous) with ``object`` = [account id, post ids…] and the
reason as ``content``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group, RemoteActor
from federation.vocab import AS_CONTEXT
from moderation.models import Report
from moderation.rules import add_block, remove_block, remove_follows
from outbox.send import new_activity_id, queue_activity


@dataclass(frozen=True)
class BlockOutcome:
    """What a block did: whether it is new, how many follows went, whether Block was sent."""

    created: bool
    follows_removed: int
    sent: bool


async def block_account(
    ctx: Context, session: AsyncSession, group: Group, actor_id: str, actor: RemoteActor | None
) -> BlockOutcome:
    """Block ``actor_id`` for ``group``: follows both ways removed, ``Block`` sent.

    ``actor`` is the stored remote actor when known (it gives the inbox to tell); when
    None (never fetched, or unreachable) the block still holds locally.
    """
    block = await add_block(session, group.id, actor_id)
    if block is None:
        return BlockOutcome(created=False, follows_removed=0, sent=False)
    removed = 0
    if actor is not None:
        removed = await remove_follows(session, [actor.id], group_id=group.id)
        activity = {
            "@context": AS_CONTEXT,
            "id": new_activity_id(ctx.urls, group),
            "type": "Block",
            "actor": ctx.urls.group(group.uid),
            "object": actor_id,
        }
        await queue_activity(session, group=group, activity=activity, inboxes=[actor.inbox])
        block.activity_ap_id = activity["id"]
    return BlockOutcome(created=True, follows_removed=removed, sent=actor is not None)


async def unblock_account(
    ctx: Context, session: AsyncSession, group: Group, actor_id: str, actor: RemoteActor | None
) -> bool:
    """Lift a block, sending ``Undo{Block}`` when a Block was sent; False if none existed."""
    block = await remove_block(session, group.id, actor_id)
    if block is None:
        return False
    if block.activity_ap_id is not None and actor is not None:
        group_actor = ctx.urls.group(group.uid)
        activity = {
            "@context": AS_CONTEXT,
            "id": new_activity_id(ctx.urls, group),
            "type": "Undo",
            "actor": group_actor,
            "object": {
                "id": block.activity_ap_id,
                "type": "Block",
                "actor": group_actor,
                "object": actor_id,
            },
        }
        await queue_activity(session, group=group, activity=activity, inboxes=[actor.inbox])
    return True


def flag(ctx: Context, targets: Sequence[str], content: str) -> dict[str, Any]:
    """A Mastodon-shaped ``Flag`` from the instance actor about ``targets``."""
    return {
        "@context": AS_CONTEXT,
        "id": f"{ctx.urls.base}/flags/{secrets.token_urlsafe(12)}",
        "type": "Flag",
        "actor": ctx.urls.instance_actor,
        "content": content,
        "object": list(targets),
    }


async def report_account(
    ctx: Context,
    session: AsyncSession,
    group: Group,
    actor_id: str,
    *,
    reason: str,
    post_ids: Sequence[str] = (),
    forward_to: str | None = None,
) -> Report:
    """Record a report by ``group`` about ``actor_id``; with ``forward_to`` (an inbox of
    the account's server), send that server a ``Flag`` as well."""
    targets = [actor_id, *post_ids]
    report = Report(
        group_id=group.id,
        direction="sent",
        reporter_ap_id=ctx.urls.group(group.uid),
        target_ids=targets,
        content=reason,
        forwarded=forward_to is not None,
    )
    if forward_to is not None:
        activity = flag(ctx, targets, reason)
        report.activity_ap_id = activity["id"]
        await queue_activity(session, group=None, activity=activity, inboxes=[forward_to])
    session.add(report)
    await session.flush()
    return report
