"""Status updates written in several languages: one Note with a ``contentMap``.

``content`` holds the primary language and ``contentMap`` lists it first, because
Mastodon reads ``content`` (or else the map's first entry) and takes the post's
language from the map's first key.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents import activities
from documents.activities import Visibility
from documents.common import hashtag
from documents.errors import UserError
from documents.multilingual import Multilingual
from documents.text import MAX_TEXT, check_texts, render
from posts.models import Post
from posts.notes import new_post, publish_post
from store.db import utcnow


async def publish_multilingual_note(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    text: Multilingual,
    visibility: Visibility = "public",
) -> Post:
    """Post Markdown in every language of ``text`` as one Note, queued to the followers."""
    if visibility not in activities.VISIBILITIES:
        raise UserError(f"unknown visibility {visibility!r}")
    checked = check_texts(text, "text", MAX_TEXT)
    html, hashtags = render(checked, ctx.urls.tag)
    now = utcnow()
    post = new_post(ctx, group, "Note", now, checked.text)
    post.visibility = visibility
    doc = activities.note(
        note_id=post.document["id"],
        actor=ctx.urls.group(group.uid),
        followers=ctx.urls.group_collection(group.uid, "followers"),
        content=html[checked.language],
        published=now,
        visibility=visibility,
        tags=[hashtag(name, ctx.urls.tag) for name in hashtags],
        language=checked.language,
    )
    doc["contentMap"] = html
    post.document = doc
    return await publish_post(session, ctx, group, post)
