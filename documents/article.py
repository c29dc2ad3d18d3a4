"""An ``Article``: how a group publishes a long text that Mastodon should announce rather
than show in full (a monthly transparency report).

Mastodon converts an Article into a status made of its ``name``, its ``summary`` and a
link to its ``url`` (``ActivityPub::Activity::Create#converted_text``); other servers
(and the group's own page) show the whole ``content``. So ``summary`` is the figures in
one plain line, and never a content warning.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from documents import activities
from documents.multilingual import Multilingual


def article(
    *,
    article_id: str,
    actor: str,
    followers: str,
    title: str,
    summary: str,
    content: Multilingual,
    published: dt.datetime,
) -> dict[str, Any]:
    """A public ``Article`` (without ``@context``), addressed like a public Note."""
    doc = activities.note(
        note_id=article_id,
        actor=actor,
        followers=followers,
        content=content,
        published=published,
        visibility="public",
        tags=[],
    )
    return {**doc, "type": "Article", "name": title, "summary": summary}
