"""Markdown texts rendered per language, the way a post's body is."""

from __future__ import annotations

from documents.common import TagUrl, merge_tags, require_text
from documents.errors import BadLanguage
from documents.multilingual import Multilingual
from federation.content import MAX_TAGS
from federation.markdown import render_markdown

MAX_TEXT = 10_000


def check_texts(
    texts: Multilingual, what: str, limit: int, *, like: Multilingual | None = None
) -> Multilingual:
    """``texts`` stripped, each non-empty and within ``limit``; with ``like``, in its languages."""
    if like is not None:
        if texts.language != like.language:
            raise BadLanguage(
                "the %(what)s is in %(language)r first but the title in %(title_language)r",
                what=what,
                language=texts.language,
                title_language=like.language,
            )
        extra = [lang for lang in texts.languages if like.get(lang) is None]
        if extra:
            raise BadLanguage(
                "the %(what)s is in %(languages)s but the title is not",
                what=what,
                languages=", ".join(extra),
            )
    return texts.map(lambda lang, text: require_text(text, f"{what} ({lang})", limit))


def render(texts: Multilingual, tag_url: TagUrl) -> tuple[dict[str, str], list[str]]:
    """Each language's Markdown as sanitized HTML, and the hashtags used in any language."""
    html: dict[str, str] = {}
    hashtags: list[str] = []
    for lang, text in texts.items():
        rendered = render_markdown(text, tag_url=tag_url)
        html[lang] = rendered.html.strip()
        hashtags = merge_tags(hashtags, rendered.hashtags)
    return html, hashtags[:MAX_TAGS]
