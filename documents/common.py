"""Small pieces every document builder shares: timestamps, hashtags, text checks, metadata."""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from documents.errors import BadSkill, EmptyText, TextTooLong
from federation.content import MAX_TAGS
from federation.markdown import normalize_hashtag
from federation.vocab import AS_CONTEXT

MAX_TITLE = 200
TagUrl = Callable[[str], str]

# The terms every Mutuals object uses (as Mastodon declares them for its Notes).
BASE_TERMS: dict[str, Any] = {"sensitive": "as:sensitive", "Hashtag": "as:Hashtag"}


@dataclass(frozen=True)
class Meta:
    """Where an object lives and who may see it: the parts that are not its content.

    ``to``/``cc`` come from the post's visibility (``documents.activities.addressing``).
    """

    object_id: str
    actor: str
    published: dt.datetime
    to: Sequence[str] = ()
    cc: Sequence[str] = ()
    updated: dt.datetime | None = None
    url: str | None = None

    def fields(self, type_: str) -> dict[str, Any]:
        """``id``, ``type`` and the envelope fields, in the order Mastodon emits them."""
        doc: dict[str, Any] = {
            "id": self.object_id,
            "type": type_,
            "url": self.url or self.object_id,
            "attributedTo": self.actor,
            "published": timestamp(self.published),
        }
        if self.updated is not None:
            doc["updated"] = timestamp(self.updated)
        doc["to"] = list(self.to)
        doc["cc"] = list(self.cc)
        # The group the object belongs to (FEP-1b12), and the replies it keeps.
        doc["audience"] = self.actor
        doc["replies"] = f"{self.object_id}/replies"
        return doc


def timestamp(when: dt.datetime) -> str:
    """An ``xsd:dateTime`` in UTC with a ``Z``, to the second (what Mastodon emits)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is needed")
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_timestamp(when: dt.datetime, zone: dt.tzinfo) -> str:
    """An ``xsd:dateTime`` in ``zone`` with its UTC offset, as Mobilizon sends ``startTime``."""
    return when.astimezone(zone).replace(microsecond=0).isoformat()


def jsonld_context(*terms: Mapping[str, Any]) -> list[Any]:
    """``@context`` for a top-level document: ActivityStreams plus the given extension terms."""
    merged: dict[str, Any] = dict(BASE_TERMS)
    for more in terms:
        merged.update(more)
    return [AS_CONTEXT, merged]


def require_text(value: str, what: str, limit: int = MAX_TITLE) -> str:
    """``value`` stripped; an error naming ``what`` when it is empty or longer than ``limit``."""
    text = value.strip()
    if not text:
        raise EmptyText("the %(what)s is empty", what=what)
    if len(text) > limit:
        raise TextTooLong(
            "the %(what)s is %(length)s characters; the limit is %(limit)s",
            what=what,
            length=len(text),
            limit=limit,
        )
    return text


# Mastodon's hashtag characters: [[:word:]] (letters, marks, decimal digits) and "_".
_TAG_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd"})


def _is_tag_char(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch) in _TAG_CATEGORIES


def skill_names(skills: Sequence[str]) -> tuple[str, ...]:
    """Skills as hashtag names (no ``#``), first spelling kept, duplicates dropped.

    A skill must be one word of letters, digits and ``_`` with at least one letter,
    because Mastodon only links such hashtags.
    """
    seen: dict[str, str] = {}
    for raw in skills:
        name = raw.strip().lstrip("#")
        valid = name and all(_is_tag_char(c) for c in name)
        if not valid or not any(unicodedata.category(c).startswith("L") for c in name):
            hint = "_".join(raw.strip().lstrip("#").split()) or "bike_repair"
            raise BadSkill(
                "the skill %(skill)r must be one word of letters, digits and _ (e.g. %(hint)s)",
                skill=raw,
                hint=hint,
            )
        seen.setdefault(normalize_hashtag(name), name)
    if len(seen) > MAX_TAGS:
        raise BadSkill(
            "%(count)s skills given; the limit is %(limit)s", count=len(seen), limit=MAX_TAGS
        )
    return tuple(seen.values())


def hashtag(name: str, tag_url: TagUrl) -> dict[str, str]:
    """A ``tag`` entry for ``#name``."""
    return {"type": "Hashtag", "href": tag_url(name), "name": f"#{name}"}


def hashtag_link(name: str, tag_url: TagUrl) -> str:
    """The HTML link Mastodon writes for a hashtag in ``content``."""
    href = html.escape(tag_url(name), quote=True)
    return (
        f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{html.escape(name)}</span></a>'
    )


def merge_tags(names: Sequence[str], more: Sequence[str]) -> list[str]:
    """``names`` then ``more``, de-duplicated by hashtag key, capped at :data:`MAX_TAGS`."""
    merged: dict[str, str] = {}
    for name in [*names, *more]:
        merged.setdefault(normalize_hashtag(name), name)
    return list(merged.values())[:MAX_TAGS]
