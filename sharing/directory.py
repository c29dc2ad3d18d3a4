"""The directory of an instance: its own groups and the groups it knows, read from the
database as ``documents.directory`` entries.

Listed: every local group that has not opted out (``mutuals group update NAME
--unlisted`` clears ``discoverable``), with its liaisons and next event; and every remote
actor of type ``Group`` that a local group follows or that follows one (accepted), or
that a network linked to this instance lists as a member (``networks.outreach``), as
its stored actor document describes it. People and other actors are never listed: the
directory is of groups. A remote group is left out when it says ``discoverable: false``,
when its domain is blocked or silenced (or, in allowlist mode, not allowed).

What another server published is read defensively (``documents.whereabouts``): a bad
place, coordinates, tag or language is skipped, long texts are trimmed, and only the
first entries of a long list are looked at, so a hostile actor never breaks the listing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.roles import liaisons
from actors.groups import list_groups
from actors.instance import Context
from actors.models import Follower, Following, Group, KnownGroup, RemoteActor
from documents.directory import Entry, NextEvent
from documents.whereabouts import (
    received_languages,
    received_liaisons,
    received_place,
    received_topics,
)
from federation.origin import parent_domains
from moderation.checks import domain_refused, normalize_domain
from moderation.models import DomainBlock
from sharing.showcase import upcoming_events


async def directory(session: AsyncSession, ctx: Context) -> list[Entry]:
    """Every entry of the directory: local groups by name, then remote groups by handle."""
    local = [await _local(session, ctx, group) for group in await list_groups(session)]
    remote = await _remote(session, ctx)
    return [
        *sorted((e for e in local if e is not None), key=lambda e: e.handle),
        *sorted(remote, key=lambda e: e.handle.casefold()),
    ]


async def _local(session: AsyncSession, ctx: Context, group: Group) -> Entry | None:
    if not group.discoverable:
        return None
    coming = await upcoming_events(session, group, limit=1)
    event = None
    if coming:
        first = coming[0]
        event = NextEvent(
            first.event.title, str(first.post.document["id"]), first.start.isoformat()
        )
    return Entry(
        name=group.display_name or group.name,
        handle=f"@{group.name}@{ctx.host}",
        url=ctx.urls.group(group.uid),
        local=True,
        place=group.place,
        latitude=group.latitude,
        longitude=group.longitude,
        topics=tuple(group.topics),
        languages=tuple(group.languages),
        liaisons=tuple(await liaisons(session, group)),
        next_event=event,
    )


async def _remote(session: AsyncSession, ctx: Context) -> list[Entry]:
    known = union(
        select(Following.actor_id).where(Following.accepted.is_(True)),
        select(Follower.actor_id).where(Follower.accepted.is_(True)),
        select(KnownGroup.actor_id),
    ).subquery()
    actors = await session.scalars(
        select(RemoteActor).where(RemoteActor.type == "Group", RemoteActor.id.in_(select(known)))
    )
    silenced = set(await session.scalars(select(DomainBlock.domain).where(DomainBlock.silence)))
    entries = []
    for actor in actors:
        doc = actor.document if isinstance(actor.document, dict) else {}
        # A group here that joined a network here has a remote row too: listed once.
        if doc.get("discoverable") is False or ctx.urls.is_local(actor.ap_id):
            continue
        if await domain_refused(session, ctx.federation, actor.ap_id) is not None:
            continue
        if silenced and set(parent_domains(normalize_domain(actor.domain))) & silenced:
            continue
        entries.append(_remote_entry(actor, doc))
    return entries


def _remote_entry(actor: RemoteActor, doc: dict[str, Any]) -> Entry:
    place, latitude, longitude = received_place(doc)
    handle = f"@{actor.handle}" if actor.preferred_username else actor.ap_id
    return Entry(
        name=actor.name or actor.preferred_username or actor.ap_id,
        handle=handle,
        url=actor.url or actor.ap_id,
        local=False,
        place=place,
        latitude=latitude,
        longitude=longitude,
        topics=tuple(received_topics(doc)),
        languages=tuple(received_languages(doc)),
        liaisons=tuple(received_liaisons(doc)),
    )
