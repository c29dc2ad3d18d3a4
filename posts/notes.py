"""Status updates: publish, edit and delete a group's Notes, and announce profile changes.

Each function writes the domain change and queues its activity to the followers in
the caller's session: the caller commits both, or neither.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import roles
from actors.documents import group_actor
from actors.groups import rename_group, set_fields, set_icon, set_summary, set_whereabouts
from actors.instance import Context
from actors.models import Group, RemoteActor
from documents import activities
from documents.activities import Visibility
from documents.common import hashtag, timestamp
from documents.errors import UserError
from documents.multilingual import Multilingual
from federation.content import clean_name
from federation.markdown import render_markdown
from outbox.send import new_activity_id, queue_activity, queue_to_followers
from posts.models import Post
from posts.tags import index_tags
from store.db import utcnow

MAX_TEXT = 10_000
MAX_WARNING = 500


def create_id(note_id: str) -> str:
    """The id of the ``Create`` that published a post (as Mastodon: ``<post>/activity``)."""
    return f"{note_id}/activity"


def is_public(visibility: str) -> bool:
    """True when anyone may read a post of this visibility (public or unlisted)."""
    return visibility in ("public", "unlisted")


def new_post(ctx: Context, group: Group, type_: str, now: dt.datetime, source: str) -> Post:
    """A public ``posts`` row with a fresh uid; the caller fills its document."""
    uid = secrets.token_hex(8)
    return Post(
        uid=uid,
        group_id=group.id,
        type=type_,
        visibility="public",
        source=source,
        document={"id": ctx.urls.post(group.uid, uid)},
        created_at=now,
    )


def check_text(text: str) -> str:
    """``text`` if it can be posted: not empty, at most `MAX_TEXT` characters."""
    if not text.strip():
        raise UserError("the text is empty; write something to post")
    if len(text) > MAX_TEXT:
        raise UserError(
            "the text is %(length)s characters; the limit is %(limit)s",
            length=len(text),
            limit=MAX_TEXT,
        )
    return text


def _render(ctx: Context, text: str) -> tuple[str, list[dict[str, str]]]:
    check_text(text)
    rendered = render_markdown(text, tag_url=ctx.urls.tag)
    tags = [hashtag(name, ctx.urls.tag) for name in rendered.hashtags]
    return rendered.html, tags


async def _send(session: AsyncSession, group: Group, doc: dict[str, Any], *, public: bool) -> None:
    await queue_to_followers(session, group=group, activity=doc, public=public)


async def _send_about(session: AsyncSession, group: Group, post: Post, doc: dict[str, Any]) -> None:
    """Queue an activity about ``post`` to those who received it: a direct post's
    addressees only, any other post's followers."""
    if post.visibility != "direct":
        await _send(session, group, doc, public=is_public(post.visibility))
        return
    found = await session.execute(
        select(RemoteActor).where(RemoteActor.ap_id.in_(post.document.get("to", [])))
    )
    inboxes = [actor.delivery_inbox for actor in found.scalars()]
    await queue_activity(session, group=group, activity=doc, inboxes=inboxes)


def content_warning(text: str | None) -> str | None:
    """A content warning as a Note's ``summary``: one line of plain text, cleaned as a
    name; None when empty. Longer than `MAX_WARNING` characters is refused."""
    cleaned = clean_name(text or "", max_length=MAX_WARNING + 1)
    if len(cleaned) > MAX_WARNING:
        raise UserError(
            "the content warning is too long; the limit is %(limit)s characters",
            limit=MAX_WARNING,
        )
    return cleaned or None


def check_visibility(visibility: str) -> None:
    """An error unless a post can have ``visibility``."""
    if visibility not in activities.VISIBILITIES:
        raise UserError("unknown visibility %(visibility)r", visibility=visibility)


async def publish_note(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    text: str,
    visibility: Visibility = "public",
    *,
    cw: str | None = None,
) -> Post:
    """Post Markdown ``text`` as a Note (behind the content warning ``cw``, if any) and
    queue its ``Create`` to every follower inbox."""
    check_visibility(visibility)
    html, tags = _render(ctx, text)
    content = Multilingual.single("en", html)
    return await publish_rendered_note(session, ctx, group, text, content, tags, visibility, cw=cw)


async def publish_rendered_note(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    source: str,
    content: Multilingual,
    tags: list[dict[str, str]],
    visibility: Visibility,
    *,
    in_reply_to: str | None = None,
    also: Sequence[str] = (),
    cw: str | None = None,
) -> Post:
    """Post ``content`` (HTML per language, from Markdown ``source``) and queue its Create.

    A reply names the post it answers (``in_reply_to``); the inboxes of the accounts
    it mentions (``also``) receive it too, and alone when it is ``direct``. ``cw`` is
    a content warning, shown before the content (`content_warning`).
    """
    summary = content_warning(cw)
    now = utcnow()
    post = new_post(ctx, group, "Note", now, source)
    post.visibility = visibility
    post.document = activities.note(
        note_id=post.document["id"],
        actor=ctx.urls.group(group.uid),
        followers=ctx.urls.group_collection(group.uid, "followers"),
        content=content,
        published=now,
        visibility=visibility,
        tags=tags,
        in_reply_to=in_reply_to,
        summary=summary,
    )
    return await publish_post(session, ctx, group, post, also=also)


async def publish_post(
    session: AsyncSession, ctx: Context, group: Group, post: Post, *, also: Sequence[str] = ()
) -> Post:
    """Store ``post`` (its document built) and queue its ``Create`` to every follower inbox
    (and to the inboxes ``also`` names; to those alone for a direct post).

    The one publishing path for every kind of post: notes, offers, events, polls.
    """
    session.add(post)
    create = activities.create(
        create_id(post.document["id"]), ctx.urls.group(group.uid), post.document
    )
    if post.visibility == "direct":
        await queue_activity(session, group=group, activity=create, inboxes=also)
    else:
        public = is_public(post.visibility)
        await queue_to_followers(session, group=group, activity=create, public=public, also=also)
    await session.flush()
    await index_tags(session, post)
    return post


async def publish_reply(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    text: str,
    *,
    to: RemoteActor,
    in_reply_to: str,
    direct: bool = False,
) -> Post:
    """Answer a post by the account ``to`` as the group, mentioning it: in public (to the
    group's followers as usual, and to the account) or ``direct`` (to the account alone)."""
    html, tags = _render(ctx, f"[@{to.handle}]({to.url or to.ap_id}) {text}")
    mention = activities.mention(to.ap_id, f"@{to.handle}")
    return await publish_rendered_note(
        session,
        ctx,
        group,
        text,
        Multilingual.single("en", html),
        [mention, *tags],
        "direct" if direct else "public",
        in_reply_to=in_reply_to,
        also=[to.delivery_inbox],
    )


async def republish_post(
    session: AsyncSession, ctx: Context, group: Group, post: Post, doc: dict[str, Any]
) -> Post:
    """Replace ``post``'s document with ``doc`` (and its stored hashtags) and queue an
    ``Update`` carrying it."""
    post.document = doc
    await index_tags(session, post)
    actor = ctx.urls.group(group.uid)
    update = activities.update(new_activity_id(ctx.urls, group), actor, doc)
    await _send_about(session, group, post, update)
    return post


async def get_post(session: AsyncSession, group: Group, post_uid: str) -> Post:
    """A live post of ``group`` by uid (or by its full URL)."""
    uid = post_uid.rstrip("/").rsplit("/", 1)[-1]
    found = await session.execute(select(Post).where(Post.group_id == group.id, Post.uid == uid))
    post = found.scalar_one_or_none()
    if post is None:
        raise UserError("%(group)s has no post %(post)r", group=group.name, post=post_uid)
    if post.deleted_at is not None:
        raise UserError("post %(post)r was deleted", post=post_uid)
    return post


async def edit_note(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    post_uid: str,
    text: str,
    *,
    cw: str | None = None,
) -> Post:
    """Replace a post's text and queue an ``Update`` (carrying ``updated``) to the followers.

    ``text`` replaces the text in the post's first language; its texts in other languages
    are kept. ``cw`` replaces the content warning (an empty one removes it); None keeps it.
    """
    post = await get_post(session, group, post_uid)
    html, tags = _render(ctx, text)
    now = utcnow()
    doc = dict(post.document)
    if cw is not None:
        doc.pop("summary", None)
        doc.update(activities.warning_fields(content_warning(cw)))
    mentions = [t for t in doc.get("tag", []) if t.get("type") == "Mention"]
    content_map = {**doc["contentMap"], next(iter(doc["contentMap"])): html}
    doc.update(content=html, contentMap=content_map, tag=[*mentions, *tags])
    doc["updated"] = timestamp(now)
    post.source = text
    post.updated_at = now
    return await republish_post(session, ctx, group, post, doc)


async def delete_note(session: AsyncSession, ctx: Context, group: Group, post_uid: str) -> Post:
    """Mark a post deleted (its id answers 410 with a Tombstone) and queue a ``Delete``."""
    post = await get_post(session, group, post_uid)
    now = utcnow()
    post.deleted_at = now
    tomb = activities.tombstone(post.document["id"], post.type, now)
    actor = ctx.urls.group(group.uid)
    doc = activities.delete(new_activity_id(ctx.urls, group), actor, tomb, post.document)
    await _send_about(session, group, post, doc)
    return post


async def update_group_profile(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    *,
    display_name: str | None = None,
    summary: str | None = None,
    manual_approval: bool | None = None,
    fields: list[tuple[str, str]] | None = None,
    icon_url: str | None = None,
    new_name: str | None = None,
    place: str | None = None,
    coordinates: str | None = None,
    topics: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    discoverable: bool | None = None,
) -> Group:
    """Change a group's profile and queue ``Update{Group}`` so followers refresh it.

    A new name changes the handle only: the actor id and every URL stay as they were.
    The place, coordinates, topics and languages are as ``actors.groups.set_whereabouts``
    takes them; ``discoverable`` False keeps the group out of directories (ours, and
    Mastodon's through the actor's ``discoverable`` and ``indexable``). None leaves a
    value as it is.
    """
    if display_name is not None:
        name = clean_name(display_name, max_length=200)
        if not name:
            raise UserError("the display name cannot be empty")
        group.display_name = name
    if summary is not None:
        set_summary(group, summary, ctx.urls)
    if manual_approval is not None:
        group.manual_approval = manual_approval
    if discoverable is not None:
        group.discoverable = discoverable
    if fields is not None:
        set_fields(group, fields)
    if icon_url is not None:
        set_icon(group, icon_url)
    set_whereabouts(group, place=place, coordinates=coordinates, topics=topics, languages=languages)
    if new_name is not None:
        await rename_group(session, group, new_name)
    group.updated_at = utcnow()
    actor = group_actor(group, ctx.urls, ctx.host, await roles.liaisons(session, group))
    doc = activities.update_actor(new_activity_id(ctx.urls, group), actor)
    await _send(session, group, doc, public=True)
    return group
