"""Polls: a ``Question`` in exactly the shape Mastodon sends, so it shows as a native poll.

Mirrors ``ActivityPub::NoteSerializer``: options under ``oneOf`` (single choice) or
``anyOf`` (multiple), each ``{type: Note, name, replies: {type: Collection,
totalItems}}``; ``endTime`` when the poll closes; ``closed`` (the closing time) only
once it has closed, because ``ActivityPub::Parser::PollParser#expires_at`` treats any
``closed`` that is not ``false`` as closed; ``votersCount``. Votes come back as a
``Create{Note}`` whose ``name`` is an option's exact name and ``inReplyTo`` the question
(``ActivityPub::VoteSerializer``), so option names must be distinct.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from documents.common import Meta, TagUrl, hashtag, require_text, timestamp
from documents.errors import BadPollOptions
from documents.multilingual import Multilingual
from documents.text import MAX_TEXT, check_texts, render
from documents.when import require_aware
from federation.content import MAX_POLL_OPTIONS

MIN_POLL_OPTIONS = 2
MAX_OPTION_LENGTH = 100

CONTEXT_TERMS: dict[str, Any] = {
    "toot": "http://joinmastodon.org/ns#",
    "votersCount": "toot:votersCount",
}


@dataclass(frozen=True)
class PollSpec:
    """A question (Markdown) and its options; checked on construction."""

    question: Multilingual
    options: tuple[str, ...]
    multiple: bool = False
    closes_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        question = check_texts(self.question, "question", MAX_TEXT)
        count = len(self.options)
        if not MIN_POLL_OPTIONS <= count <= MAX_POLL_OPTIONS:
            raise BadPollOptions(
                "a poll needs %(low)s to %(high)s options; %(given)s given",
                low=MIN_POLL_OPTIONS,
                high=MAX_POLL_OPTIONS,
                given=count,
            )
        options = tuple(
            require_text(o, f"option {i}", MAX_OPTION_LENGTH) for i, o in enumerate(self.options, 1)
        )
        seen: set[str] = set()
        for option in options:
            if option.casefold() in seen:
                raise BadPollOptions("the option %(option)r is given twice", option=option)
            seen.add(option.casefold())
        if self.closes_at is not None:
            require_aware(self.closes_at, "closes_at")
        object.__setattr__(self, "question", question)
        object.__setattr__(self, "options", options)

    def is_closed(self, now: dt.datetime) -> bool:
        """True once the closing time has passed."""
        return self.closes_at is not None and self.closes_at <= now


def poll_document(
    spec: PollSpec,
    meta: Meta,
    tag_url: TagUrl,
    now: dt.datetime,
    *,
    tallies: Mapping[str, int] | None = None,
    voters: int = 0,
) -> dict[str, Any]:
    """The ``Question`` (without ``@context``) with the votes counted so far."""
    counts = dict(tallies or {})
    unknown = set(counts) - set(spec.options)
    if unknown:
        raise ValueError(f"tallies for options the poll does not have: {sorted(unknown)}")
    html, hashtags = render(spec.question, tag_url)
    items = [
        {
            "type": "Note",
            "name": o,
            "replies": {"type": "Collection", "totalItems": counts.get(o, 0)},
        }
        for o in spec.options
    ]
    doc: dict[str, Any] = {
        **meta.fields("Question"),
        "sensitive": False,
        **Multilingual(html, spec.question.language).fields("content"),
        "tag": [hashtag(name, tag_url) for name in hashtags],
        ("anyOf" if spec.multiple else "oneOf"): items,
    }
    if spec.closes_at is not None:
        doc["endTime"] = timestamp(spec.closes_at)
        if spec.is_closed(now):
            doc["closed"] = timestamp(spec.closes_at)
    doc["votersCount"] = voters
    return doc
