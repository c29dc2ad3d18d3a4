"""A Lemmy user follows a network: Lemmy's exact Follow in, an Accept and Announces out,
each checked against what Lemmy's parser and verifier require (LemmyNet/lemmy,
``crates/apub/activities/src/following/`` and ``crates/apub/activities/src/community/``,
``crates/apub/objects/src/protocol/group.rs``).

What Lemmy does with the announces is the limit of this interop: Lemmy takes a post
from a community only when a person (``Person``, ``Service`` or ``Organization``)
wrote it and addressed it to the community, so a member group's post, written by a
``Group``, reaches Lemmy users but is not shown (see the last test's comments).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.networks.others import LEMMY_CONTEXT, PUBLIC, lemmy_user, running_other_peer
from tests.peer import AP
from tests.sharing.network import Cli


def _many(value: Any) -> list[Any]:
    """Lemmy's ``deserialize_one_or_many``: a value or a list of values."""
    return value if isinstance(value, list) else [value]


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def assert_lemmy_reads_group(doc: dict[str, Any]) -> None:
    """``doc`` deserialises as Lemmy's ``Group`` (objects/src/protocol/group.rs): the
    fields without a default are there, and the optional ones Lemmy parses strictly
    have its shape (``endpoints`` has no skip-on-error: it needs ``sharedInbox``)."""
    assert doc["type"] == "Group"
    assert _is_url(doc["id"]) and _is_url(doc["inbox"]) and _is_url(doc["outbox"])
    assert isinstance(doc["preferredUsername"], str)
    key = doc["publicKey"]
    assert isinstance(key["id"], str) and key["owner"] == doc["id"]
    assert "PUBLIC KEY" in key["publicKeyPem"]
    if "endpoints" in doc:
        assert _is_url(doc["endpoints"]["sharedInbox"])
    for optional in ("followers", "featured"):
        assert optional not in doc or _is_url(doc[optional])
    for text in ("name", "summary"):
        assert doc.get(text) is None or isinstance(doc[text], str)
    # ``manuallyApprovesFollowers: true`` makes it a private community to Lemmy, which
    # then refuses public posts in it (community_visibility, verify_visibility).
    assert doc.get("manuallyApprovesFollowers") in (None, False)


def assert_lemmy_takes_accept(accept: dict[str, Any], follow: dict[str, Any]) -> None:
    """``AcceptFollow::verify`` (activities/src/following/accept.rs): the Accept's actor
    is the Follow's object, the embedded Follow verifies (``to[0]`` = its object), and
    the Accept's ``to[0]``, when given, is the follower."""
    assert accept["type"] == "Accept" and _is_url(accept["id"])
    embedded = accept["object"]
    if isinstance(embedded, str):
        assert embedded == follow["id"]  # Lemmy would fetch it by id
        return
    assert embedded["type"] == "Follow" and embedded["id"] == follow["id"]
    assert embedded["actor"] == follow["actor"]
    assert embedded["object"] == accept["actor"] == follow["object"]
    if "to" in embedded:
        assert _many(embedded["to"])[0] == embedded["object"]
    if "to" in accept:
        assert _many(accept["to"])[0] == follow["actor"]


def assert_lemmy_parses_announce(announce: dict[str, Any], community: str) -> None:
    """``AnnounceActivity`` (activities/src/protocol/community/announce.rs) parses it and
    passes ``verify_visibility`` for a public community: ``to`` and ``cc`` are required,
    the public collection in one of them, the object an id or an activity with ``actor``."""
    assert announce["type"] == "Announce" and _is_url(announce["id"])
    assert announce["actor"] == community
    assert PUBLIC in _many(announce["to"]) + _many(announce["cc"])
    obj = announce["object"]
    assert _is_url(obj) or (_is_url(obj["id"]) and _is_url(obj["actor"]))


async def _actor_document(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        answer = await client.get(url, headers={"Accept": AP})
    assert answer.status_code == 200
    doc: dict[str, Any] = answer.json()
    return doc


async def _network_with_a_member(cli: Cli, one: Instance, two: Instance) -> tuple[str, str]:
    """``region`` on one, ``eastside`` on two a member of it; their actor ids."""
    await cli.ok(one, "group", "create", "region", "--network")
    await add_group(two, "eastside")
    await cli.ok(two, "network", "join", "eastside", f"region@{one.host}")
    await settle(one, two)
    return one.ctx.urls.group("region"), two.ctx.urls.group("eastside")


async def test_a_lemmy_user_follows_a_network_and_gets_its_announces(
    make_instance: Any, cli: Cli
) -> None:
    one, two = await make_instance(), await make_instance()
    network, eastside = await _network_with_a_member(cli, one, two)
    async with running_other_peer() as lemmy:
        ana = lemmy_user(lemmy, "ana")
        # Given the network's actor document, which Lemmy parses as a community
        doc = await _actor_document(network)
        assert_lemmy_reads_group(doc)

        # When ana subscribes from Lemmy: Follow::new (activities/src/following/follow.rs),
        # sent to the community's shared inbox, with FEDERATION_CONTEXT
        follow = {
            "@context": LEMMY_CONTEXT,
            "actor": ana.id,
            "to": [network],
            "object": network,
            "type": "Follow",
            "id": f"{lemmy.base_url}/activities/follow/{uuid.uuid4()}",
        }
        inbox = doc.get("endpoints", {}).get("sharedInbox", doc["inbox"])
        assert (await lemmy.post(inbox, follow, actor=ana)).status_code == 202
        await settle(one, two)
        # Then the network accepts in a form Lemmy's Accept handler verifies
        [accept] = lemmy.inbox_activities("Accept")
        assert_lemmy_takes_accept(accept, follow)
        assert f"\t{ana.id}\n" in await cli.ok(one, "followers", "region")
        # And ana, a person, follows the network without becoming a member group
        members = await cli.ok(one, "network", "members", "region")
        assert members.startswith(f"eastside@{two.host}\tapproved")
        assert "ana" not in members

        # When eastside posts, the network announces it in both forms, each parsed by Lemmy
        await cli.ok(two, "post", "eastside", "Tool library opens Saturday")
        await settle(one, two)
        announces = lemmy.inbox_activities("Announce")
        assert len(announces) == 2
        for announce in announces:
            assert_lemmy_parses_announce(announce, network)
        [relayed] = [a for a in announces if isinstance(a["object"], dict)]
        [boost] = [a for a in announces if isinstance(a["object"], str)]
        create = relayed["object"]
        assert create["type"] == "Create" and boost["object"] == create["object"]["id"]
        assert "Tool library opens Saturday" in create["object"]["content"]

        # But Lemmy does not show it: the Create's actor must dereference as a Person
        # (CreateOrUpdatePage/Note ``actor: ObjectId<ApubPerson>``; UserTypes is Person,
        # Service, Organization), a Create{Note} is read as a comment (Note needs
        # ``inReplyTo``), and the community is found from the post's to/cc/audience,
        # which name the member, not the network. The boost's object has no ``actor``,
        # so it does not parse as RawAnnouncableActivities either.
        assert create["actor"] == eastside
        author = await _actor_document(eastside)
        assert author["type"] == "Group"
        note = create["object"]
        addressed = _many(note.get("to", [])) + _many(note.get("cc", []))
        assert network not in addressed + _many(note.get("audience", []))
