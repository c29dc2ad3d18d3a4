"""Local actors as ActivityStreams documents."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from actors.keys import assertion_key_id, ed25519_key
from actors.models import Group
from actors.urls import Urls
from documents.common import hashtag, timestamp
from documents.context import ACTOR_CONTEXT
from documents.whereabouts import language_tags, location
from federation.proofs import multikey_document


def field_html(value: str) -> str:
    """A profile field's value as the HTML Mastodon shows: a link when it is a URL."""
    text = html.escape(value)
    if value.startswith(("https://", "http://")) and " " not in value:
        return f'<a href="{text}" rel="me nofollow noopener noreferrer" target="_blank">{text}</a>'
    return text


def _public_key(owner: str, key_id: str, public_pem: str) -> dict[str, str]:
    return {"id": key_id, "owner": owner, "publicKeyPem": public_pem}


def _assertion_key(actor_id: str, private_pem: str) -> dict[str, str]:
    """The Multikey that checks the integrity proofs of what the group sends (FEP-521a)."""
    public = ed25519_key(private_pem).public_key()
    return multikey_document(assertion_key_id(actor_id), actor_id, public)


def group_actor(
    group: Group, urls: Urls, host: str, liaisons: Sequence[str] = ()
) -> dict[str, Any]:
    """The ``Group`` actor document Mastodon and other servers fetch and follow.

    ``liaisons`` are the handles of its contacts for other groups, shown as profile
    fields named ``Liaison`` after the group's own fields. ``alsoKnownAs`` and
    ``movedTo`` are as Mastodon publishes them (``follows.moves``). Its place, topics and
    languages are ``location``, ``tag`` and ``language`` (``documents.whereabouts``).
    """
    actor_id = urls.group(group.uid)
    fields = [(field["name"], field["value"]) for field in group.fields]
    fields += [("Liaison", handle) for handle in liaisons]
    doc: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": actor_id,
        "type": "Group",
        "preferredUsername": group.name,
        "name": group.display_name or group.name,
        "summary": group.summary_html,
        "url": actor_id,
        "inbox": urls.group_collection(group.uid, "inbox"),
        "outbox": urls.group_collection(group.uid, "outbox"),
        "followers": urls.group_collection(group.uid, "followers"),
        "following": urls.group_collection(group.uid, "following"),
        "featured": urls.group_collection(group.uid, "featured"),
        "endpoints": {"sharedInbox": urls.shared_inbox},
        "publicKey": _public_key(actor_id, urls.group_key(group.uid), group.public_key_pem),
        "manuallyApprovesFollowers": group.manual_approval,
        "discoverable": group.discoverable,
        "indexable": group.discoverable,
        "published": timestamp(group.created_at),
        "updated": timestamp(group.updated_at),
        "webfinger": f"{group.name}@{host}",
        "attachment": [
            {"type": "PropertyValue", "name": name, "value": field_html(value)}
            for name, value in fields
        ],
    }
    if group.also_known_as:
        doc["alsoKnownAs"] = list(group.also_known_as)
    if group.moved_to:
        doc["movedTo"] = group.moved_to
    if group.ed25519_private_pem:
        doc["assertionMethod"] = [_assertion_key(actor_id, group.ed25519_private_pem)]
    if group.is_network:
        # Mobilizon's term for a group's members collection; ours lists member groups.
        doc["members"] = urls.group_collection(group.uid, "members")
    if group.icon_url:
        doc["icon"] = {"type": "Image", "url": group.icon_url}
    if (place := location(group.place, group.latitude, group.longitude)) is not None:
        doc["location"] = place
    if group.topics:
        doc["tag"] = [hashtag(topic, urls.tag) for topic in group.topics]
    if group.languages:
        doc["language"] = language_tags(group.languages)
    return doc


def instance_actor(urls: Urls, host: str, public_pem: str) -> dict[str, Any]:
    """The instance actor (``Application``), whose key signs our outgoing GETs."""
    actor_id = urls.instance_actor
    return {
        "@context": ACTOR_CONTEXT,
        "id": actor_id,
        "type": "Application",
        "preferredUsername": host.split(":")[0],
        "name": "Mutuals instance actor",
        "url": urls.base + "/",
        "inbox": urls.shared_inbox,
        "outbox": actor_id + "/outbox",
        "endpoints": {"sharedInbox": urls.shared_inbox},
        "publicKey": _public_key(actor_id, actor_id + "#main-key", public_pem),
        "manuallyApprovesFollowers": True,
        "discoverable": False,
        "indexable": False,
    }
