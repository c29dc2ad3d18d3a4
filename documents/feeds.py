"""Atom (RFC 4287) and RSS 2.0 feeds of feed entries, as UTF-8 XML bytes.

Built with the standard library's ElementTree, which escapes every text and attribute,
so a hostile title or content stays text. Characters XML 1.0 cannot carry at all (most
C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped: no escape exists for them.

- Atom: ``id``, ``title`` and ``updated`` on the feed and each entry; ``xml:lang`` from
  the content's language; the HTML content as ``type="html"``; an event's date and place
  line as ``summary``; files as ``link rel="enclosure"``.
- RSS: the HTML content as ``description``; ``guid isPermaLink="true"`` (the post's URL);
  ``pubDate`` in RFC 822; the author as ``dc:creator`` (RSS's own ``author`` must be an
  e-mail address); the feed's URL as ``atom:link rel="self"``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from documents.common import timestamp
from documents.feed_entry import Entry

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
GENERATOR = "Mutuals"

# The prefixes RSS readers expect for the Atom and Dublin Core elements they know.
ET.register_namespace("atom", ATOM)
ET.register_namespace("dc", DC)

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Feed:
    """What a feed says about itself: its title, the page it follows, and its own URLs."""

    title: str
    description: str
    page_url: str
    atom_url: str
    rss_url: str
    updated: dt.datetime
    icon: str | None = None


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _language(entries: Sequence[Entry]) -> str | None:
    """The language most entries are written in (the first of them on a tie)."""
    counts = Counter(e.language for e in entries if e.language)
    return counts.most_common(1)[0][0] if counts else None


def _serialize(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _atom_entry(feed: ET.Element, entry: Entry) -> None:
    item = _add(feed, "entry")
    if entry.language:
        item.set(XML_LANG, xml_text(entry.language))
    _add(item, "id", entry.id)
    _add(item, "title", entry.title, type="text")
    _add(item, "updated", timestamp(entry.updated))
    _add(item, "published", timestamp(entry.published))
    author = _add(item, "author")
    _add(author, "name", entry.author.name)
    _add(author, "uri", entry.author.url)
    _add(item, "link", rel="alternate", type="text/html", href=entry.url)
    for file in entry.enclosures:
        attrs = {"type": file.media_type, "href": file.url}
        if file.length:
            attrs["length"] = str(file.length)
        _add(item, "link", rel="enclosure", **attrs)
    for name in entry.categories:
        _add(item, "category", term=name)
    if entry.summary:
        _add(item, "summary", entry.summary, type="text")
    _add(item, "content", entry.content_html, type="html")


def atom(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """The Atom feed of ``entries`` (newest first, as given)."""
    # Atom's namespace as the default one, written as an attribute: ElementTree's own
    # ``default_namespace`` refuses the unqualified attributes (rel, href) Atom uses.
    root = ET.Element("feed", xmlns=ATOM)
    if language := _language(entries):
        root.set(XML_LANG, xml_text(language))
    _add(root, "id", feed.atom_url)
    _add(root, "title", feed.title, type="text")
    if feed.description:
        _add(root, "subtitle", feed.description, type="text")
    _add(root, "updated", timestamp(feed.updated))
    _add(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    _add(root, "link", rel="self", type=ATOM_TYPE, href=feed.atom_url)
    _add(root, "generator", GENERATOR)
    if feed.icon:
        _add(root, "icon", feed.icon)
    for entry in entries:
        _atom_entry(root, entry)
    return _serialize(root)


def rfc822(when: dt.datetime) -> str:
    """``Tue, 03 Mar 2099 18:00:00 GMT``: an RSS date, in UTC."""
    return format_datetime(when.astimezone(dt.UTC), usegmt=True)


def _rss_item(channel: ET.Element, entry: Entry) -> None:
    item = _add(channel, "item")
    _add(item, "title", entry.title)
    _add(item, "link", entry.url)
    _add(item, "description", entry.content_html)
    _add(item, "guid", entry.url, isPermaLink="true")
    _add(item, "pubDate", rfc822(entry.published))
    _add(item, f"{{{DC}}}creator", entry.author.name)
    for name in entry.categories:
        _add(item, "category", name)
    for file in entry.enclosures:
        _add(item, "enclosure", url=file.url, length=str(file.length), type=file.media_type)


def rss(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """The RSS 2.0 feed of ``entries`` (newest first, as given)."""
    root = ET.Element("rss", version="2.0")
    channel = _add(root, "channel")
    _add(channel, "title", feed.title)
    _add(channel, "link", feed.page_url)
    _add(channel, "description", feed.description or feed.title)
    _add(channel, f"{{{ATOM}}}link", rel="self", type=RSS_TYPE, href=feed.rss_url)
    if language := _language(entries):
        _add(channel, "language", language)
    _add(channel, "lastBuildDate", rfc822(feed.updated))
    _add(channel, "generator", GENERATOR)
    if feed.icon:
        image = _add(channel, "image")
        _add(image, "url", feed.icon)
        _add(image, "title", feed.title)
        _add(image, "link", feed.page_url)
    for entry in entries:
        _rss_item(channel, entry)
    return _serialize(root)
