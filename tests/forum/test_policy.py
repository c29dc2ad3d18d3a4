"""The posting policy as pure decisions: what a group does with each kind of post."""

from __future__ import annotations

import pytest

from actors.instance import PostingLimits
from forum.policy import Facts, audience_of, decide, mentioned, visibility

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
GROUP = "https://groups.example/groups/garden"
LIMITS = PostingLimits(per_hour=3, mentions=5)


def facts(**changes: object) -> Facts:
    values: dict[str, object] = {
        "kind": "post",
        "follower": True,
        "announced_this_hour": 0,
        "mentions": 1,
        "silenced": False,
    }
    values.update(changes)
    return Facts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("posting", "expected"),
    [("open", "announced"), ("approval", "pending"), ("organizers", "kept")],
)
def test_each_policy_for_a_follower_post(posting: str, expected: str) -> None:
    status, reason = decide(posting, "top-level", facts(), LIMITS)
    assert status == expected
    assert (reason is None) == (expected == "announced")


@pytest.mark.parametrize("posting", ["open", "approval", "organizers"])
def test_direct_messages_and_strangers_are_never_announced(posting: str) -> None:
    assert decide(posting, "all", facts(kind="direct"), LIMITS) == (
        "kept",
        "not public: a message for the organizers",
    )
    status, reason = decide(posting, "all", facts(follower=False), LIMITS)
    assert status == "kept"
    assert reason is not None


def test_replies_follow_the_reply_policy() -> None:
    assert decide("open", "top-level", facts(kind="reply"), LIMITS)[0] == "kept"
    assert decide("open", "all", facts(kind="reply"), LIMITS)[0] == "announced"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"mentions": 6}, "it mentions 6 accounts (more than 5)"),
        ({"announced_this_hour": 3}, "the author had 3 posts announced this hour"),
        ({"silenced": True}, "the author's domain is silenced"),
    ],
)
def test_abuse_limits_hold_a_post_even_when_open(change: dict[str, object], reason: str) -> None:
    assert decide("open", "top-level", facts(**change), LIMITS) == ("pending", reason)


def test_just_under_the_limits_is_announced() -> None:
    assert decide("open", "top-level", facts(mentions=5, announced_this_hour=2), LIMITS) == (
        "announced",
        None,
    )


def test_mastodon_mention_in_cc_reaches_the_group() -> None:
    # What Mastodon sends for "@garden@groups.example hello": the group in cc and a Mention.
    note = {
        "to": [PUBLIC],
        "cc": ["https://social.example/users/ana/followers", GROUP],
        "tag": [{"type": "Mention", "href": GROUP, "name": "@garden@groups.example"}],
    }
    create = {"to": note["to"], "cc": note["cc"]}
    assert GROUP in audience_of(create, note)
    assert mentioned(note) == [GROUP]
    assert visibility(create, note) == "public"


def test_lemmy_audience_reaches_the_group() -> None:
    page = {"to": [GROUP, PUBLIC], "audience": GROUP}
    assert GROUP in audience_of({"audience": GROUP}, page)
    assert visibility({}, page) == "public"


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        ([PUBLIC], [], "public"),
        (["as:Public"], [], "public"),
        ([GROUP], [PUBLIC], "unlisted"),
        ([GROUP], ["https://social.example/users/ana/followers"], "direct"),
        ([GROUP], [], "direct"),
    ],
)
def test_visibility(to: list[str], cc: list[str], expected: str) -> None:
    assert visibility({}, {"to": to, "cc": cc}) == expected
