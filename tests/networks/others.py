"""Fake Lemmy and Mobilizon servers: a `Peer` whose actors live where those servers put
them (``/u/NAME`` for a Lemmy user, ``/@NAME`` for a Mobilizon group) and publish the
documents those servers publish, each with its own inbox."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.peer import AS_CONTEXT, Peer, PeerActor, running_peer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

# What Lemmy puts on everything it sends (lemmy: crates/utils/src/lib.rs FEDERATION_CONTEXT).
LEMMY_CONTEXT = ["https://join-lemmy.org/context.json", AS_CONTEXT]

# Mobilizon's JSON-LD header (mobilizon: lib/federation/activity_pub/utils.ex
# make_json_ld_header), trimmed to the terms the documents below use.
MOBILIZON_CONTEXT: list[Any] = [
    AS_CONTEXT,
    "https://w3id.org/security/v1",
    {
        "@language": "und",
        "sc": "http://schema.org#",
        "mz": "https://joinmobilizon.org/ns#",
        "ical": "http://www.w3.org/2002/12/cal/ical#",
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "location": {"@id": "sc:location", "@type": "sc:Place"},
        "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
        "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
        "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
        "members": {"@id": "mz:members", "@type": "@id"},
        "events": {"@id": "mz:events", "@type": "@id"},
        "openness": {"@id": "mz:openness", "@type": "@id"},
    },
]


@asynccontextmanager
async def running_other_peer() -> AsyncIterator[Peer]:
    """A `Peer` on a loopback port that also takes POSTs at ``/u/NAME/inbox`` (Lemmy)
    and ``/@NAME/inbox`` (Mobilizon), recorded like its other inboxes."""
    async with running_peer(inboxes=("/u/{name}/inbox", "/@{name}/inbox")) as peer:
        yield peer


def _moved(peer: Peer, name: str, path: str) -> PeerActor:
    """A peer actor (with its own key pair) whose id is ``path`` on the peer."""
    return dataclasses.replace(peer.actor(name), id=peer.base_url + path)


def lemmy_user(peer: Peer, name: str) -> PeerActor:
    """A Lemmy user at ``/u/NAME``, serving the Person document Lemmy publishes
    (lemmy: crates/apub/apub/assets/lemmy/objects/person.json)."""
    user = _moved(peer, name, f"/u/{name}")
    peer.serve(
        {
            "@context": LEMMY_CONTEXT,
            "id": user.id,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "inbox": user.id + "/inbox",
            "outbox": user.id + "/outbox",
            "endpoints": {"sharedInbox": peer.base_url + "/inbox"},
            "published": "2026-01-17T01:38:22.348392Z",
            "publicKey": {"id": user.key_id, "owner": user.id, "publicKeyPem": user.public_pem},
        }
    )
    return user


def mobilizon_group(peer: Peer, name: str) -> PeerActor:
    """A Mobilizon group at ``/@NAME``, serving the Group document Mobilizon publishes
    (lemmy: crates/apub/apub/assets/mobilizon/objects/group.json, from mobilizon.fr)."""
    group = _moved(peer, name, f"/@{name}")
    peer.serve(
        {
            "@context": MOBILIZON_CONTEXT,
            "id": group.id,
            "type": "Group",
            "preferredUsername": name,
            "name": name.title(),
            "summary": "<p>Des ateliers pour contribuer au libre.</p>",
            "url": group.id,
            "inbox": group.id + "/inbox",
            "outbox": group.id + "/outbox",
            "followers": group.id + "/followers",
            "following": group.id + "/following",
            "members": group.id + "/members",
            "events": group.id + "/events",
            "endpoints": {
                "sharedInbox": peer.base_url + "/inbox",
                "members": group.id + "/members",
                "events": group.id + "/events",
            },
            "manuallyApprovesFollowers": False,
            "openness": "open",
            "discoverable": True,
            "publicKey": {"id": group.key_id, "owner": group.id, "publicKeyPem": group.public_pem},
        }
    )
    return group


def mobilizon_person(peer: Peer, name: str) -> PeerActor:
    """A Mobilizon profile at ``/@NAME``, serving the Person document Mobilizon publishes
    (lemmy: crates/apub/apub/assets/mobilizon/objects/person.json)."""
    person = _moved(peer, name, f"/@{name}")
    peer.serve(
        {
            "@context": MOBILIZON_CONTEXT,
            "id": person.id,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "url": person.id,
            "inbox": person.id + "/inbox",
            "outbox": person.id + "/outbox",
            "followers": person.id + "/followers",
            "following": person.id + "/following",
            "endpoints": {"sharedInbox": peer.base_url + "/inbox"},
            "manuallyApprovesFollowers": False,
            "publicKey": {
                "id": person.key_id,
                "owner": person.id,
                "publicKeyPem": person.public_pem,
            },
        }
    )
    return person
