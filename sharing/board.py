"""The board: open offers and needs of a group and of the groups it follows.

A need is matched to open offers that share one of its skill tags (compared as
hashtags: case and accents do not matter). Remote entries come from the
``remote_offers`` rows the inbox keeps for followed actors. A need shows its
lifecycle (urgency, "12 of 20 given", someone helping: :mod:`sharing.needs`), and
urgent needs come first, then this week's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group, RemoteActor
from actors.remote import find_actors
from federation.content import plain_text
from federation.markdown import normalize_hashtag
from posts.models import Post
from sharing.models import Offer, RemoteOffer
from sharing.needs_models import NeedHelper, NeedProgress, RemoteNeedProgress
from sharing.publishing import from_followed
from store.db import utcnow


def plain(html: str) -> str:
    """Received HTML as one line of plain text."""
    return " ".join(plain_text(html).split())


@dataclass(frozen=True)
class Entry:
    """One open offer or need on the board."""

    kind: str
    title: str
    skills: tuple[str, ...]
    area: str | None
    valid_until: dt.datetime | None
    by: str
    url: str
    language: str | None = None
    urgency: str | None = None
    stage: str = "open"
    quantity: int | None = None
    given: int | None = None
    number: int | None = None  # a local need's id, for its admin page

    @property
    def progress(self) -> str | None:
        """``urgent; 12/20 given; helping`` for a tracked need, else None."""
        if self.urgency is None:
            return None
        given = f"{self.given}/{self.quantity} given" if self.quantity is not None else None
        return "; ".join(p for p in (self.urgency, given, self.stage) if p)

    @property
    def skill_keys(self) -> frozenset[str]:
        """The skills as hashtag keys, for matching."""
        return frozenset(normalize_hashtag(s) for s in self.skills)

    def line(self) -> str:
        """``need  Ladder  #diy  Eastside  until 2025-12-01  by  url`` (tab-separated)."""
        until = f"until {self.valid_until:%Y-%m-%d}" if self.valid_until else "open-ended"
        tags = " ".join(f"#{s}" for s in self.skills) or "-"
        fields = (self.kind, self.title, tags, self.area or "-", until, self.by, self.url)
        return "\t".join((*fields, self.progress) if self.progress else fields)


async def _own(session: AsyncSession, group: Group, now: dt.datetime) -> list[Entry]:
    helping = exists().where(NeedHelper.offer_id == Offer.id)
    found = await session.execute(
        select(Offer, Post, NeedProgress, helping)
        .join(Post, Post.id == Offer.post_id)
        .outerjoin(NeedProgress, NeedProgress.offer_id == Offer.id)
        .where(Offer.group_id == group.id, Offer.state == "open", Post.deleted_at.is_(None))
        .where(or_(Offer.valid_until.is_(None), Offer.valid_until > now))
        .order_by(Offer.id)
    )
    return [
        Entry(
            o.kind,
            o.title,
            tuple(o.skills),
            o.area,
            o.valid_until,
            group.name,
            p.document["id"],
            o.language,
            number=o.id if o.kind == "need" else None,
            **_lifecycle(n, "helping" if h else "open"),
        )
        for o, p, n, h in found.all()
    ]


def _lifecycle(progress: NeedProgress | RemoteNeedProgress | None, stage: str) -> dict[str, Any]:
    """An entry's lifecycle fields, from a need's progress row (none for an offer)."""
    if progress is None:
        return {}
    return {
        "urgency": progress.urgency,
        "stage": stage,
        "quantity": progress.quantity,
        "given": progress.given,
    }


async def _network(
    session: AsyncSession, group: Group, now: dt.datetime, public_only: bool
) -> list[Entry]:
    query = (
        select(RemoteOffer, RemoteNeedProgress)
        .outerjoin(RemoteNeedProgress, RemoteNeedProgress.remote_offer_id == RemoteOffer.id)
        .where(RemoteOffer.state == "open")
        .where(from_followed(RemoteOffer, group))
        .where(or_(RemoteOffer.valid_until.is_(None), RemoteOffer.valid_until > now))
        .order_by(RemoteOffer.id)
    )
    if public_only:
        query = query.where(RemoteOffer.public.is_(True))
    found = await session.execute(query)
    return [
        Entry(
            r.kind,
            r.title,
            tuple(r.skills),
            r.area,
            r.valid_until,
            r.attributed_to,
            r.url or r.ap_id,
            r.language,
            **_lifecycle(n, n.stage if n else "open"),
        )
        for r, n in found.all()
    ]


async def open_entries(
    session: AsyncSession,
    group: Group,
    *,
    skill: str | None = None,
    area: str | None = None,
    now: dt.datetime | None = None,
    public_only: bool = False,
) -> list[Entry]:
    """The group's own open entries, then its network's, filtered by skill and area;
    ``public_only`` leaves out what its authors addressed to their followers alone."""
    now = now or utcnow()
    entries = await _own(session, group, now) + await _network(session, group, now, public_only)
    entries.sort(key=lambda e: _URGENT_FIRST.get(e.urgency or "", len(_URGENT_FIRST)))
    if skill:
        key = normalize_hashtag(skill.lstrip("#"))
        entries = [e for e in entries if key in e.skill_keys]
    if area:
        wanted = area.casefold()
        entries = [e for e in entries if e.area and wanted in e.area.casefold()]
    return entries


_URGENT_FIRST = {"urgent": 0, "week": 1}


def matches(need: Entry, entries: list[Entry]) -> list[Entry]:
    """The offers among ``entries`` that share a skill with ``need``."""
    return [e for e in entries if e.kind == "offer" and e.skill_keys & need.skill_keys]


@dataclass(frozen=True)
class Board:
    """The board as a page shows it: each need with the offers that match it, then the
    offers; ``accounts`` are the stored remote authors, by actor id (for their handles)."""

    needs: list[tuple[Entry, list[Entry]]]
    offers: list[Entry]
    accounts: dict[str, RemoteActor]


async def board_of(
    session: AsyncSession,
    group: Group,
    *,
    skill: str | None = None,
    area: str | None = None,
    public_only: bool = False,
) -> Board:
    """The group's board (`open_entries` filtered by ``skill`` and ``area``), arranged."""
    entries = await open_entries(session, group, skill=skill, area=area, public_only=public_only)
    return Board(
        needs=[(e, matches(e, entries)) for e in entries if e.kind == "need"],
        offers=[e for e in entries if e.kind == "offer"],
        accounts=await find_actors(session, (e.by for e in entries)),
    )
