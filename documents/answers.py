"""Reading an RSVP out of a reply: "going", "maybe", "not going" in any language we know.

The words are the ones the event's summary line asks for (:mod:`.phrases`). A reply
counts only when, once its mentions are removed, it *is* one of them ("going!",
"@eastside Maybe"), so "I'm not sure I'm going" stays an ordinary reply.
"""

from __future__ import annotations

import string
from typing import Literal

from documents.phrases import PHRASES

RsvpState = Literal["going", "maybe", "declined"]
_STRIP = string.punctuation + "¡¿!.…“”«»„ \u00a0"


def _normal(text: str) -> str:
    words = [w for w in text.split() if not w.startswith("@")]
    return " ".join(words).strip(_STRIP).casefold().replace("’", "'")


def _table() -> dict[str, RsvpState]:
    table: dict[str, RsvpState] = {}
    for words in PHRASES.values():
        said: tuple[tuple[RsvpState, tuple[str, ...]], ...] = (
            ("going", words.going),
            ("maybe", words.maybe),
            ("declined", words.declined),
        )
        for state, phrases in said:
            table.update(dict.fromkeys(phrases, state))
    return {_normal(k): v for k, v in table.items()}


_ANSWERS = _table()


def rsvp_answer(text: str) -> RsvpState | None:
    """``going``/``maybe``/``declined`` when the plain ``text`` is an RSVP word, else None."""
    return _ANSWERS.get(_normal(text))
