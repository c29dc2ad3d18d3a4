"""Markdown as organizers write it, rendered to the HTML Mastodon shows, with hashtags linked."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from federation.content import MAX_TAGS, URL_SCHEMES, cap, sanitize_html


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


def is_hashtag_name(name: str) -> bool:
    """True when ``#name`` is a hashtag (as posts link them): letters, marks, digits and
    ``_``, with at least one letter."""
    letters = any(unicodedata.category(c).startswith("L") for c in name)
    return letters and all(_is_tag_char(c) for c in name)


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
        if not blocked and is_hashtag_name(name):
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
    return not scheme or scheme in URL_SCHEMES


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
