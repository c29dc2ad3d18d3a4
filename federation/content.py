"""Content processing: Markdown rendering, HTML sanitizing, plain-text names and previews.

All functions are pure. Every piece of HTML we emit, local or remote, goes through
:func:`sanitize_html`, whose allow-list follows Mastodon's ``MASTODON_STRICT`` config.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TypeVar
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_POLL_OPTIONS",
    "MAX_RECIPIENTS",
    "MAX_TAGS",
    "RenderedContent",
    "cap",
    "clean_name",
    "normalize_hashtag",
    "plain_text",
    "render_markdown",
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


# --------------------------------------------------------------------------- sanitizing

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
_URL_SCHEMES = frozenset(
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
    url_schemes=set(_URL_SCHEMES),
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


# ----------------------------------------------------------------------------- Markdown


@dataclass(frozen=True)
class RenderedContent:
    """Sanitized HTML of a local post plus the hashtags and links found in it."""

    html: str
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def normalize_hashtag(name: str) -> str:
    """Return the comparison key of a hashtag name (NFKC, case-folded, no leading '#')."""
    return unicodedata.normalize("NFKC", name.lstrip("#")).casefold()


# Letters, marks and decimal digits (Mastodon's [[:word:]]) plus underscore.
_TAG_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd"})
_TAG_BOUNDARY_BLOCKERS = frozenset("/)#&")


def _is_tag_char(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch) in _TAG_CATEGORIES


def _split_hashtags(text: str, prev: str) -> list[tuple[str, str]]:
    """Split text into ("text", s) and ("tag", name) parts."""
    parts: list[tuple[str, str]] = []
    start = i = 0
    while (i := text.find("#", i)) != -1:
        before = text[i - 1] if i else prev
        end = i + 1
        while end < len(text) and _is_tag_char(text[end]):
            end += 1
        name = text[i + 1 : end]
        blocked = before and (_is_tag_char(before) or before in _TAG_BOUNDARY_BLOCKERS)
        if not blocked and any(unicodedata.category(c).startswith("L") for c in name):
            if start < i:
                parts.append(("text", text[start:i]))
            parts.append(("tag", name))
            start = end
        i = end
    if start < len(text):
        parts.append(("text", text[start:]))
    return parts


def _hashtag_rule(state: StateCore) -> None:
    """Core rule: turn ``#tag`` in text outside links and code into hashtag tokens."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            if token.type != "text" or link_depth > 0 or "#" not in token.content:
                children.append(token)
                continue
            prev = children[-1].content[-1:] if children and children[-1].content else ""
            for kind, value in _split_hashtags(token.content, prev):
                new = Token("text" if kind == "text" else "hashtag", "", 0)
                new.content = value
                children.append(new)
        block.children = children


def _render_hashtag(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    name = tokens[idx].content
    url = env["tag_url"](name)
    return (
        f'<a href="{html.escape(url, quote=True)}" class="mention hashtag" rel="tag">'
        f"#<span>{html.escape(name, quote=False)}</span></a>"
    )


def _make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable(["linkify", "strikethrough"]).disable("image")
    # Like Mastodon, only link URLs that carry a scheme (or start with www.).
    if md.linkify is None:  # pragma: no cover - linkify-it-py is a dependency
        raise RuntimeError("linkify-it-py is required")
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    md.core.ruler.before("text_join", "hashtag", _hashtag_rule)
    md.add_render_rule("hashtag", _render_hashtag)
    return md


_MD = _make_markdown()


def _allowed_link(href: str) -> bool:
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return False
    return not scheme or scheme in _URL_SCHEMES


def render_markdown(text: str, *, tag_url: Callable[[str], str]) -> RenderedContent:
    """Render a local post's Markdown to sanitized HTML.

    Raw HTML is escaped, bare URLs are linked, and ``#hashtags`` (outside code and
    links) become Mastodon-style tag links to ``tag_url(name)``. ``hashtags`` lists
    names as first written, de-duplicated by :func:`normalize_hashtag`, capped at
    :data:`MAX_TAGS`; ``links`` lists the other link targets in order.
    """
    env: EnvType = {"tag_url": tag_url}
    tokens = _MD.parse(text, env)
    hashtags: dict[str, str] = {}
    links: dict[str, None] = {}
    for block in tokens:
        for token in block.children or ():
            if token.type == "hashtag":
                hashtags.setdefault(normalize_hashtag(token.content), token.content)
            elif token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if href and _allowed_link(href):
                    links[href] = None
    rendered = sanitize_html(_MD.renderer.render(tokens, _MD.options, env))
    return RenderedContent(rendered, cap(list(hashtags.values()), MAX_TAGS), list(links))


# --------------------------------------------------------------------------- plain text

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
