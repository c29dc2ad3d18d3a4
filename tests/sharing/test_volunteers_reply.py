"""A Mastodon account answers the group's call for volunteers; nothing private goes out."""

from __future__ import annotations

import json
from typing import Any

from tests.forum.support import mastodon_post
from tests.helpers import AP, add_group
from tests.instances import Instance, settle
from tests.peer import Peer, PeerActor, running_peer
from tests.privacy import public_texts
from tests.sharing.network import Cli

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _reply(
    peer: Peer, author: PeerActor, group_id: str, host: str, call: str, html: str, tags: list[str]
) -> dict[str, Any]:
    """A reply to ``call`` as Mastodon sends it: the group mentioned, and each hashtag
    linked in ``content`` (``TextFormatter``: ``class="mention hashtag" rel="tag"``) and
    listed in ``tag`` as ``{"type": "Hashtag", "name": "#tag"}`` (``NoteSerializer``)."""
    link = '<a href="{base}/tags/{t}" class="mention hashtag" rel="tag">#<span>{t}</span></a>'
    linked = " ".join(link.format(base=peer.base_url, t=t) for t in tags)
    create = mastodon_post(
        peer, author, group_id, f"garden@{host}", f"{html} {linked}", in_reply_to=call
    )
    create["object"]["tag"] += [
        {"type": "Hashtag", "href": f"{peer.base_url}/tags/{t}", "name": f"#{t}"} for t in tags
    ]
    return create


def _answers(peer: Peer, to: PeerActor) -> list[dict[str, Any]]:
    """The Notes the group sent to ``to`` alone (direct messages), in order."""
    return [
        a["object"]
        for a in peer.inbox_activities("Create")
        if a["object"].get("to") == [to.id] and not a["object"].get("cc")
    ]


async def _call(instance: Instance, cli: Cli) -> str:
    out = (await cli.ok(instance, "volunteers", "call", "garden")).splitlines()
    assert out[0].startswith("call ") and " posted: " in out[0]
    return out[0].split(" posted: ")[1]


async def test_a_reply_to_the_call_registers_and_is_answered(make_instance: Any, cli: Cli) -> None:
    instance = await make_instance()
    group = await add_group(instance, "garden")
    group_id = instance.ctx.urls.group(group.uid)
    inbox = f"{group_id}/inbox"
    call = await _call(instance, cli)
    async with running_peer() as peer:
        ana, bob = peer.actor("ana"), peer.actor("bob")
        # Given: Ana replies with a hashtag and "skills:" words, delivered twice.
        reply = _reply(
            peer, ana, group_id, instance.host, call,
            "I can help! skills: first aid, bike repair.", ["cooking"],
        )  # fmt: skip
        for _ in range(2):
            assert (await peer.post(inbox, reply)).status_code == 202
        # And: Bob replies without naming a skill.
        vague = _reply(peer, bob, group_id, instance.host, call, "Count me in", [])
        assert (await peer.post(inbox, vague)).status_code == 202
        await settle(instance)
        handle = f"@ana@{peer.base_url.removeprefix('http://')}"
        lines = (await cli.ok(instance, "volunteers", "garden")).splitlines()
        assert [line.split("\t")[1:6] for line in lines] == [
            [handle, "#cooking #first_aid #bike_repair", "-", "-", "unlisted"],
        ]
        # Then: Ana got one direct answer saying what was recorded and how to be listed.
        (answer,) = _answers(peer, ana)
        assert answer["inReplyTo"] == reply["object"]["id"]
        assert PUBLIC not in json.dumps(answer)
        assert {"type": "Mention", "href": ana.id, "name": f"@{handle[1:]}"} in answer["tag"]
        for text in ("#<span>cooking</span>", "first_aid", "bike_repair", "list me"):
            assert text in answer["content"], text
        (to_bob,) = _answers(peer, bob)
        assert "could not find your skills" in to_bob["content"]
        # When: Ana asks to be listed, she is, and is told how to leave.
        listed = _reply(peer, ana, group_id, instance.host, call, "Please list me", [])
        assert (await peer.post(inbox, listed)).status_code == 202
        await settle(instance)
        assert (await cli.ok(instance, "volunteers", "garden")).split("\t")[5] == "listed"
        assert "unlist me" in _answers(peer, ana)[1]["content"]
        async with instance.client() as client:
            page = (await client.get(f"{group_id}/volunteers")).text
        assert handle in page and "cooking, first_aid, bike_repair" in page
        assert len(_answers(peer, ana)) == 2
        # When: an organizer takes her off the page, her next "list me" only asks again.
        out = await cli.ok(instance, "volunteer", "listing", "garden", handle, "--off")
        assert out == f"{handle} is not listed on the public volunteers page\n"
        again = _reply(peer, ana, group_id, instance.host, call, "list me again", [])
        assert (await peer.post(inbox, again)).status_code == 202
        await settle(instance)
        line = await cli.ok(instance, "volunteers", "garden")
        assert line.split("\t")[5] == "asked to be listed"
        assert "Our organizers will decide" in _answers(peer, ana)[2]["content"]
        async with instance.client() as client:
            assert handle not in (await client.get(f"{group_id}/volunteers")).text
        await cli.ok(instance, "volunteer", "listing", "garden", handle, "--on")
        async with instance.client() as client:
            assert handle in (await client.get(f"{group_id}/volunteers")).text


PRIVATE = ("Secret Sam", "Hidden Lane", "Mondays 9 to 5", "Quiet Close", "Sundays only")


async def test_nothing_private_reaches_a_page_feed_collection_or_peer(
    make_instance: Any, cli: Cli
) -> None:
    instance = await make_instance()
    group = await add_group(instance, "garden")
    group_id = instance.ctx.urls.group(group.uid)
    async with running_peer() as peer:
        ana = peer.actor("ana")
        # Given: Ana follows the group (so she receives what it publishes).
        follow = peer.activity(ana, "Follow", group_id)
        assert (await peer.post(f"{group_id}/inbox", follow)).status_code == 202
        await settle(instance)
        # And: an unlisted volunteer, and a listed one with a badge; both with private details.
        await cli.ok(
            instance, "volunteer", "add", "garden", "Secret Sam", "--skill", "plumbing",
            "--area", "Hidden Lane 5", "--availability", "Mondays 9 to 5",
        )  # fmt: skip
        await cli.ok(
            instance, "volunteer", "add", "garden", "Lia", "--skill", "cooking", "--listed",
            "--area", "Quiet Close 7", "--availability", "Sundays only",
        )  # fmt: skip
        await cli.ok(instance, "volunteers", "role", "garden", "cook", "--criteria", "cooks")
        await cli.ok(instance, "volunteer", "grant", "garden", "Lia", "cook")
        await cli.ok(instance, "volunteer", "helped", "garden", "Secret Sam")
        await cli.ok(instance, "volunteer", "mentor", "garden", "Secret Sam", "Lia")
        await cli.ok(instance, "need", "garden", "Fix a tap", "--skill", "plumbing")
        call = await _call(instance, cli)
        reply = _reply(peer, ana, group_id, instance.host, call, "skills: gardening", [])
        assert (await peer.post(f"{group_id}/inbox", reply)).status_code == 202
        await settle(instance)
        # Then: the public pages, feeds and collections show Lia and her badge, nothing else.
        seen = await public_texts(instance, group, tags=("plumbing", "cooking"))
        async with instance.client() as client:
            listing = (await client.get(f"{group_id}/volunteers")).text
        assert "Lia" in listing and '<span class="badge">cook</span>' in listing
        for text in PRIVATE:
            assert not any(text in page for page in seen), text
        # And: what the peer received (the call, the answer to Ana) holds none of it.
        received = [r.body.decode() for r in peer.received]
        assert any("looking for volunteers" in body for body in received)
        assert any("gardening" in body for body in received)
        for text in (*PRIVATE, "Lia"):
            assert not any(text in body for body in received), text
        # And: the direct answer to Ana is not served to anyone who asks for it.
        (answer,) = _answers(peer, ana)
        async with instance.client() as client:
            for accept in (AP, "text/html"):
                fetched = await client.get(answer["id"], headers={"Accept": accept})
                assert fetched.status_code == 404 and "gardening" not in fetched.text
