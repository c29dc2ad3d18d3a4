"""A feed entry from a post's ActivityPub document: title, content, dates, tags, enclosures.

The document is the one we published (its HTML is our own sanitized rendering), so
everything a feed shows comes from the same place as what followers received.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from federation.content import clean_name, plain_text
from federation.vocab import as_list, has_type

TITLE_WORDS = 10
TITLE_CHARS = 80


@dataclass(frozen=True)
class Author:
    """Who published an entry: a group's name and the URL of its page."""

    name: str
    url: str


@dataclass(frozen=True)
class Enclosure:
    """A file attached to an entry; ``length`` 0 when unknown (as RSS asks)."""

    url: str
    media_type: str
    length: int = 0


@dataclass(frozen=True)
class Entry:
    """One post as a feed entry; ``content_html`` is sanitized HTML, the rest plain text."""

    id: str
    url: str
    title: str
    content_html: str
    published: dt.datetime
    updated: dt.datetime
    author: Author
    language: str | None = None
    summary: str | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()


def _first(doc: Mapping[str, Any], name: str) -> tuple[str | None, str | None]:
    """The text of ``name`` (else its map's first entry) and its language (the map's first)."""
    texts = doc.get(f"{name}Map")
    texts = texts if isinstance(texts, dict) else {}
    language = next(iter(texts), None)
    value = doc.get(name, texts.get(language))
    return (value if isinstance(value, str) else None), language


def _first_words(text: str) -> str:
    words = text.split()
    short = " ".join(words[:TITLE_WORDS])
    if len(short) > TITLE_CHARS:
        short = short[:TITLE_CHARS].rstrip()
    return short if short == " ".join(words) else f"{short}…"


def _title(doc: Mapping[str, Any], content: str) -> str:
    """The warning of a post behind one; else its name; else the first words of its text."""
    warning, _ = _first(doc, "summary")
    if doc.get("sensitive") and warning:
        return clean_name(warning)
    name, _ = _first(doc, "name")
    return clean_name(name) if name else _first_words(plain_text(content))


def _poll_options(doc: Mapping[str, Any]) -> str:
    """A poll's options as a list under its question (the votes are on the post's page)."""
    options = doc.get("oneOf") or doc.get("anyOf") or []
    names = [o["name"] for o in options if isinstance(o, dict) and isinstance(o.get("name"), str)]
    items = "".join(f"<li>{html.escape(name)}</li>" for name in names)
    return f"<ul>{items}</ul>" if items else ""


def _categories(doc: Mapping[str, Any]) -> tuple[str, ...]:
    names = (t.get("name") for t in as_list(doc.get("tag")) if has_type(t, "Hashtag"))
    return tuple(name.removeprefix("#") for name in names if isinstance(name, str))


def _enclosures(doc: Mapping[str, Any]) -> tuple[Enclosure, ...]:
    """Attached files with a web ``url`` and a ``mediaType``. Links (an event's online
    address) are pages to visit, not files."""
    found = []
    for item in as_list(doc.get("attachment")):
        if not isinstance(item, dict) or has_type(item, "Link"):
            continue
        url, media_type = item.get("url"), item.get("mediaType")
        web = isinstance(url, str) and url.startswith(("https://", "http://"))
        if web and isinstance(media_type, str) and media_type:
            found.append(Enclosure(str(url), media_type))
    return tuple(found)


def _when(value: Any, default: dt.datetime | None = None) -> dt.datetime:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if default is None:
        raise ValueError("the document has no published time")
    return default


def post_entry(doc: Mapping[str, Any], author: Author) -> Entry:
    """The feed entry of one of our posts' documents (a Note, offer, Event or Question).

    An event's summary is its readable line (date, time, place), which its content
    repeats; a note's is its content warning, if any.
    """
    text, language = _first(doc, "content")
    text = text or ""
    content = text + _poll_options(doc) if doc.get("type") == "Question" else text
    summary, _ = _first(doc, "summary")
    published = _when(doc.get("published"))
    url = doc.get("url")
    return Entry(
        id=doc["id"],
        url=url if isinstance(url, str) else doc["id"],
        title=_title(doc, text),
        content_html=content,
        published=published,
        updated=_when(doc.get("updated"), published),
        author=author,
        language=language,
        summary=clean_name(summary, max_length=1000) if summary else None,
        categories=_categories(doc),
        enclosures=_enclosures(doc),
    )
