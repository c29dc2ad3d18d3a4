"""Pure builders of the activities a group sends, in the shapes Mastodon reads.

Nothing here touches the database or the network: each function takes plain values
and returns a JSON-ready dict. Embedded objects carry no ``@context``; only the
top-level document does (as Mastodon sends them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from documents.common import jsonld_context, timestamp
from documents.context import ACTOR_CONTEXT, object_context
from federation.vocab import AS_CONTEXT, PUBLIC

Visibility = Literal["public", "unlisted", "followers"]
VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted", "followers")

# The extension terms our Notes use: ``sensitive`` and ``Hashtag`` (as Mastodon declares them).
NOTE_CONTEXT: list[Any] = jsonld_context()


def addressing(visibility: Visibility, followers: str) -> dict[str, list[str]]:
    """``to``/``cc`` for a visibility, as Mastodon tells them apart.

    Public is ``as:Public`` in ``to``; unlisted moves it to ``cc``; followers-only
    names just the followers collection.
    """
    if visibility == "public":
        return {"to": [PUBLIC], "cc": [followers]}
    if visibility == "unlisted":
        return {"to": [followers], "cc": [PUBLIC]}
    if visibility == "followers":
        return {"to": [followers], "cc": []}
    raise ValueError(f"unknown visibility {visibility!r}")


def note(
    *,
    note_id: str,
    actor: str,
    followers: str,
    content: str,
    published: dt.datetime,
    visibility: Visibility,
    tags: list[dict[str, str]],
    language: str = "en",
    updated: dt.datetime | None = None,
) -> dict[str, Any]:
    """A ``Note`` (without ``@context``): the object of a status update.

    ``url`` is the id itself: the same URL serves the HTML page to browsers.
    """
    doc: dict[str, Any] = {
        "id": note_id,
        "type": "Note",
        "url": note_id,
        "attributedTo": actor,
        "published": timestamp(published),
        **addressing(visibility, followers),
        "sensitive": False,
        "content": content,
        # Mastodon reads only the first entry; the group's language goes first.
        "contentMap": {language: content},
        "tag": tags,
    }
    if updated is not None:
        doc["updated"] = timestamp(updated)
    return doc


def with_context(doc: dict[str, Any], context: Any = AS_CONTEXT) -> dict[str, Any]:
    """``doc`` with ``@context`` first, for serving or sending it at the top level."""
    return {"@context": context, **{k: v for k, v in doc.items() if k != "@context"}}


def _audience(obj: dict[str, Any]) -> dict[str, Any]:
    return {"to": obj.get("to", []), "cc": obj.get("cc", [])}


def create(activity_id: str, actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``Create`` of ``obj``, addressed like the object, with the terms the object uses."""
    return {
        "@context": object_context(obj),
        "id": activity_id,
        "type": "Create",
        "actor": actor,
        "published": obj["published"],
        **_audience(obj),
        "object": obj,
    }


def update(activity_id: str, actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``Update`` carrying the edited object in full (with its ``updated`` time)."""
    return {
        "@context": object_context(obj),
        "id": activity_id,
        "type": "Update",
        "actor": actor,
        "published": obj.get("updated", obj.get("published")),
        **_audience(obj),
        "object": obj,
    }


def tombstone(object_id: str, former_type: str, deleted: dt.datetime) -> dict[str, Any]:
    """What stays at a deleted object's id (served with ``410 Gone``)."""
    return {
        "id": object_id,
        "type": "Tombstone",
        "formerType": former_type,
        "deleted": timestamp(deleted),
    }


def delete(
    activity_id: str, actor: str, tomb: dict[str, Any], deleted_obj: dict[str, Any]
) -> dict[str, Any]:
    """``Delete`` with a ``Tombstone`` object, addressed like the object it deletes.

    (Mastodon addresses every Delete to Public; keeping the original audience says
    nothing about a followers-only post to anyone who never saw it.)
    """
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Delete",
        "actor": actor,
        **_audience(deleted_obj),
        "object": tomb,
    }


def follow(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """``Follow`` of ``target`` by ``actor`` (without ``@context``, for embedding)."""
    return {"id": activity_id, "type": "Follow", "actor": actor, "object": target}


def undo(activity_id: str, actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``Undo`` of an activity we sent, embedded in full (Mastodon matches on its id)."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Undo",
        "actor": actor,
        "object": obj,
    }


def block(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """``Block`` of the account ``target`` (without ``@context``; Mastodon's shape)."""
    return {"id": activity_id, "type": "Block", "actor": actor, "object": target}


def flag(flag_id: str, actor: str, targets: list[str], content: str) -> dict[str, Any]:
    """``Flag`` (a report) about ``targets`` (the account, then its posts), as Mastodon sends it.

    Sent by the instance actor, so the reporting group stays anonymous.
    """
    return {
        "@context": AS_CONTEXT,
        "id": flag_id,
        "type": "Flag",
        "actor": actor,
        "content": content,
        "object": targets,
    }


def accept_join(activity_id: str, actor: str, join_id: str, participant: str) -> dict[str, Any]:
    """``Accept`` of a participant's ``Join`` of an event, as a Mobilizon organizer sends it:
    the object is the Join's id, addressed to the participant alone."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Accept",
        "actor": actor,
        "to": [participant],
        "cc": [],
        "object": join_id,
    }


def answer(
    kind: Literal["Accept", "Reject"], activity_id: str, actor: str, follow_doc: dict[str, Any]
) -> dict[str, Any]:
    """``Accept`` or ``Reject`` of a Follow, embedding it with its exact id and actor.

    Mastodon also treats a ``Reject`` of a Follow it had seen accepted as removal.
    """
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor,
        "to": [follow_doc["actor"]],
        "object": follow_doc,
    }


def update_actor(activity_id: str, actor_doc: dict[str, Any]) -> dict[str, Any]:
    """``Update`` of a group's actor document, so followers refresh its profile."""
    embedded = {k: v for k, v in actor_doc.items() if k != "@context"}
    return {
        "@context": ACTOR_CONTEXT,
        "id": activity_id,
        "type": "Update",
        "actor": actor_doc["id"],
        "to": [PUBLIC],
        "object": embedded,
    }
