"""Announcing a member's post to the group's followers, in the two forms the fediverse reads.

FEP-1b12 groups (Lemmy, Mbin, other Mutuals groups) read an ``Announce`` of the
member's activity itself (``Create``, then ``Update`` or ``Delete``); microblogs
(Mastodon, Pleroma, Misskey) show an ``Announce`` of the object as a boost, and ignore
an announced activity. Like Lemmy, the group sends both to every follower; each side
reads its own and passes over the other. Taking a post back is an ``Undo`` of the
boost, which Mastodon answers by removing it from timelines (see `take_out`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents import activities
from forum.models import Message
from outbox.models import Activity
from outbox.send import new_activity_id, queue_to_followers
from store.db import utcnow


def _followers(ctx: Context, group: Group) -> str:
    return ctx.urls.group_collection(group.uid, "followers")


async def announce(session: AsyncSession, ctx: Context, group: Group, message: Message) -> None:
    """Announce ``message`` to every follower of ``group``: the activity, then the object.

    A message without its activity (a post a network only boosted, ``networks.relay``)
    goes out as the boost alone.
    """
    actor = ctx.urls.group(group.uid)
    relayed = activities.relay(
        new_activity_id(ctx.urls, group), actor, message.activity, _followers(ctx, group)
    )
    boost = activities.boost(
        new_activity_id(ctx.urls, group),
        actor,
        message.object_ap_id,
        author=message.actor_ap_id,
        followers=_followers(ctx, group),
        published=utcnow(),
    )
    sent = (relayed, boost) if message.activity else (boost,)
    for activity in sent:
        await queue_to_followers(session, group=group, activity=activity, public=True)
    message.relay_ap_id = relayed["id"] if message.activity else None
    message.announce_ap_id = boost["id"]


async def relay_change(
    session: AsyncSession, ctx: Context, group: Group, change: dict[str, object]
) -> None:
    """Pass an author's ``Update`` or ``Delete`` of an announced post on to the followers."""
    relayed = activities.relay(
        new_activity_id(ctx.urls, group), ctx.urls.group(group.uid), change, _followers(ctx, group)
    )
    await queue_to_followers(session, group=group, activity=relayed, public=True)


async def unboost(session: AsyncSession, ctx: Context, group: Group, message: Message) -> None:
    """``Undo`` the boost of ``message``, so microblogs drop it from their timelines."""
    # The boost as it was sent: its queued row keeps the document (its integrity proof
    # left out: without the @context it was made with, it no longer verifies).
    boost = await session.scalar(
        select(Activity.document).where(Activity.ap_id == message.announce_ap_id)
    )
    if boost is None:
        return
    embedded = {key: value for key, value in boost.items() if key not in ("@context", "proof")}
    actor = ctx.urls.group(group.uid)
    undo = activities.undo(new_activity_id(ctx.urls, group), actor, embedded)
    await queue_to_followers(session, group=group, activity=undo, public=True)


async def take_out(
    session: AsyncSession, ctx: Context, group: Group, message: Message, reason: str | None
) -> None:
    """Remove an announced post from the group, as each side understands it.

    Microblogs get the ``Undo`` of the boost. Forums get what a Lemmy moderator sends,
    a ``Delete`` of the post with the reason as ``summary``, announced by the group;
    Lemmy itself acts on it only when a moderator's own account sends it.
    """
    await unboost(session, ctx, group, message)
    actor = ctx.urls.group(group.uid)
    removal = activities.removal(
        new_activity_id(ctx.urls, group), actor, message.object_ap_id, reason
    )
    await relay_change(session, ctx, group, removal)
