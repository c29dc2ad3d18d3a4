"""Members of a group on a fake Mastodon server: following it and posting through it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from actors.groups import get_group
from forum.models import Message
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import AS_CONTEXT, Peer, PeerActor

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# The @context Mastodon puts on a Create{Note} (trimmed to the terms a Note uses).
MASTODON_CONTEXT: list[Any] = [
    AS_CONTEXT,
    {
        "ostatus": "http://ostatus.org#",
        "atomUri": "ostatus:atomUri",
        "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
        "conversation": "ostatus:conversation",
        "sensitive": "as:sensitive",
        "toot": "http://joinmastodon.org/ns#",
        "votersCount": "toot:votersCount",
    },
]


async def forum_group(instance: Instance, name: str = "garden", posting: str = "open") -> str:
    """A group with the given posting policy; its actor id."""
    group = await add_group(instance, name, posting=posting)
    return instance.ctx.urls.group(group.uid)


async def join(instance: Instance, peer: Peer, actor: PeerActor, group_id: str) -> None:
    """``actor`` follows the group through its inbox (a real signed Follow), accepted."""
    follow = peer.activity(actor, "Follow", group_id)
    response = await peer.post(group_id + "/inbox", follow)
    assert response.status_code == 202
    await settle(instance)


def mastodon_post(
    peer: Peer,
    author: PeerActor,
    group_id: str,
    handle: str,
    text: str,
    *,
    direct: bool = False,
    in_reply_to: str | None = None,
    mentions: list[str] | None = None,
) -> dict[str, Any]:
    """The ``Create{Note}`` Mastodon sends for "@garden@host text": the group in ``cc``
    (or in ``to`` alone for a direct message) and a ``Mention`` tag. The Note is served."""
    note_id = peer.new_id(author, "statuses")
    named = [group_id, *(mentions or [])]
    to, cc = ([group_id], []) if direct else ([PUBLIC], [author.id + "/followers", *named])
    tags = [{"type": "Mention", "href": href, "name": f"@{handle}"} for href in named]
    content = (
        f'<p><span class="h-card" translate="no"><a href="{group_id}" class="u-url mention">'
        f"@<span>{handle.split('@')[0]}</span></a></span> {text}</p>"
    )
    note = {
        "id": note_id,
        "type": "Note",
        "summary": None,
        "inReplyTo": in_reply_to,
        "published": "2026-12-03T10:00:00Z",
        "url": note_id.replace("/statuses/", "/@"),
        "attributedTo": author.id,
        "to": to,
        "cc": cc,
        "sensitive": False,
        "atomUri": note_id,
        "inReplyToAtomUri": in_reply_to,
        "conversation": f"tag:{peer.base_url},2026-12-03:objectId={note_id}",
        "content": content,
        "contentMap": {"en": content},
        "attachment": [],
        "tag": tags,
    }
    peer.serve({"@context": MASTODON_CONTEXT, **note})
    return {
        "@context": MASTODON_CONTEXT,
        "id": note_id + "/activity",
        "type": "Create",
        "actor": author.id,
        "published": note["published"],
        "to": to,
        "cc": cc,
        "object": note,
    }


async def messages(instance: Instance, group: str = "garden") -> list[Message]:
    """The group's messages, oldest first."""
    async with instance.ctx.sessions() as session:
        found = await get_group(session, group)
        rows = await session.execute(
            select(Message).where(Message.group_id == found.id).order_by(Message.id)
        )
        return list(rows.scalars())


def announces(peer: Peer) -> list[dict[str, Any]]:
    """The Announces the peer's inboxes received, in order."""
    return peer.inbox_activities("Announce")
