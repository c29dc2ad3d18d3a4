"""What a group does with what a member sends it: the posting policy, as pure decisions.

A group's ``posting`` setting says whose posts it announces to its followers:

============  ==================================================================
``open``      every public or unlisted post by a follower that names the group
``approval``  the same, once a moderator approves it (the default for new groups)
``organizers`` nobody's: the group only broadcasts what its organizers publish
============  ==================================================================

Whatever the policy, a direct message is never announced, nor a post by an account
that does not follow the group; they are kept for the organizers. Abuse limits hold a
post for a moderator even under ``open``: too many posts of one account in an hour, a
post mentioning too many accounts, a post from a silenced domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from actors.instance import PostingLimits
from federation.vocab import PUBLIC, as_list, get_id

_PUBLIC_NAMES = frozenset({PUBLIC, "as:Public", "Public"})


def audience_of(activity: dict[str, Any], doc: dict[str, Any]) -> set[str]:
    """Every id the post is addressed to: ``to``, ``cc``, ``audience`` of both the
    activity and its object, and the accounts its ``Mention`` tags name."""
    found: set[str] = set()
    for source in (activity, doc):
        for key in ("to", "cc", "audience"):
            found.update(i for i in map(get_id, as_list(source.get(key))) if isinstance(i, str))
    return found | set(mentioned(doc))


def mentioned(doc: dict[str, Any]) -> list[str]:
    """The ids of the accounts the object's ``Mention`` tags name (Mastodon's mentions)."""
    tags = [t for t in as_list(doc.get("tag")) if isinstance(t, dict)]
    return [
        t["href"] for t in tags if t.get("type") == "Mention" and isinstance(t.get("href"), str)
    ]


def visibility(activity: dict[str, Any], doc: dict[str, Any]) -> str:
    """``public`` (Public in ``to``), ``unlisted`` (in ``cc``) or ``direct`` (no Public).

    Mastodon's followers-only posts name no Public either: to a group, both are
    messages for its organizers, never announced.
    """
    for key in ("to", "cc"):
        addressed = {get_id(i) for s in (activity, doc) for i in as_list(s.get(key))}
        if addressed & _PUBLIC_NAMES:
            return "public" if key == "to" else "unlisted"
    return "direct"


@dataclass(frozen=True)
class Facts:
    """What the decision needs to know about one post and its author."""

    kind: str
    """``post``, ``reply`` or ``direct``."""
    follower: bool
    announced_this_hour: int
    mentions: int
    silenced: bool


def decide(
    posting: str, announce_replies: str, facts: Facts, limits: PostingLimits
) -> tuple[str, str | None]:
    """``(status, reason)`` for a post a group received: ``announced``, ``pending`` (for a
    moderator) or ``kept`` (a message for the organizers), with why when not announced."""
    if facts.kind == "direct":
        return "kept", "not public: a message for the organizers"
    if facts.kind == "reply" and announce_replies != "all":
        return "kept", "a reply: this group announces only top-level posts"
    if posting == "organizers":
        return "kept", "this group announces only what its organizers publish"
    if not facts.follower:
        return "kept", "the author does not follow the group"
    if facts.silenced:
        return "pending", "the author's domain is silenced"
    if facts.mentions > limits.mentions:
        return "pending", f"it mentions {facts.mentions} accounts (more than {limits.mentions})"
    if facts.announced_this_hour >= limits.per_hour:
        return "pending", f"the author had {facts.announced_this_hour} posts announced this hour"
    if posting == "approval":
        return "pending", "waiting for a moderator's approval"
    return "announced", None
