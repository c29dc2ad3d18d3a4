"""Reading a reply to a need: does its author offer help, and may the group thank them?

The words are the ones the need's line asks for (:mod:`.phrases`, ``help`` and
``consent``), in any language we know. Unlike an RSVP, a reply counts when it
*contains* them ("@eastside I can help! I have a van"), since people say more than
the phrase; "I can't help" contains none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.phrases import PHRASES


def _normal(text: str) -> str:
    words = [w for w in text.split() if not w.startswith("@")]
    return " ".join(words).casefold().replace("’", "'")


def _words(field: str) -> tuple[str, ...]:
    return tuple(sorted({_normal(w) for p in PHRASES.values() for w in getattr(p, field)}))


_HELP = _words("help")
_CONSENT = _words("consent")


@dataclass(frozen=True)
class HelpReply:
    """What a reply says: ``helps`` (it offers help), ``agreed`` (to be thanked publicly)."""

    helps: bool
    agreed: bool


def help_reply(text: str) -> HelpReply:
    """What the plain ``text`` of a reply to a need says."""
    said = _normal(text)
    return HelpReply(helps=any(w in said for w in _HELP), agreed=any(w in said for w in _CONSENT))
