"""The thread under a post, as its page shows it: the public replies a group keeps, with
who wrote them.

The same replies as the post's ``replies`` collection (`forum.messages.shown_replies`).
Names come from the authors' stored actors, already made plain single-line text
(``clean_name``) when fetched; the content was sanitized when the reply was received.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import RemoteActor
from documents.received import parse_time
from forum.messages import shown_replies
from forum.models import Message

MAX_LANGUAGE = 35


@dataclass(frozen=True)
class Reply:
    """One reply: its page, its author's name and handle, its sanitized HTML."""

    url: str
    author_url: str
    name: str
    handle: str | None
    content_html: str
    language: str | None
    published: dt.datetime


def _link(url: Any) -> str | None:
    """``url`` when it is a web address a page may link to."""
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def _language(doc: dict[str, Any]) -> str | None:
    texts = doc.get("contentMap")
    first = next(iter(texts), None) if isinstance(texts, dict) else None
    return first[:MAX_LANGUAGE] if isinstance(first, str) and first else None


def _reply(message: Message, author: RemoteActor | None) -> Reply:
    doc = message.document
    handle = author.handle if author is not None and author.preferred_username else None
    name = (author.name or handle) if author is not None else None
    return Reply(
        url=_link(doc.get("url")) or message.object_ap_id,
        author_url=_link(author and author.url) or message.actor_ap_id,
        name=name or message.actor_ap_id,
        handle=handle,
        content_html=message.content_html,
        language=_language(doc),
        published=(parse_time(doc.get("published")) or message.received_at).astimezone(dt.UTC),
    )


async def reply_thread(session: AsyncSession, object_id: str) -> list[Reply]:
    """The public replies to ``object_id`` that a group keeps, oldest first, each once."""
    found = await session.execute(
        select(Message, RemoteActor)
        .outerjoin(RemoteActor, RemoteActor.ap_id == Message.actor_ap_id)
        .where(shown_replies(object_id))
        .order_by(Message.id)
    )
    replies: dict[str, Reply] = {}
    for message, author in found.all():
        replies.setdefault(message.object_ap_id, _reply(message, author))
    return list(replies.values())
