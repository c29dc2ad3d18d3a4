"""Keeping what members send a group, and announcing it where the group's policy says so.

The inbox hands over every verified ``Create`` whose object names one of our groups
(in ``to``, ``cc``, ``audience`` or a ``Mention``) or replies in a thread a group
started or announced. Nothing of it is dropped: each post becomes a `Message` of each
group it concerns, announced, waiting for a moderator, or kept for the organizers with
the reason (``forum.policy``). Edits and deletions by the author follow the post.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import find_group_by_uid
from actors.instance import Context
from actors.models import Group
from federation.content import object_html
from federation.origin import host_of
from federation.vocab import get_id
from follows.queries import is_follower
from forum import relay
from forum.models import Message
from forum.policy import Facts, audience_of, decide, mentioned, visibility
from moderation.checks import domain_rule
from posts.lookup import local_post
from store.db import utcnow


async def _group(session: AsyncSession, group_id: int) -> Group | None:
    return await session.get(Group, group_id)


async def thread_group(
    session: AsyncSession, ctx: Context, in_reply_to: str | None
) -> Group | None:
    """The group whose thread ``in_reply_to`` belongs to: a group's own post, or a post
    the group announced (or holds), or None."""
    if in_reply_to is None:
        return None
    post = await local_post(session, ctx, in_reply_to)
    if post is not None:
        return await _group(session, post.group_id)
    found = await session.scalar(
        select(Message.group_id)
        .where(Message.object_ap_id == in_reply_to, Message.kind != "direct")
        .limit(1)
    )
    return None if found is None else await _group(session, found)


async def groups_concerned(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], doc: dict[str, Any]
) -> tuple[list[Group], int | None]:
    """Our groups a post names, then the group whose thread it replies in; and the id of
    that group (None when the post replies in no group's thread)."""
    found: dict[int, Group] = {}
    for uid in sorted(filter(None, map(ctx.urls.group_uid, audience_of(activity, doc)))):
        if (group := await find_group_by_uid(session, uid)) is not None:
            found[group.id] = group
    replied = await thread_group(session, ctx, in_reply_to(doc))
    if replied is None:
        return list(found.values()), None
    found.setdefault(replied.id, replied)
    return list(found.values()), replied.id


def in_reply_to(doc: dict[str, Any]) -> str | None:
    """The id the object replies to, when it is one."""
    target = get_id(doc.get("inReplyTo"))
    return target if isinstance(target, str) else None


async def _announced_this_hour(session: AsyncSession, group: Group, actor: str) -> int:
    since = utcnow() - dt.timedelta(hours=1)
    count = await session.scalar(
        select(func.count(Message.id)).where(
            Message.group_id == group.id,
            Message.actor_ap_id == actor,
            Message.status == "announced",
            Message.decided_at >= since,
        )
    )
    return int(count or 0)


async def _silenced(session: AsyncSession, actor: str) -> bool:
    rule = await domain_rule(session, host_of(actor))
    return rule is not None and rule.silence


async def is_kept(session: AsyncSession, group: Group, object_id: str) -> bool:
    """True when ``group`` already keeps the post ``object_id`` (each is kept once)."""
    found = await session.scalar(
        select(Message.id).where(Message.group_id == group.id, Message.object_ap_id == object_id)
    )
    return found is not None


async def keep_top_level(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    activity: dict[str, Any],
    doc: dict[str, Any],
    actor: str,
    reason: str | None = None,
) -> None:
    """Keep ``doc``, a post by ``actor`` that ``group`` takes without moderation (a
    network's member, or a network the group relays), and announce it; unless ``reason``
    says why not, kept with it. Only public or unlisted top-level posts: replies and
    posts for followers only stay with their author's own followers. Nothing when
    already kept."""
    shown = visibility(activity, doc)
    if shown == "direct" or in_reply_to(doc) is not None:
        return
    if await is_kept(session, group, doc["id"]):
        return
    await _keep(
        session, ctx, group, activity, doc, actor, announce=reason is None,
        kind="post", visibility=shown, status="kept", reason=reason,
    )  # fmt: skip


async def _keep(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    activity: dict[str, Any],
    doc: dict[str, Any],
    actor: str,
    *,
    announce: bool,
    **fields: Any,
) -> Message:
    """Store ``doc`` as a message of ``group`` (``fields`` say what kind, with what
    status); publish it at once when ``announce``."""
    message = Message(
        group_id=group.id,
        object_ap_id=doc["id"],
        actor_ap_id=actor,
        content_html=object_html(doc),
        document=doc,
        activity=activity,
        **fields,
    )
    session.add(message)
    await session.flush()
    if announce:
        await publish(session, ctx, group, message)
    return message


async def receive_post(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], doc: dict[str, Any], actor: str
) -> list[Message]:
    """Keep ``doc`` (verified: ``actor`` owns it, on its origin) for every group it
    concerns; announce it where the policy allows. A post already kept is left alone."""
    kept = []
    shown = visibility(activity, doc)
    groups, thread = await groups_concerned(session, ctx, activity, doc)
    silenced = await _silenced(session, actor)
    for group in groups:
        if await is_kept(session, group, doc["id"]):
            continue
        facts = Facts(
            kind="direct" if shown == "direct" else "reply" if thread == group.id else "post",
            follower=await is_follower(session, group, actor),
            announced_this_hour=await _announced_this_hour(session, group, actor),
            mentions=len(mentioned(doc)),
            silenced=silenced,
        )
        status, reason = decide(group.posting, group.announce_replies, facts, ctx.posting)
        message = await _keep(
            session, ctx, group, activity, doc, actor, announce=status == "announced",
            kind=facts.kind, visibility=shown, in_reply_to=in_reply_to(doc),
            status="pending" if status == "announced" else status, reason=reason,
        )  # fmt: skip
        kept.append(message)
    return kept


async def publish(session: AsyncSession, ctx: Context, group: Group, message: Message) -> None:
    """Mark ``message`` announced and send its two Announces to the group's followers."""
    message.status, message.reason, message.decided_at = "announced", None, utcnow()
    await relay.announce(session, ctx, group, message)


async def messages_of(session: AsyncSession, object_id: str, actor: str) -> list[Message]:
    """Every group's message of ``object_id``, when ``actor`` is its author."""
    rows = await session.execute(
        select(Message).where(Message.object_ap_id == object_id, Message.actor_ap_id == actor)
    )
    return list(rows.scalars())


async def receive_edit(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], doc: dict[str, Any], actor: str
) -> None:
    """The author edited a post: every group keeping it gets the new version, and a group
    that announced it passes the ``Update`` on to its followers."""
    for message in await messages_of(session, doc["id"], actor):
        if message.status in ("rejected", "removed", "deleted"):
            continue
        message.document, message.content_html = doc, object_html(doc)
        group = await _group(session, message.group_id)
        if group is not None and message.status == "announced":
            await relay.relay_change(session, ctx, group, activity)


async def receive_deletion(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], object_id: str, actor: str
) -> None:
    """The author deleted a post: it is gone from every group; one that announced it
    passes the ``Delete`` on and takes its boost back."""
    for message in await messages_of(session, object_id, actor):
        group = await _group(session, message.group_id)
        if group is not None and message.status == "announced":
            await relay.relay_change(session, ctx, group, activity)
            await relay.unboost(session, ctx, group, message)
        message.status, message.reason, message.decided_at = "deleted", None, utcnow()
        message.content_html, message.document = "", {}
