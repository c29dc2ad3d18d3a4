"""Status updates written in several languages: one Note with a ``contentMap``.

``content`` holds the primary language and ``contentMap`` lists it first, because
Mastodon reads ``content`` (or else the map's first entry) and takes the post's
language from the map's first key.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.activities import Visibility
from documents.common import hashtag
from documents.multilingual import Multilingual
from documents.text import MAX_TEXT, check_texts, render
from posts.models import Post
from posts.notes import check_visibility, publish_rendered_note


async def publish_multilingual_note(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    text: Multilingual,
    visibility: Visibility = "public",
    *,
    cw: str | None = None,
) -> Post:
    """Post Markdown in every language of ``text`` as one Note (behind the content
    warning ``cw``, if any), queued to the followers."""
    check_visibility(visibility)
    checked = check_texts(text, "text", MAX_TEXT)
    html, hashtags = render(checked, ctx.urls.tag)
    content = Multilingual(html, checked.language)
    tags = [hashtag(name, ctx.urls.tag) for name in hashtags]
    return await publish_rendered_note(
        session, ctx, group, checked.text, content, tags, visibility, cw=cw
    )
