"""A network follows a Mobilizon group and gets its events: Mobilizon's exact Accept and
``Announce{Event}`` in (framasoft/mobilizon, ``lib/federation/activity_pub/``).

A Mobilizon group cannot join a network: Mobilizon sends a ``Follow`` only for a person
following a group (``lib/graphql/resolvers/group.ex`` ``follow_group``) or for its
instance relay (``relay.ex``), never for a group. It can be followed: a ``Follow`` of a
group is accepted at once unless the group approves followers by hand
(``types/actors.ex`` ``approve_if_manually_approves_followers``), and its events go to
its followers: the organizer's ``Create{Event}`` (the group's followers are in ``cc``)
and the group's own ``Announce`` of the Event (``utils.ex`` ``maybe_relay_if_group_activity``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from sharing.models import RemoteEvent
from tests.instances import Instance, settle
from tests.networks.others import (
    MOBILIZON_CONTEXT,
    PUBLIC,
    mobilizon_group,
    mobilizon_person,
    running_other_peer,
)
from tests.peer import Peer, PeerActor
from tests.sharing.network import Cli


def mobilizon_accept(peer: Peer, group: PeerActor, follow: dict[str, Any]) -> dict[str, Any]:
    """What Mobilizon sends when its group accepts a Follow (``actions/accept.ex``
    ``accept_follow`` with ``utils.ex`` ``make_accept_join_data``): the Follow rebuilt
    from its record (``converter/follower.ex``), keeping the follower's Follow id."""
    return {
        "@context": MOBILIZON_CONTEXT,
        "type": "Accept",
        "to": [follow["actor"]],
        "cc": [],
        "object": {
            "type": "Follow",
            "actor": follow["actor"],
            "to": [group.id],
            "cc": [PUBLIC],
            "object": group.id,
            "id": follow["id"],
        },
        "id": f"{peer.base_url}/accept/follow/{uuid.uuid4()}",
        "actor": group.id,
    }


def mobilizon_event(peer: Peer, group: PeerActor, organizer: PeerActor) -> dict[str, Any]:
    """A public group event as Mobilizon renders it (``converter/event.ex``; a real one
    in lemmy: crates/apub/apub/assets/mobilizon/objects/event.json): the organizer in
    ``actor``, the group in ``attributedTo``. Served at its id."""
    event_uuid = str(uuid.uuid4())
    event_id = f"{peer.base_url}/events/{event_uuid}"
    event = {
        "type": "Event",
        "to": [PUBLIC],
        "cc": [organizer.id + "/followers"],
        "attributedTo": group.id,
        "name": "Contribatelier de janvier",
        "actor": organizer.id,
        "uuid": event_uuid,
        "category": "WORKSHOP",
        "content": "<p>Venez contribuer au libre sans rien y connaître.</p>",
        "published": "2026-12-01T14:33:14Z",
        "updated": "2026-12-01T14:39:18Z",
        "mediaType": "text/html",
        "startTime": "2099-01-15T19:00:00+01:00",
        "endTime": "2099-01-15T21:00:00+01:00",
        "joinMode": "free",
        "externalParticipationUrl": None,
        "tag": [],
        "maximumAttendeeCapacity": 0,
        "remainingAttendeeCapacity": None,
        "participantCount": 0,
        "repliesModerationOption": "allow_all",
        "commentsEnabled": True,
        "anonymousParticipationEnabled": False,
        "attachment": [],
        "draft": False,
        "ical:status": "CONFIRMED",
        "status": "CONFIRMED",
        "id": event_id,
        "url": event_id,
        "inLanguage": "fr",
        "timezone": "Europe/Paris",
        "contacts": [],
        "isOnline": False,
        "summary": "jeudi 15 janvier 2099 de 19:00 à 21:00 (Europe/Paris) — La Cantine",
        "location": {
            "address": {
                "addressCountry": "France",
                "addressLocality": "Nantes",
                "addressRegion": "Pays de la Loire",
                "postalCode": "44000",
                "streetAddress": "1 rue de la Paix",
                "type": "PostalAddress",
            },
            "id": f"{peer.base_url}/address/{uuid.uuid4()}",
            "name": "La Cantine",
            "type": "Place",
        },
    }
    peer.serve({"@context": MOBILIZON_CONTEXT, **event})
    return event


def create_and_announce(
    event: dict[str, Any], group: PeerActor, organizer: PeerActor
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two activities the group's followers receive: the organizer's ``Create``
    (``utils.ex`` ``make_create_data`` with ``audience.ex`` for a group event) and the
    group's ``Announce`` of the Event, sent as not public (``make_announce_data``)."""
    create = {
        "@context": MOBILIZON_CONTEXT,
        "type": "Create",
        "to": [PUBLIC],
        "cc": [group.id + "/followers", group.id + "/members"],
        "attributedTo": group.id,
        "actor": organizer.id,
        "object": event,
        "published": "2026-12-01T14:33:14Z",
        "id": event["id"] + "/activity",
    }
    announce = {
        "@context": MOBILIZON_CONTEXT,
        "type": "Announce",
        "actor": group.id,
        "object": event,
        "to": [*event["to"], *event["cc"], group.id + "/followers", group.id + "/members"],
        "cc": [],
        "attributedTo": group.id,
        "id": f"{group.id.rsplit('/', 1)[0]}/announces/{uuid.uuid4()}",
    }
    return create, announce


async def _events(instance: Instance) -> list[RemoteEvent]:
    async with instance.ctx.sessions() as session:
        return list((await session.scalars(select(RemoteEvent))).all())


async def test_a_network_follows_a_mobilizon_group_and_gets_its_events(
    make_instance: Any, cli: Cli
) -> None:
    one = await make_instance()
    await cli.ok(one, "group", "create", "region", "--network")
    async with running_other_peer() as mobilizon:
        group = mobilizon_group(mobilizon, "contribateliers")
        organizer = mobilizon_person(mobilizon, "emorrp1")
        # When the network follows the Mobilizon group, which accepts as Mobilizon does
        await cli.ok(one, "follow", "region", group.id)
        await settle(one)
        [follow] = mobilizon.inbox_activities("Follow")
        assert (follow["actor"], follow["object"]) == (one.ctx.urls.group("region"), group.id)
        assert "pending" in await cli.ok(one, "following", "region")
        # (Mobilizon delivers to shared inboxes: publisher.ex ``shared_inbox_url || inbox_url``)
        inbox = one.ctx.urls.shared_inbox
        accept = mobilizon_accept(mobilizon, group, follow)
        assert (await mobilizon.post(inbox, accept, actor=group)).status_code < 300
        await settle(one)
        # Then the network follows it
        assert f"{group.id}\taccepted" in await cli.ok(one, "following", "region")

        # When a member of the group publishes an event in it: the organizer's Create,
        # then the group's Announce, both to the group's followers
        event = mobilizon_event(mobilizon, group, organizer)
        create, announce = create_and_announce(event, group, organizer)
        assert (await mobilizon.post(inbox, create, actor=organizer)).status_code < 300
        assert (await mobilizon.post(inbox, announce, actor=group)).status_code < 300
        await settle(one)
        # Then the network keeps the event once, the group's, with its time and place
        [kept] = await _events(one)
        assert (kept.ap_id, kept.attributed_to) == (event["id"], group.id)
        assert kept.title == "Contribatelier de janvier"
        assert kept.timezone == "Europe/Paris"
        assert kept.place_name == "La Cantine"
        assert kept.public
