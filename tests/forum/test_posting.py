"""Members post through a group: Mastodon's exact payloads in, both Announce forms out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from actors.groups import get_group, set_posting
from federation.proofs import DATA_INTEGRITY_CONTEXT
from posts.notes import publish_note
from tests.forum.support import (
    MASTODON_CONTEXT,
    PUBLIC,
    announces,
    forum_group,
    join,
    mastodon_post,
    messages,
)
from tests.instances import Instance, settle
from tests.peer import AS_CONTEXT, Peer, PeerActor, running_peer
from tests.sharing.network import Cli


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with running_peer() as server:
        yield server


async def _members(instance: Instance, peer: Peer, group_id: str) -> tuple[PeerActor, PeerActor]:
    ana, bob = peer.actor("ana"), peer.actor("bob")
    for member in (ana, bob):
        await join(instance, peer, member, group_id)
    peer.received.clear()  # the Accepts
    return ana, bob


async def _send(instance: Instance, peer: Peer, group_id: str, activity: dict[str, Any]) -> None:
    response = await peer.post(group_id + "/inbox", activity)
    assert response.status_code == 202, response.text
    await settle(instance)


async def _posted(
    instance: Instance, peer: Peer, posting: str, *texts: str
) -> tuple[str, PeerActor, list[dict[str, Any]]]:
    """A group with ``posting``, ana and bob following it, and ana's posts of ``texts``
    sent; the group's id, ana, and her Creates."""
    group_id = await forum_group(instance, posting=posting)
    ana, _bob = await _members(instance, peer, group_id)
    posts = [mastodon_post(peer, ana, group_id, "garden", text) for text in texts]
    for post in posts:
        await _send(instance, peer, group_id, post)
    return group_id, ana, posts


def _by_form(found: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the FEP-1b12 relay of the activity, the boost of the object) among two Announces."""
    relay = next(a for a in found if isinstance(a["object"], dict))
    boost = next(a for a in found if isinstance(a["object"], str))
    return relay, boost


def _without_context(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "@context"}


async def test_an_open_group_announces_a_members_post_in_both_forms(
    instance: Instance, peer: Peer
) -> None:
    group_id = await forum_group(instance, posting="open")
    ana, _bob = await _members(instance, peer, group_id)

    # Given ana on Mastodon writes "@garden@host Can anyone help…" (the group in cc)
    create = mastodon_post(peer, ana, group_id, f"garden@{instance.host}", "Can anyone help?")
    await _send(instance, peer, group_id, create)

    # Then the followers' server receives the Create relayed (Lemmy, Mbin read this one)…
    relay, boost = _by_form(announces(peer))
    followers = group_id + "/followers"
    assert relay == {
        "@context": [*MASTODON_CONTEXT, DATA_INTEGRITY_CONTEXT],
        "id": relay["id"],
        "type": "Announce",
        "actor": group_id,
        "to": [PUBLIC],
        "cc": [followers],
        "object": _without_context(create),
        "proof": relay["proof"],  # the group's integrity proof (FEP-8b32)
    }
    # …and the Note boosted, exactly as Mastodon sends a boost (its timelines show this one)
    assert boost == {
        "@context": [AS_CONTEXT, DATA_INTEGRITY_CONTEXT],
        "id": boost["id"],
        "type": "Announce",
        "actor": group_id,
        "published": boost["published"],
        "to": [PUBLIC],
        "cc": [ana.id, followers],
        "object": create["object"]["id"],
        "proof": boost["proof"],
    }
    assert len(announces(peer)) == 2
    for activity in (relay, boost):
        assert activity["id"].startswith(group_id + "/activities/")
        async with instance.client() as client:
            served = await client.get(
                activity["id"], headers={"Accept": "application/activity+json"}
            )
        assert served.json() == activity
    [message] = await messages(instance)
    assert (message.kind, message.status, message.reason) == ("post", "announced", None)
    assert "Can anyone help?" in message.content_html


async def test_approval_holds_posts_until_a_moderator_decides(
    instance: Instance, peer: Peer, cli: Cli
) -> None:
    group_id = await forum_group(instance, posting="approval")
    ana, _bob = await _members(instance, peer, group_id)
    handle = f"garden@{instance.host}"
    first = mastodon_post(peer, ana, group_id, handle, "Seeds to share")
    second = mastodon_post(peer, ana, group_id, handle, "Buy my stuff")
    for post in (first, second):
        await _send(instance, peer, group_id, post)

    # Then nothing is announced: both wait, listed one a line starting with their id
    assert announces(peer) == []
    listed = (await cli.ok(instance, "submissions", "garden")).splitlines()
    assert [line.split("\t")[0] for line in listed] == [
        first["object"]["id"],
        second["object"]["id"],
    ]
    assert "pending (waiting for a moderator's approval)" in listed[0]

    # When a moderator approves the first, it is announced in both forms
    await cli.ok(instance, "submissions", "approve", "garden", first["object"]["id"])
    await settle(instance)
    relay, boost = _by_form(announces(peer))
    assert boost["object"] == first["object"]["id"]
    assert relay["object"]["id"] == first["id"]

    # When the second is rejected with a reason, ana alone is told why, in a direct reply
    peer.received.clear()
    out = await cli.ok(
        instance, "submissions", "reject", "garden", second["object"]["id"], "--reason", "No ads"
    )
    assert "rejected" in out
    await settle(instance)
    assert announces(peer) == []
    [told] = peer.inbox_activities("Create")
    reply = told["object"]
    assert (reply["to"], reply["cc"], reply["inReplyTo"]) == ([ana.id], [], second["object"]["id"])
    assert {"type": "Mention", "href": ana.id, "name": f"@ana@{peer.base_url.split('//')[1]}"} in (
        reply["tag"]
    )
    assert "No ads" in reply["content"]
    statuses = [(m.status, m.reason) for m in await messages(instance)]
    assert statuses == [("announced", None), ("rejected", "No ads")]
    assert (
        await cli.ok(instance, "submissions", "garden")
        == "nothing waiting for garden's moderators\n"
    )


async def test_organizers_only_groups_keep_members_posts_for_the_organizers(
    instance: Instance, peer: Peer
) -> None:
    await _posted(instance, peer, "organizers", "Hi all")
    assert announces(peer) == []
    [message] = await messages(instance)
    assert (message.status, message.reason) == (
        "kept",
        "this group announces only what its organizers publish",
    )


async def test_direct_messages_and_strangers_posts_are_kept_never_announced(
    instance: Instance, peer: Peer, cli: Cli
) -> None:
    group_id = await forum_group(instance, posting="open")
    ana, _bob = await _members(instance, peer, group_id)
    stranger = peer.actor("cleo")  # does not follow the group
    direct = mastodon_post(peer, ana, group_id, "garden", "Can we talk privately?", direct=True)
    public = mastodon_post(peer, stranger, group_id, "garden", "Hello from outside")
    for post in (direct, public):
        await _send(instance, peer, group_id, post)

    assert announces(peer) == []
    kept = [(m.kind, m.visibility, m.status, m.reason) for m in await messages(instance)]
    assert kept == [
        ("direct", "direct", "kept", "not public: a message for the organizers"),
        ("post", "public", "kept", "the author does not follow the group"),
    ]
    unread = (await cli.ok(instance, "messages", "garden", "--unread")).splitlines()
    assert [line.split("\t")[0] for line in unread] == [
        direct["object"]["id"],
        public["object"]["id"],
    ]
    assert "Can we talk privately?" in unread[0]
    assert await cli.ok(instance, "messages", "garden", "--unread") == "no messages unread\n"
    assert len((await cli.ok(instance, "messages", "garden")).splitlines()) == 2


async def test_the_group_answers_in_public_or_directly(
    instance: Instance, peer: Peer, cli: Cli
) -> None:
    group_id, ana, [post] = await _posted(instance, peer, "organizers", "Next meeting?")
    note_id = post["object"]["id"]

    await cli.ok(instance, "reply", "garden", note_id, "Thursday at 7, see you there")
    await cli.ok(instance, "reply", "garden", note_id, "Ask for Sam at the door", "--direct")
    await settle(instance)

    public, direct = (c["object"] for c in peer.inbox_activities("Create"))
    assert public["inReplyTo"] == direct["inReplyTo"] == note_id
    assert (public["to"], public["cc"]) == ([PUBLIC], [group_id + "/followers", ana.id])
    assert (direct["to"], direct["cc"]) == ([ana.id], [])
    assert public["audience"] == group_id
    assert "Thursday at 7" in public["content"]
    # The direct reply is nobody's to fetch, the public one anyone's
    async with instance.client() as client:
        for note, status in ((public, 200), (direct, 404)):
            got = await client.get(note["id"], headers={"Accept": "application/activity+json"})
            assert got.status_code == status


async def test_edits_deletions_and_removals_follow_an_announced_post(
    instance: Instance, peer: Peer, cli: Cli
) -> None:
    group_id, ana, [post, other] = await _posted(
        instance, peer, "open", "Tool library opens Monday", "Spam spam spam"
    )
    note, boosts = post["object"], {a["object"]: a for a in _boosts(peer)}
    peer.received.clear()

    # When ana edits the post, the group relays her Update
    edited = {
        **note,
        "content": "<p>Tool library opens Tuesday</p>",
        "updated": "2026-12-03T11:00:00Z",
    }
    peer.serve({"@context": MASTODON_CONTEXT, **edited})
    update = peer.activity(ana, "Update", edited, to=[PUBLIC], cc=note["cc"])
    await _send(instance, peer, group_id, update)
    [relayed] = announces(peer)
    assert relayed["object"] == _without_context(update)
    assert "Tuesday" in (await messages(instance))[0].content_html

    # When she deletes it, the Delete is relayed and the boost undone
    peer.received.clear()
    peer.serve(410, note["id"].removeprefix(peer.base_url))
    tomb = {"id": note["id"], "type": "Tombstone"}
    deletion = peer.activity(ana, "Delete", tomb, to=[PUBLIC])
    await _send(instance, peer, group_id, deletion)
    [relayed] = announces(peer)
    assert relayed["object"] == _without_context(deletion)
    [undo] = peer.inbox_activities("Undo")
    assert undo["object"]["id"] == boosts[note["id"]]["id"]
    assert undo["object"]["type"] == "Announce"

    # When an organizer removes the other post, its boost is undone and the removal relayed
    peer.received.clear()
    await cli.ok(
        instance, "submissions", "remove", "garden", other["object"]["id"], "--reason", "spam"
    )
    await settle(instance)
    [undo] = peer.inbox_activities("Undo")
    assert undo["object"]["id"] == boosts[other["object"]["id"]]["id"]
    [relayed] = announces(peer)
    removal = relayed["object"]
    assert (removal["type"], removal["actor"], removal["object"], removal["summary"]) == (
        "Delete",
        group_id,
        other["object"]["id"],
        "spam",
    )
    assert [m.status for m in await messages(instance)] == ["deleted", "removed"]


def _boosts(peer: Peer) -> list[dict[str, Any]]:
    return [a for a in announces(peer) if isinstance(a["object"], str)]


LEMMY_CONTEXT = ["https://join-lemmy.org/context.json", "https://www.w3.org/ns/activitystreams"]


def _lemmy_page(peer: Peer, author: PeerActor, group_id: str) -> dict[str, Any]:
    """The ``Create{Page}`` Lemmy sends when a user posts to a community (its assets'
    ``create_page.json``): the community in ``to``, ``cc`` and ``audience``."""
    page = {
        "type": "Page",
        "id": peer.new_id(author, "post"),
        "attributedTo": author.id,
        "to": [group_id, PUBLIC],
        "audience": group_id,
        "name": "Seed swap on Sunday",
        "content": "<p>Bring seeds, take seeds.</p>\n",
        "mediaType": "text/html",
        "source": {"content": "Bring seeds, take seeds.", "mediaType": "text/markdown"},
        "attachment": [],
        "commentsEnabled": True,
        "sensitive": False,
        "language": {"identifier": "en", "name": "English"},
        "published": "2026-12-03T09:10:51.557399+00:00",
    }
    peer.serve(page)
    return {
        "@context": LEMMY_CONTEXT,
        "actor": author.id,
        "to": [PUBLIC],
        "object": page,
        "cc": [group_id],
        "audience": group_id,
        "type": "Create",
        "id": peer.new_id(author, "activities/create"),
    }


async def test_a_lemmy_post_to_the_group_is_relayed_with_its_context(
    instance: Instance, peer: Peer
) -> None:
    group_id = await forum_group(instance, posting="open")
    ana, _bob = await _members(instance, peer, group_id)
    create = _lemmy_page(peer, ana, group_id)
    await _send(instance, peer, group_id, create)

    relay, boost = _by_form(announces(peer))
    assert relay["@context"] == [*LEMMY_CONTEXT, DATA_INTEGRITY_CONTEXT]
    assert relay["object"] == _without_context(create)
    assert boost["object"] == create["object"]["id"]
    [message] = await messages(instance)
    assert (message.kind, message.visibility, message.status) == ("post", "public", "announced")


@pytest.mark.parametrize(("replies", "status"), [("top-level", "kept"), ("all", "announced")])
async def test_replies_are_kept_in_the_thread_and_listed_in_replies(
    instance: Instance, peer: Peer, replies: str, status: str
) -> None:
    group_id = await forum_group(instance, posting="open")
    _ana, bob = await _members(instance, peer, group_id)
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "garden")
        set_posting(group, None, replies)
        post = await publish_note(session, instance.ctx, group, "Workday on Saturday")
        await session.commit()
    await settle(instance)
    peer.received.clear()
    post_id = post.document["id"]

    # Given bob answers the group's post from Mastodon (which mentions the group)
    reply = mastodon_post(peer, bob, group_id, "garden", "I'll bring gloves", in_reply_to=post_id)
    await _send(instance, peer, group_id, reply)

    [message] = await messages(instance)
    assert (message.kind, message.in_reply_to, message.status) == ("reply", post_id, status)
    assert len(announces(peer)) == (2 if status == "announced" else 0)
    async with instance.client() as client:
        got = await client.get(post_id, headers={"Accept": "application/activity+json"})
        collection = await client.get(
            got.json()["replies"], headers={"Accept": "application/activity+json"}
        )
    assert collection.json()["orderedItems"] == [reply["object"]["id"]]
    assert collection.json()["totalItems"] == 1


async def test_a_policy_change_applies_to_the_next_post(
    instance: Instance, peer: Peer, cli: Cli
) -> None:
    group_id, ana, _posts = await _posted(instance, peer, "open", "First")
    assert len(announces(peer)) == 2
    out = await cli.ok(instance, "group", "update", "garden", "--posting", "organizers")
    assert out == "garden: posting organizers, announcing top-level\n"
    assert "posting:         organizers" in await cli.ok(instance, "group", "show", "garden")
    peer.received.clear()

    await _send(instance, peer, group_id, mastodon_post(peer, ana, group_id, "garden", "Second"))
    assert announces(peer) == []
    assert [m.status for m in await messages(instance)] == ["announced", "kept"]
