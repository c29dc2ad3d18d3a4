"""Polls: publish a ``Question``, count the votes, send the tallies, close it.

Tallies go out as ``Update{Question}`` at most once per :data:`TALLY_INTERVAL` per
poll (Mastodon debounces its own the same way), so a burst of votes makes one
Update; one more is sent when the poll closes. Neither carries ``updated``: new
counts are not an edit, and Mastodon would otherwise mark the post edited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.poll import PollSpec, poll_document
from documents.when import require_future
from posts.models import Post
from posts.notes import new_post, republish_post
from sharing import publishing
from sharing.models import Poll, Vote
from store.db import utcnow

TALLY_INTERVAL = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Results:
    """A poll's counts: votes per option (in the poll's order) and distinct voters."""

    poll: Poll
    tallies: dict[str, int]
    voters: int
    closed: bool


def poll_spec(row: Poll) -> PollSpec:
    """The builder's input, read back from a stored poll."""
    question = publishing.texts(row.language, row.question, row.translations, "question")
    return PollSpec(question, tuple(row.options), row.multiple, row.closes_at)


async def results(session: AsyncSession, row: Poll, now: dt.datetime | None = None) -> Results:
    """The votes counted so far."""
    found = await session.execute(
        select(Vote.option, func.count()).where(Vote.poll_id == row.id).group_by(Vote.option)
    )
    counts: dict[str, int] = {option: n for option, n in found.all()}
    voters = await session.scalar(
        select(func.count(func.distinct(Vote.actor_ap_id))).where(Vote.poll_id == row.id)
    )
    tallies = {option: int(counts.get(option, 0)) for option in row.options}
    closed = poll_spec(row).is_closed(now or utcnow())
    return Results(row, tallies, int(voters or 0), closed)


async def _document(
    session: AsyncSession, ctx: Context, group: Group, post: Post, row: Poll, now: dt.datetime
) -> dict[str, Any]:
    counted = await results(session, row, now) if row.id is not None else None
    doc = poll_document(
        poll_spec(row),
        publishing.meta(ctx, group, post, edited=False),
        ctx.urls.tag,
        now,
        tallies=counted.tallies if counted else None,
        voters=counted.voters if counted else 0,
    )
    if reply_to := post.document.get("inReplyTo"):
        doc["inReplyTo"] = reply_to  # a survey's question, in the survey's thread
    return doc


async def create_poll(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    spec: PollSpec,
    now: dt.datetime | None = None,
    *,
    in_reply_to: str | None = None,
) -> Poll:
    """Publish a poll (in reply to ``in_reply_to``, for a survey's questions); a closing
    time in the past is refused before anything is stored."""
    now = now or utcnow()
    if spec.closes_at is not None:
        require_future(spec.closes_at, now, "the closing time")
    post = new_post(ctx, group, "Question", now, spec.question.text)
    if in_reply_to is not None:
        post.document["inReplyTo"] = in_reply_to
    row = Poll(
        group_id=group.id,
        question=spec.question.text,
        language=spec.question.language,
        translations=publishing.stored_translations(
            {"question": spec.question}, spec.question.language
        ),
        options=list(spec.options),
        multiple=spec.multiple,
        closes_at=spec.closes_at,
        created_at=now,
    )
    post.document = await _document(session, ctx, group, post, row, now)
    return await publishing.publish_shared(session, ctx, group, post, row)


async def poll_results(session: AsyncSession, group: Group, post_uid: str) -> Results:
    """The counts of one of ``group``'s polls."""
    row, _post = await publishing.find_shared(session, group, Poll, post_uid, "a poll")
    return await results(session, row)


async def publish_tallies(session: AsyncSession, ctx: Context, now: dt.datetime) -> int:
    """Send ``Update{Question}`` for polls with new votes (debounced) or just closed."""
    last_sent = func.coalesce(Post.updated_at, Post.created_at)
    new_votes = exists().where(Vote.poll_id == Poll.id, Vote.created_at > last_sent)
    due = or_(
        and_(new_votes, last_sent <= now - TALLY_INTERVAL),
        and_(Poll.closes_at <= now, last_sent < Poll.closes_at),
    )
    found = await session.execute(publishing.live_rows(Poll).where(due).limit(100))
    rows = found.all()
    for row, post, group in rows:
        post.updated_at = now
        doc = await _document(session, ctx, group, post, row, now)
        await republish_post(session, ctx, group, post, doc)
    return len(rows)
