"""Texts in several languages, and the ``contentMap``/``nameMap``/``summaryMap`` they become.

Mastodon reads only the *first* entry of a language map, and only when the plain
property is missing (``ActivityPub::Parser::StatusParser#text``/``#title``/
``#spoiler_text`` try ``content`` first, then ``contentMap.values.first``; ``language``
is ``contentMap.keys.first``). So every document carries both: the plain property
holds the group's primary language, and the map lists the primary language first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from documents.errors import BadLanguage

# BCP 47 as used in practice: a 2-3 letter language, then subtags (script, region...).
_LANGUAGE_RE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*")


def check_language(tag: str) -> str:
    """``tag`` when it looks like a BCP 47 language tag (``en``, ``pt-BR``), else an error."""
    if not _LANGUAGE_RE.fullmatch(tag):
        raise BadLanguage("%(tag)r is not a language tag; use one like en, es or pt-BR", tag=tag)
    return tag


class Multilingual:
    """One text in one or more languages; :attr:`language` (the primary one) comes first."""

    __slots__ = ("_texts",)

    def __init__(self, texts: Mapping[str, str], primary: str) -> None:
        check_language(primary)
        if primary not in texts:
            raise BadLanguage(
                "there is no text in the primary language %(language)r", language=primary
            )
        for tag in texts:
            check_language(tag)
        self._texts: dict[str, str] = {primary: texts[primary]}
        self._texts.update((k, v) for k, v in texts.items() if k != primary)

    @classmethod
    def single(cls, language: str, text: str) -> Multilingual:
        """A text in one language."""
        return cls({language: text}, language)

    @property
    def language(self) -> str:
        """The primary language."""
        return next(iter(self._texts))

    @property
    def text(self) -> str:
        """The text in the primary language."""
        return self._texts[self.language]

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language, primary first."""
        return tuple(self._texts)

    def items(self) -> Iterator[tuple[str, str]]:
        """``(language, text)`` pairs, primary first."""
        return iter(self._texts.items())

    def get(self, language: str) -> str | None:
        """The text in ``language``, if given."""
        return self._texts.get(language)

    def map(self, change: Callable[[str, str], str]) -> Multilingual:
        """A new text with ``change(language, text)`` applied to every language."""
        return Multilingual({k: change(k, v) for k, v in self._texts.items()}, self.language)

    def as_dict(self) -> dict[str, str]:
        """A plain ``{language: text}`` dict, primary first (for storage)."""
        return dict(self._texts)

    def fields(self, name: str) -> dict[str, Any]:
        """``{name: primary text, nameMap: {...}}``, e.g. ``fields("content")``."""
        return {name: self.text, f"{name}Map": dict(self._texts)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Multilingual):
            return NotImplemented
        return list(self._texts.items()) == list(other._texts.items())

    def __hash__(self) -> int:
        return hash(tuple(self._texts.items()))

    def __repr__(self) -> str:
        return f"Multilingual({self._texts!r}, primary={self.language!r})"


def with_translations(
    primary: str,
    main: tuple[str, str],
    body: tuple[str, str | None] | None,
    others: Iterable[tuple[str, Mapping[str, str]]],
) -> tuple[Multilingual, Multilingual | None]:
    """The main text and optional body in ``primary``, plus each other language given.

    ``main`` and ``body`` are (field name, text in ``primary``); ``others`` are
    ``(language, {field: text})`` pairs. Refused: a language given twice or that is the
    primary one, a translation without the main field, a translated body without one in
    ``primary``.
    """
    extra: dict[str, Mapping[str, str]] = {}
    for lang, given in others:
        if not lang:
            raise BadLanguage("each translation needs its language tag, e.g. es")
        if lang == primary:
            raise BadLanguage(
                "the %(language)s texts are the main ones; add other languages only",
                language=primary,
            )
        if lang in extra:
            raise BadLanguage("%(language)s is given twice", language=lang)
        extra[check_language(lang)] = given
    missing = [lang for lang, v in extra.items() if main[0] not in v]
    if missing:
        raise BadLanguage(
            "no %(field)s in %(languages)s; give one for each language",
            field=main[0],
            languages=", ".join(missing),
        )
    texts = Multilingual({primary: main[1], **{k: v[main[0]] for k, v in extra.items()}}, primary)
    if body is None:
        return texts, None
    translated = {k: v[body[0]] for k, v in extra.items() if body[0] in v}
    if body[1] is None:
        if translated:
            raise BadLanguage(
                "a %(field)s in another language needs one in %(language)s too",
                field=body[0],
                language=primary,
            )
        return texts, None
    return texts, Multilingual({primary: body[1], **translated}, primary)
