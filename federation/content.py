"""Content processing: HTML sanitizing, plain-text names and previews, list caps.

All functions are pure. Every piece of HTML we emit, local or remote, goes through
:func:`sanitize_html`, whose allow-list follows Mastodon's ``MASTODON_STRICT`` config.
Markdown rendering is :mod:`federation.markdown`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from typing import Any, TypeVar

import nh3

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_POLL_OPTIONS",
    "MAX_RECIPIENTS",
    "MAX_TAGS",
    "URL_SCHEMES",
    "cap",
    "clean_name",
    "object_html",
    "plain_text",
    "sanitize_html",
]

MAX_TAGS = 100


MAX_RECIPIENTS = 1000


MAX_ATTACHMENTS = 20


MAX_POLL_OPTIONS = 20


T = TypeVar("T")


def cap(items: list[T], limit: int) -> list[T]:
    """Return at most the first ``limit`` items of ``items`` (a new list)."""
    return items[: max(limit, 0)]


_TAGS = frozenset(
    {"p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong"}
    | {"u", "i", "em", "ul", "ol", "li", "ruby", "rt", "rp"}
    # Headings are kept by nh3 only to be rewritten as <p><strong>, as Mastodon does.
    | {"h1", "h2", "h3", "h4", "h5", "h6"}
)


# Elements dropped together with their content (not shown as text).
_DROP_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg"}
    | {"textarea", "select", "title"}
)


# Mastodon keeps translate="no" on links and spans.
_VALUES = {"a": {"translate": {"no"}}, "span": {"translate": {"no"}}}


_ATTRIBUTES = {
    "*": {"lang"},
    "a": {"href", "rel", "class"},
    "span": {"class"},
    "p": {"class"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}


# Link schemes kept in HTML (Mastodon's list); Markdown links obey it too.
URL_SCHEMES = frozenset(
    {"http", "https", "mailto", "xmpp", "gemini", "gopher", "magnet"}
    | {"dat", "dweb", "ipfs", "ipns", "ssb"}
)


_LINK_REL = "nofollow noopener noreferrer"


_CLASS_RE = re.compile(r"(?:h|p|u|dt|e)-[a-z0-9-]+|mention|hashtag|ellipsis|invisible|quote-inline")


_INT_RE = re.compile(r"-?[0-9]{1,9}")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3 callback: restrict class names, rel tokens and numeric attributes."""
    if attribute == "class":
        kept = [c for c in value.split() if _CLASS_RE.fullmatch(c)]
        return " ".join(dict.fromkeys(kept)) or None
    if attribute == "rel":
        # Only rel="tag" survives; the link policy is applied in _LinkPolicy.
        return "tag" if "tag" in value.lower().split() else None
    if attribute in ("start", "value"):
        return value.strip() if _INT_RE.fullmatch(value.strip()) else None
    if attribute == "reversed":
        return ""
    return value


_CLEANER = nh3.Cleaner(
    tags=set(_TAGS),
    clean_content_tags=set(_DROP_CONTENT),
    attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    tag_attribute_values={t: {a: set(v) for a, v in m.items()} for t, m in _VALUES.items()},
    link_rel=None,
    url_schemes=set(URL_SCHEMES),
    strip_comments=True,
)


class _LinkPolicy(HTMLParser):
    """Second pass over nh3's (well-formed) output.

    Sets ``rel`` on every link (keeping ``tag``), adds ``target="_blank"`` to
    non-tag links, unwraps links without an allowed ``href`` and rewrites
    headings as ``<p><strong>``. Everything else is copied through verbatim.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._links: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._start_link(dict(attrs))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.out.append("<p><strong>")
        else:
            self.out.append(self.get_starttag_text() or "")

    def _start_link(self, attrs: dict[str, str | None]) -> None:
        if not attrs.get("href"):
            self._links.append(False)
            return
        self._links.append(True)
        is_tag = attrs.get("rel") == "tag"
        attrs["rel"] = f"tag {_LINK_REL}" if is_tag else _LINK_REL
        if not is_tag:
            attrs["target"] = "_blank"
        rendered = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs.items())
        self.out.append(f"<a{rendered}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            if self._links.pop() if self._links else False:
                self.out.append("</a>")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.out.append("</strong></p>")
        else:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def object_html(doc: dict[str, Any]) -> str:
    """An object's ``content`` (or, when a server sends only ``contentMap``, its first
    entry, the one Mastodon reads), sanitized for display."""
    content = doc.get("content")
    if not isinstance(content, str):
        content_map = doc.get("contentMap")
        values = list(content_map.values()) if isinstance(content_map, dict) else []
        content = next((v for v in values if isinstance(v, str)), "")
    return sanitize_html(content)


def sanitize_html(html: str) -> str:
    """Sanitize untrusted HTML to Mastodon's allow-list.

    Keeps basic inline/block formatting, microformat and mention/hashtag classes,
    ``ol[start, reversed]`` and ``li[value]``. Links keep only http(s), mailto,
    xmpp, gemini and similar schemes (or relative URLs) and always get
    ``rel="nofollow noopener noreferrer"`` (``tag`` is kept when present) plus
    ``target="_blank"`` unless they are tag links. Scripts, styles and event
    handlers are removed with their content; headings become ``<p><strong>``.
    """
    policy = _LinkPolicy()
    policy.feed(_CLEANER.clean(html))
    policy.close()
    return "".join(policy.out)


_INVISIBLE = frozenset(
    {"\u061c", "\u200e", "\u200f", "\u2060", "\ufeff"}
    | {chr(c) for c in range(0x200B, 0x200E)}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
)


_WHITESPACE_RE = re.compile(r"\s+")


def _is_hidden(ch: str) -> bool:
    return ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def clean_name(text: str, *, max_length: int = 200) -> str:
    """Return a safe single-line plain-text name.

    Removes bidi controls, zero-width and other control/format characters,
    collapses whitespace, trims, and caps the result at ``max_length`` characters.
    HTML is not interpreted: names are plain text and must be escaped on output.
    """
    text = unicodedata.normalize("NFC", _WHITESPACE_RE.sub(" ", text))
    text = "".join(ch for ch in text if not _is_hidden(ch))
    text = _WHITESPACE_RE.sub(" ", text).strip()
    return text[: max(max_length, 0)].rstrip()


# Block elements left by sanitize_html (headings are already <p> by then).
_BLOCK_TAGS = frozenset({"p", "blockquote", "pre", "ul", "ol"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._pending = 0  # newlines owed before the next text

    def _emit(self, text: str) -> None:
        if self.out and self._pending:
            self.out.append("\n" * self._pending)
        self._pending = 0
        self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._pending += 1
        elif tag == "li":
            self._pending = max(self._pending, 1)
            self._emit("- ")
        elif tag in _BLOCK_TAGS:
            self._pending = max(self._pending, 2)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._pending = max(self._pending, 2)
        elif tag == "li":
            self._pending = max(self._pending, 1)

    def handle_data(self, data: str) -> None:
        if data.strip() or not self._pending:
            self._emit(data)


_BLANK_LINES_RE = re.compile(r"\n\s*\n\s*")


_SPACES_RE = re.compile(r"[^\S\n]+")


def plain_text(html: str) -> str:
    """Convert (untrusted) HTML to readable plain text.

    The HTML is sanitized first, so script/style content never appears; paragraphs
    and line breaks become newlines, list items get "- ". Control and bidi
    characters other than newlines are removed. The result is text, not HTML.
    """
    extractor = _TextExtractor()
    extractor.feed(sanitize_html(html))
    extractor.close()
    text = _SPACES_RE.sub(" ", "".join(extractor.out))
    text = "".join(ch for ch in text if ch == "\n" or not _is_hidden(ch))
    text = "\n".join(_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", text).strip()
