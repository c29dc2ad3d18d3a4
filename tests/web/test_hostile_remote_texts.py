"""Remote names and texts, delivered with real signatures, on every page that shows them:
escaped or sanitized, never live markup.

The browser tests (tests/browser/test_public_pages.py, test_admin_hostile.py) prove no
script runs on some of these pages; this sweeps them all over plain HTTP, and checks the
hostile text did reach each page (escaped), so a page that stops showing it is noticed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from forum.models import Message
from posts import notes
from tests.admin.support import add_account, signed_in
from tests.forum.support import mastodon_post
from tests.helpers import add_group
from tests.inbox.support import follow, rows
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer

SCRIPT = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'
ESCAPED = "&lt;script&gt;window.pwned = 1&lt;/script&gt;"
"""How Jinja shows `SCRIPT` as text."""
LIVE = ("<script>window.pwned", 'onerror="window.pwned', "onerror=window.pwned")


@dataclass
class Mallory(PeerActor):
    """A peer account whose names and bio are markup (its URL stays tame)."""

    def document(self) -> dict[str, Any]:
        hostile = {"preferredUsername": f"m{SCRIPT}", "name": SCRIPT, "summary": f"<p>{SCRIPT}</p>"}
        return super().document() | hostile


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


def assert_inert(page: str, where: str) -> None:
    """No hostile markup is live on ``page``."""
    for live in LIVE:
        assert live not in page, (where, live)


async def test_hostile_names_and_texts_are_shown_inert_everywhere(
    instance: Instance, peer: Peer
) -> None:
    # Given a group whose posts wait for approval, with a post of its own
    group = await add_group(instance, "garden", posting="approval")
    group_id = instance.ctx.urls.group(group.uid)
    await add_account(instance, "ada", group, "organizer")
    async with instance.ctx.sessions() as session:
        post = await notes.publish_note(session, instance.ctx, group, "Seeds swap on Sunday")
        await session.commit()
    post_url = str(post.document["id"])
    peer.actors["mallory"] = mallory = Mallory(**vars(peer.actor("mallory")))

    # When Mallory follows, is followed, posts through the group, writes to it, replies
    # to its post with a content warning, and reports it; all signed by her server
    activities = [
        peer.activity(mallory, "Follow", group_id),
        mastodon_post(peer, mallory, group_id, "garden", f"Psst {SCRIPT}"),
        mastodon_post(peer, mallory, group_id, "garden", f"DM {SCRIPT}", direct=True),
        peer.activity(
            mallory,
            "Create",
            peer.note(mallory, f"<p>{SCRIPT} reply</p>", inReplyTo=post_url, summary=SCRIPT),
        ),
        peer.activity(mallory, "Flag", [group_id, post_url], content=SCRIPT),
    ]
    for activity in activities:
        answer = await peer.post(group_id + "/inbox", activity)
        assert answer.status_code == 202, answer.text
    await settle(instance)
    await follow(instance, "garden", mallory)

    # Then every page showing her or her words shows them escaped, never live
    public = {"group": group_id, "post": post_url}
    admin = ["", "followers", "following", "submissions", "messages", "responses", "reports"]
    async with signed_in(instance, "ada") as client:
        shown: dict[str, str] = {}
        urls = {**public, **{name or "dashboard": f"/admin/groups/garden/{name}" for name in admin}}
        for name, url in urls.items():
            page = await client.get(url, headers={"Accept": "text/html"})
            assert page.status_code == 200, (name, page.text)
            shown[name] = page.text
    for where, page in shown.items():
        assert_inert(page, where)
    # (her name or words did reach these pages, as text)
    for where in ("post", "followers", "following", "submissions", "messages", "reports"):
        assert ESCAPED in shown[where], where
    assert "Psst" in shown["submissions"] and "DM" in shown["messages"]
    assert "reply" in shown["post"]
    # And her HTML was sanitized before it was stored: names are kept as text (escaped
    # where shown), markup in contents is gone
    messages = await rows(instance, Message)
    assert len(messages) == 3
    for message in messages:
        assert "<script" not in message.content_html and "onerror" not in message.content_html
        assert "<img" not in message.content_html
