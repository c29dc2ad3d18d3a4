"""Pure builders of the activities a group sends, in the shapes Mastodon reads.

Nothing here touches the database or the network: each function takes plain values
and returns a JSON-ready dict. Embedded objects carry no ``@context``; only the
top-level document does (as Mastodon sends them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from documents.common import jsonld_context, timestamp
from documents.context import ACTOR_CONTEXT, object_context
from documents.multilingual import Multilingual
from federation.vocab import AS_CONTEXT, PUBLIC

Visibility = Literal["public", "unlisted", "followers", "direct"]
VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted", "followers")
"""What a post can be published as; ``direct`` is only for a group's replies."""

# The extension terms our Notes use: ``sensitive`` and ``Hashtag`` (as Mastodon declares them).
NOTE_CONTEXT: list[Any] = jsonld_context()


def addressing(
    visibility: Visibility, followers: str, mentions: Sequence[str] = ()
) -> dict[str, list[str]]:
    """``to``/``cc`` for a visibility, as Mastodon tells them apart.

    Public is ``as:Public`` in ``to``; unlisted moves it to ``cc``; followers-only
    names just the followers collection; direct names only the mentioned accounts.
    Mentioned accounts go in ``cc``, or in ``to`` when the post is not public.
    """
    named = list(mentions)
    if visibility == "public":
        return {"to": [PUBLIC], "cc": [followers, *named]}
    if visibility == "unlisted":
        return {"to": [followers], "cc": [PUBLIC, *named]}
    if visibility == "followers":
        return {"to": [followers, *named], "cc": []}
    if visibility == "direct":
        return {"to": named, "cc": []}
    raise ValueError(f"unknown visibility {visibility!r}")


def note(
    *,
    note_id: str,
    actor: str,
    followers: str,
    content: Multilingual,
    published: dt.datetime,
    visibility: Visibility,
    tags: list[dict[str, str]],
    updated: dt.datetime | None = None,
    in_reply_to: str | None = None,
    summary: str | None = None,
) -> dict[str, Any]:
    """A ``Note`` (without ``@context``): the object of a status update, or a reply.

    ``content`` is the rendered HTML in each language, the group's language first
    (Mastodon reads only the map's first entry). ``url`` is the id itself: the same
    URL serves the HTML page to browsers. ``audience`` names the group (FEP-1b12), and
    ``replies`` the collection of the replies it keeps. The accounts that ``Mention``
    tags name are addressed too. A content warning (``summary``, plain text) marks it
    ``sensitive``: Mastodon shows the warning and hides the content behind it.
    """
    mentions = [t["href"] for t in tags if t.get("type") == "Mention"]
    doc: dict[str, Any] = {"id": note_id, "type": "Note"}
    if in_reply_to is not None:
        doc["inReplyTo"] = in_reply_to
    doc |= {
        "url": note_id,
        "attributedTo": actor,
        "published": timestamp(published),
        **addressing(visibility, followers, mentions),
        "audience": actor,
        **warning_fields(summary),
        **content.fields("content"),
        "tag": tags,
        "replies": replies_id(note_id),
    }
    if updated is not None:
        doc["updated"] = timestamp(updated)
    return doc


def warning_fields(summary: str | None) -> dict[str, Any]:
    """A Note's ``summary`` and ``sensitive``, as Mastodon writes a content warning:
    ``sensitive`` alone (false) when there is none."""
    if summary:
        return {"summary": summary, "sensitive": True}
    return {"sensitive": False}


def replies_id(object_id: str) -> str:
    """The id of a post's ``replies`` collection."""
    return f"{object_id}/replies"


def mention(actor_id: str, handle: str) -> dict[str, str]:
    """A ``tag`` entry mentioning an account (``@user@host``), as Mastodon writes it."""
    return {"type": "Mention", "href": actor_id, "name": handle}


def with_context(doc: dict[str, Any], context: Any = AS_CONTEXT) -> dict[str, Any]:
    """``doc`` with ``@context`` first, for serving or sending it at the top level."""
    return {"@context": context, **{k: v for k, v in doc.items() if k != "@context"}}


def _audience(obj: dict[str, Any]) -> dict[str, Any]:
    return {"to": obj.get("to", []), "cc": obj.get("cc", [])}


def _envelope(context: Any, activity_id: str, kind: str, actor: str) -> dict[str, Any]:
    """The keys every top-level activity starts with, in the order Mastodon writes them."""
    return {"@context": context, "id": activity_id, "type": kind, "actor": actor}


def _carrying(
    kind: str, activity_id: str, actor: str, obj: dict[str, Any], published: str | None
) -> dict[str, Any]:
    """What ``Create`` and ``Update`` share: ``obj`` in full, addressed like it, with its terms."""
    return {
        **_envelope(object_context(obj), activity_id, kind, actor),
        "published": published,
        **_audience(obj),
        "object": obj,
    }


def create(activity_id: str, actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``Create`` of ``obj``, addressed like the object, with the terms the object uses."""
    return _carrying("Create", activity_id, actor, obj, obj["published"])


def update(activity_id: str, actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``Update`` carrying the edited object in full (with its ``updated`` time)."""
    return _carrying("Update", activity_id, actor, obj, obj.get("updated", obj.get("published")))


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
        **_envelope(AS_CONTEXT, activity_id, "Delete", actor),
        **_audience(deleted_obj),
        "object": tomb,
    }


def follow(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """``Follow`` of ``target`` by ``actor`` (without ``@context``, for embedding)."""
    return {"id": activity_id, "type": "Follow", "actor": actor, "object": target}


def undo(activity_id: str, actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``Undo`` of an activity we sent, embedded in full (Mastodon matches on its id)."""
    return {**_envelope(AS_CONTEXT, activity_id, "Undo", actor), "object": obj}


def block(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """``Block`` of the account ``target`` (without ``@context``; Mastodon's shape)."""
    return {"id": activity_id, "type": "Block", "actor": actor, "object": target}


def flag(flag_id: str, actor: str, targets: list[str], content: str) -> dict[str, Any]:
    """``Flag`` (a report) about ``targets`` (the account, then its posts), as Mastodon sends it.

    Sent by the instance actor, so the reporting group stays anonymous.
    """
    return {
        **_envelope(AS_CONTEXT, flag_id, "Flag", actor),
        "content": content,
        "object": targets,
    }


def accept_join(activity_id: str, actor: str, join_id: str, participant: str) -> dict[str, Any]:
    """``Accept`` of a participant's ``Join`` of an event, as a Mobilizon organizer sends it:
    the object is the Join's id, addressed to the participant alone."""
    return {
        **_envelope(AS_CONTEXT, activity_id, "Accept", actor),
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
        **_envelope(AS_CONTEXT, activity_id, kind, actor),
        "to": [follow_doc["actor"]],
        "object": follow_doc,
    }


def update_actor(activity_id: str, actor_doc: dict[str, Any]) -> dict[str, Any]:
    """``Update`` of a group's actor document, so followers refresh its profile."""
    embedded = {k: v for k, v in actor_doc.items() if k != "@context"}
    return {
        **_envelope(ACTOR_CONTEXT, activity_id, "Update", actor_doc["id"]),
        "to": [PUBLIC],
        "object": embedded,
    }


def move(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """``Move`` of a group to ``target``, as Mastodon's ``MoveSerializer`` writes it: the
    ``object`` is the actor itself. Mastodon moves its followers only once ``target``'s
    ``alsoKnownAs`` names ``actor``."""
    return {
        **_envelope(AS_CONTEXT, activity_id, "Move", actor),
        "target": target,
        "object": actor,
    }


def relay(activity_id: str, actor: str, activity: dict[str, Any], followers: str) -> dict[str, Any]:
    """``Announce`` of a member's activity (``Create``, ``Update``, ``Delete``) by the group,
    as FEP-1b12 groups relay them (Lemmy's shape; Lemmy and Mbin read this one).

    The activity is embedded as received; its ``@context`` moves up to the Announce, so
    the terms it uses stay defined.
    """
    embedded = {k: v for k, v in activity.items() if k != "@context"}
    return {
        **_envelope(activity.get("@context", AS_CONTEXT), activity_id, "Announce", actor),
        "to": [PUBLIC],
        "cc": [followers],
        "object": embedded,
    }


def boost(
    activity_id: str,
    actor: str,
    object_id: str,
    *,
    author: str,
    followers: str,
    published: dt.datetime,
) -> dict[str, Any]:
    """``Announce`` of an object by id, exactly as Mastodon sends a boost: microblogs show
    it in the group's followers' timelines (and tell the author)."""
    return {
        **_envelope(AS_CONTEXT, activity_id, "Announce", actor),
        "published": timestamp(published),
        "to": [PUBLIC],
        "cc": [author, followers],
        "object": object_id,
    }


def removal(activity_id: str, actor: str, object_id: str, reason: str | None) -> dict[str, Any]:
    """``Delete`` of a member's post by the group that announced it, shaped as a Lemmy
    moderator's removal (the reason in ``summary``); it goes out inside a `relay`."""
    doc = {
        **_envelope(AS_CONTEXT, activity_id, "Delete", actor),
        "to": [PUBLIC],
        "cc": [actor],
        "audience": actor,
        "object": object_id,
    }
    if reason:
        doc["summary"] = reason
    return doc
