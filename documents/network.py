"""What a group sends when it joins a network, and what a network reads from it.

Joining a network is a plain ``Follow`` of the network's ``Group`` actor, so any
server follows, accepts and undoes it as usual. A member that does not want its
posts announced by the network says so on that Follow with one extension term,
``networkAnnounce: false`` (Mastodon and others ignore it). Sending the Follow again
with the other value changes it: a repeated Follow is how a follower restates itself.
"""

from __future__ import annotations

from typing import Any

from federation.vocab import AS_CONTEXT

# Our own term; no other server defines one for this yet.
NETWORK_TERMS = {"networkAnnounce": "https://joinmutuals.org/ns#networkAnnounce"}

ANNOUNCE_POLICIES = ("all", "sharing", "tagged")
"""Which member posts a network announces: every public post, offers, needs and events
only, or those tagged with the network's name as a hashtag."""

RELAY_POLICIES = ("all", "sharing", "none")
"""Which of a network's posts a member group relays to its own followers: every public
post, offers, needs and events only (the default), or nothing."""


def join_follow(follow: dict[str, Any], *, announce: bool) -> dict[str, Any]:
    """The ``Follow`` ``follow`` as a group joining a network sends it, ``@context`` first."""
    context = [AS_CONTEXT, NETWORK_TERMS]
    return {"@context": context, **follow, "networkAnnounce": announce}


def is_join(follow: dict[str, Any]) -> bool:
    """Whether ``follow`` was sent by ``mutuals network join`` (it says ``networkAnnounce``);
    a network's follow-back of its member never does."""
    return "networkAnnounce" in follow


def wants_announce(follow: dict[str, Any]) -> bool:
    """False only when the Follow says ``networkAnnounce: false``; any other value is
    the default, announced."""
    return follow.get("networkAnnounce") is not False
