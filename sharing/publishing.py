"""What offers, events and polls share on the sending side: ids, audience, texts, lookups.

Each shared thing is a ``posts`` row (its ActivityPub document, published through
:func:`posts.notes.publish_post`) plus a row in its own table that keeps the
structured fields; the document is rebuilt from that row whenever it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Following, Group, RemoteActor
from documents.activities import Visibility, addressing
from documents.common import Meta
from documents.errors import UserError
from documents.multilingual import Multilingual
from posts.models import Post
from posts.notes import edit_note, get_post, publish_post
from sharing.models import Event, Offer, Poll, RemoteEvent, RemoteOffer, Response

Row = TypeVar("Row", Offer, Event, Poll)
Translations = Mapping[str, Mapping[str, str]]
"""Other languages' texts, e.g. ``{"es": {"title": "…", "body": "…"}}``."""


def meta(ctx: Context, group: Group, post: Post, *, edited: bool = True) -> Meta:
    """The envelope of ``post``'s document: its id, owner, times and audience.

    ``edited=False`` leaves ``updated`` out (a poll's new tallies are not an edit).
    """
    visibility: Visibility = post.visibility  # type: ignore[assignment]
    audience = addressing(visibility, ctx.urls.group_collection(group.uid, "followers"))
    return Meta(
        object_id=ctx.urls.post(group.uid, post.uid),
        actor=ctx.urls.group(group.uid),
        published=post.created_at,
        updated=post.updated_at if edited else None,
        to=audience["to"],
        cc=audience["cc"],
    )


def texts(language: str, primary: str, translations: Translations, field: str) -> Multilingual:
    """``field`` (``title``, ``body``…) in the primary language, then each translation's."""
    values = {language: primary}
    values.update((lang, t[field]) for lang, t in translations.items() if t.get(field))
    return Multilingual(values, language)


def optional_texts(
    language: str, primary: str | None, translations: Translations, field: str
) -> Multilingual | None:
    """Like :func:`texts`, None when the primary language has no such text."""
    return texts(language, primary, translations, field) if primary else None


def stored_translations(texts_: Mapping[str, Multilingual | None], language: str) -> dict[str, Any]:
    """``{"es": {"title": …, "body": …}}`` for storage: every language but the primary."""
    stored: dict[str, dict[str, str]] = {}
    for field, value in texts_.items():
        for lang, text in value.items() if value is not None else ():
            if lang != language:
                stored.setdefault(lang, {})[field] = text
    return stored


async def find_shared(
    session: AsyncSession, group: Group, model: type[Row], post_uid: str, what: str
) -> tuple[Row, Post]:
    """The ``model`` row behind one of ``group``'s posts; an error naming ``what`` otherwise."""
    post = await get_post(session, group, post_uid)
    row = await session.scalar(select(model).where(model.post_id == post.id))
    if row is None:
        raise UserError(
            "%(group)s's post %(post)s is not %(what)s", group=group.name, post=post.uid, what=what
        )
    return row, post


async def list_responses(session: AsyncSession, group: Group, post_uid: str) -> list[Response]:
    """Replies received to one of ``group``'s posts (an offer, need or event), oldest first."""
    post = await get_post(session, group, post_uid)
    found = await session.execute(
        select(Response).where(Response.post_id == post.id).order_by(Response.id)
    )
    return list(found.scalars())


async def publish_shared(
    session: AsyncSession, ctx: Context, group: Group, post: Post, row: Row
) -> Row:
    """Publish ``post`` (its ``Create`` to the followers) and store ``row`` pointing at it."""
    await publish_post(session, ctx, group, post)
    row.post_id = post.id
    session.add(row)
    await session.flush()
    return row


def followed_actor_ids(group: Group) -> Select[str]:
    """The ids of the actors ``group`` follows (accepted), as a subquery."""
    return (
        select(RemoteActor.ap_id)
        .join(Following, Following.actor_id == RemoteActor.id)
        .where(Following.group_id == group.id, Following.accepted.is_(True))
    )


def from_followed(
    model: type[RemoteOffer] | type[RemoteEvent], group: Group
) -> ColumnElement[bool]:
    """Rows of what the actors ``group`` follows published, or relayed (a followed group
    announcing a member's offer or event)."""
    followed = followed_actor_ids(group)
    return or_(model.attributed_to.in_(followed), model.via.in_(followed))


def live_rows(model: type[Row]) -> Select[Row, Post, Group]:
    """``(row, post, group)`` of every ``model`` row whose post is not deleted."""
    return (
        select(model, Post, Group)
        .join(Post, Post.id == model.post_id)
        .join(Group, Group.id == model.group_id)
        .where(Post.deleted_at.is_(None))
    )


async def status_update(session: AsyncSession, group: Group, uid: str) -> Post:
    """A live status update of ``group`` by uid: not an offer, need, event or poll."""
    post = await get_post(session, group, uid)
    is_offer = await session.scalar(select(exists().where(Offer.post_id == post.id)))
    if post.type != "Note" or is_offer:
        raise UserError(
            "only status updates can be changed this way; change an event with its own form "
            "(mutuals event update), and close or delete an offer or need"
        )
    return post


async def edit_status_update(
    session: AsyncSession, ctx: Context, group: Group, uid: str, text: str, *, cw: str | None
) -> Post:
    """Change a status update's text (and content warning), as ``mutuals edit`` and the web
    do; offers, needs, events and polls are refused (their own forms change them)."""
    post = await status_update(session, group, uid)
    return await edit_note(session, ctx, group, post.uid, text, cw=cw)
