"""Shared inputs for the sharing tests: ids, audience, tag URLs, and Mastodon's view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from documents.common import Meta

BASE = "https://mutuals.example"
GROUP = f"{BASE}/groups/g1"
POST = f"{GROUP}/posts/abc"
FOLLOWERS = f"{GROUP}/followers"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLISHED = dt.datetime(2025, 11, 20, 9, 30, tzinfo=dt.UTC)

# Mastodon's app/lib/activitypub/activity.rb
SUPPORTED_TYPES = ("Note", "Question")
CONVERTED_TYPES = ("Image", "Audio", "Video", "Article", "Page", "Event")


def tag_url(name: str) -> str:
    return f"{BASE}/tags/{name.lower()}"


def meta(**changes: Any) -> Meta:
    values: dict[str, Any] = {
        "object_id": POST,
        "actor": GROUP,
        "published": PUBLISHED,
        "to": [PUBLIC],
        "cc": [FOLLOWERS],
    }
    values.update(changes)
    return Meta(**values)


def mastodon_text(doc: dict[str, Any]) -> str:
    """What Mastodon stores as a status's text (``ActivityPub::Activity::Create``).

    Converted types: name, summary and url joined by blank lines; supported types:
    ``content`` (or the first ``contentMap`` entry). Anything else is dropped.
    """
    types = doc["type"] if isinstance(doc["type"], list) else [doc["type"]]
    if any(t in CONVERTED_TYPES for t in types):
        title = doc.get("name") or next(iter(doc.get("nameMap", {}).values()), None)
        summary = doc.get("summary") or next(iter(doc.get("summaryMap", {}).values()), None)
        parts = [title, summary, doc.get("url") or doc["id"]]
        return "\n\n".join(p for p in parts if p)
    if any(t in SUPPORTED_TYPES for t in types):
        return str(doc.get("content") or next(iter(doc.get("contentMap", {}).values()), ""))
    raise AssertionError(f"Mastodon drops objects of type {doc['type']!r}")


def mastodon_spoiler(doc: dict[str, Any]) -> str:
    """The content warning Mastodon derives: ``summary`` on supported types only."""
    types = doc["type"] if isinstance(doc["type"], list) else [doc["type"]]
    if any(t in CONVERTED_TYPES for t in types):
        return ""
    return str(doc.get("summary") or "")
