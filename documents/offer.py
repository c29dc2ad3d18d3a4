"""Skill offers and needs: a Mastodon-readable ``Note`` that is also a FEP-0837 proposal.

Shape, and why:

- ``type`` is plain ``"Note"``. Mastodon keeps only objects whose type is, or
  includes, one of ``SUPPORTED_TYPES = %w(Note Question)`` or ``CONVERTED_TYPES =
  %w(Image Audio Video Article Page Event)`` (``app/lib/activitypub/activity.rb``,
  ``unsupported_object_type?``, via ``JsonLdHelper#equals_or_includes_any?``), so a
  bare ``Proposal`` is dropped. ``["Note", "Proposal"]`` would pass Mastodon's check,
  but FEP-0837 itself says the type "SHOULD be Proposal. If interoperability with
  other ActivityPub services is desirable, implementers MAY use ... Note", and a
  single type is what every other server parses; the FEP-0837 properties
  (``purpose``, ``publishes``, ``unitBased``, ``location``) mark it as a proposal.
- A ``Note`` (not ``Page``/``Article``) because Mastodon shows a Note's whole
  ``content`` with its hashtags, while converted types show only ``name``, ``summary``
  and a link (``ActivityPub::Activity::Create#converted_text``).
- No ``summary``: on a Note Mastodon turns ``summary`` into a content warning
  (``StatusParser#spoiler_text`` → ``spoiler_text``), hiding the offer behind a
  click. The readable line ("🤝 Offer: bike repair — Eastside, until … — reply to take
  it up") is the first paragraph of ``content``; ``name`` is the bare title, as
  FEP-0837 asks, and Mastodon ignores it on Notes.
- Skills are ``Hashtag`` tags (Mastodon links and indexes them) and linked in the
  content; the first skill's tag URL is the intent's ``resourceConformsTo``.
- Validity is AS ``endTime``; a closed proposal has ``availableQuantity`` 0 and
  ``endTime`` = when it closed, and its readable line says why.
- A need's lifecycle (``sharing.needs``) is said twice: in the readable line for
  Mastodon ("🔥 urgent — 12 of 20 given — someone is helping") and in terms of ours for
  peers: ``needState`` (open, helping, fulfilled, partly, unmet…), ``urgency`` (urgent,
  week, whenever) and ``givenQuantity``, with the intent's ``resourceQuantity`` the
  quantity asked and ``availableQuantity`` what still lacks (FEP-0837 readers see that).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any, Literal

from documents.common import (
    MAX_TITLE,
    Meta,
    TagUrl,
    hashtag,
    hashtag_link,
    merge_tags,
    skill_names,
    timestamp,
)
from documents.errors import DocumentError
from documents.multilingual import Multilingual
from documents.phrases import format_date, phrases
from documents.text import MAX_TEXT, check_texts, render
from documents.when import require_aware, zone
from federation.content import sanitize_html

OfferKind = Literal["offer", "need"]
OfferState = Literal["open", "fulfilled", "partly", "unmet", "withdrawn", "expired"]
Urgency = Literal["urgent", "week", "whenever"]
KINDS: tuple[OfferKind, ...] = ("offer", "need")
STATES: tuple[OfferState, ...] = ("open", "fulfilled", "partly", "unmet", "withdrawn", "expired")
URGENCIES: tuple[Urgency, ...] = ("urgent", "week", "whenever")
PURPOSE: dict[OfferKind, str] = {"offer": "offer", "need": "request"}
_ICON: dict[OfferKind, str] = {"offer": "🤝", "need": "🙋"}
_CLOSED_ICON = {"fulfilled": "✅", "partly": "☑️", "unmet": "🔒", "withdrawn": "🔒", "expired": "🔒"}
_URGENCY_ICON = {"urgent": "🔥", "week": "⏳"}

# FEP-0837 terms (its context document, plus om2 units as in its examples).
CONTEXT_TERMS: dict[str, Any] = {
    "vf": "https://w3id.org/valueflows/ont/vf#",
    "om2": "http://www.ontology-of-units-of-measure.org/resource/om-2/",
    "Intent": "vf:Intent",
    "purpose": "vf:purpose",
    "publishes": "vf:publishes",
    "unitBased": "vf:unitBased",
    "action": "vf:action",
    "resourceConformsTo": "vf:resourceConformsTo",
    "resourceQuantity": "vf:resourceQuantity",
    "availableQuantity": "vf:availableQuantity",
    "hasUnit": "om2:hasUnit",
    "hasNumericalValue": "om2:hasNumericalValue",
}
NEED_TERMS: dict[str, Any] = {
    "mutuals": "https://joinmutuals.org/ns#",
    "needState": "mutuals:needState",
    "urgency": "mutuals:urgency",
    "givenQuantity": "mutuals:givenQuantity",
}


def context_terms(doc: dict[str, Any]) -> dict[str, Any]:
    """The terms ``doc`` (an offer or need) uses: FEP-0837's, and ours for a tracked need."""
    return {**CONTEXT_TERMS, **NEED_TERMS} if "needState" in doc else CONTEXT_TERMS


@dataclass(frozen=True)
class OfferSpec:
    """What an organizer says about an offer or need; checked on construction.

    ``body`` is Markdown. ``valid_until`` is aware; ``timezone`` is where its date is read.
    ``closed_at`` is required once ``state`` is not ``open``. A need's lifecycle, when
    tracked: ``urgency``, ``quantity`` asked (None: not counted), ``given``, ``helping``.
    """

    kind: OfferKind
    title: Multilingual
    body: Multilingual | None = None
    skills: tuple[str, ...] = ()
    area: str | None = None
    valid_until: dt.datetime | None = None
    timezone: str = "UTC"
    state: OfferState = "open"
    closed_at: dt.datetime | None = None
    urgency: Urgency | None = None
    quantity: int | None = None
    given: int = 0
    helping: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DocumentError("unknown kind %(kind)r; use offer or need", kind=self.kind)
        if self.state not in STATES:
            raise DocumentError(
                "unknown state %(state)r; use one of %(states)s",
                state=self.state,
                states=", ".join(STATES),
            )
        title = check_texts(self.title, "title", MAX_TITLE)
        body = self.body and check_texts(self.body, "text", MAX_TEXT, like=title)
        area = (self.area or "").strip() or None
        if area is not None and len(area) > MAX_TITLE:
            raise DocumentError(
                "the area is %(length)s characters; the limit is %(limit)s",
                length=len(area),
                limit=MAX_TITLE,
            )
        zone(self.timezone)
        if self.valid_until is not None:
            require_aware(self.valid_until, "valid_until")
        if self.state != "open" and self.closed_at is None:
            raise ValueError("a closed offer needs closed_at")
        self._check_progress()
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "skills", skill_names(self.skills))
        object.__setattr__(self, "area", area)

    def _check_progress(self) -> None:
        if self.urgency is not None and self.urgency not in URGENCIES:
            raise DocumentError(
                "unknown urgency %(urgency)r; use one of %(urgencies)s",
                urgency=self.urgency,
                urgencies=", ".join(URGENCIES),
            )
        if self.quantity is not None and self.quantity < 1:
            raise DocumentError(
                "the quantity is %(quantity)s; it must be 1 or more", quantity=self.quantity
            )
        if self.given < 0 or (self.quantity is not None and self.given > self.quantity):
            raise ValueError("given must be between 0 and the quantity")

    @property
    def stage(self) -> str:
        """``helping`` while open with a helper, else the state."""
        return "helping" if self.state == "open" and self.helping else self.state


def _progress(spec: OfferSpec, lang: str) -> list[str]:
    words = phrases(lang)
    parts = []
    if spec.state == "open" and spec.urgency in _URGENCY_ICON:
        parts.append(f"{_URGENCY_ICON[spec.urgency]} {words.urgency[spec.urgency]}")
    if spec.quantity is not None:
        parts.append(words.given.format(given=spec.given, quantity=spec.quantity))
    if spec.stage == "helping":
        parts.extend((words.helping, words.thanks_hint))
    return parts


def _status_line(spec: OfferSpec, lang: str) -> str:
    words = phrases(lang)
    if spec.state != "open":
        closed = f"{_CLOSED_ICON[spec.state]} {words.closed[spec.state]}"
        return " — ".join([closed, *_progress(spec, lang)])
    parts = [spec.area] if spec.area else []
    if spec.valid_until is not None:
        day = spec.valid_until.astimezone(zone(spec.timezone)).date()
        parts.append(words.until.format(date=format_date(day, lang)))
    call = words.offer_call if spec.kind == "offer" else words.need_call
    return " — ".join(p for p in (", ".join(parts), *_progress(spec, lang), call) if p)


def headline(spec: OfferSpec, lang: str) -> str:
    """The readable first line, plain text: ``🤝 Offer: bike repair — Eastside — reply …``."""
    words = phrases(lang)
    label = words.offer if spec.kind == "offer" else words.need
    title = spec.title.get(lang) or spec.title.text
    return f"{_ICON[spec.kind]} {label}: {title} — {_status_line(spec, lang)}"


def _content(spec: OfferSpec, lang: str, body_html: str, tag_url: TagUrl) -> str:
    words = phrases(lang)
    label = words.offer if spec.kind == "offer" else words.need
    title = spec.title.get(lang) or spec.title.text
    head = (
        f"<p>{_ICON[spec.kind]} <strong>{html.escape(label)}: {html.escape(title)}</strong>"
        f" — {html.escape(_status_line(spec, lang))}</p>"
    )
    tags = " ".join(hashtag_link(name, tag_url) for name in spec.skills)
    return sanitize_html(head + body_html + (f"<p>{tags}</p>" if tags else ""))


def _quantity(value: str) -> dict[str, str]:
    return {"hasUnit": "one", "hasNumericalValue": value}


def _lifecycle(spec: OfferSpec, intent: dict[str, Any]) -> dict[str, Any]:
    """A tracked need's own terms; its quantities go in the intent."""
    if spec.urgency is None:
        return {}
    fields: dict[str, Any] = {"needState": spec.stage, "urgency": spec.urgency}
    if spec.quantity is not None:
        lacking = spec.quantity - spec.given if spec.state == "open" else 0
        intent["resourceQuantity"] = _quantity(str(spec.quantity))
        intent["availableQuantity"] = _quantity(str(lacking))
        fields["givenQuantity"] = spec.given
    return fields


def offer_document(spec: OfferSpec, meta: Meta, tag_url: TagUrl) -> dict[str, Any]:
    """The ``Note`` of an offer or need (without ``@context``), ready to wrap in a Create."""
    bodies, body_tags = render(spec.body, tag_url) if spec.body else ({}, [])
    content = spec.title.map(lambda lang, _: _content(spec, lang, bodies.get(lang, ""), tag_url))
    intent: dict[str, Any] = {
        "id": f"{meta.object_id}#primary",
        "type": "Intent",
        "action": "deliverService",
    }
    if spec.skills:
        intent["resourceConformsTo"] = tag_url(spec.skills[0])
    intent["resourceQuantity"] = _quantity("1")
    intent["availableQuantity"] = _quantity("1" if spec.state == "open" else "0")
    doc: dict[str, Any] = {
        **meta.fields("Note"),
        "sensitive": False,
        **spec.title.fields("name"),
        **content.fields("content"),
        "tag": [hashtag(n, tag_url) for n in merge_tags(spec.skills, body_tags)],
        "purpose": PURPOSE[spec.kind],
        "unitBased": False,
        "publishes": intent,
        **_lifecycle(spec, intent),
    }
    if spec.area:
        doc["location"] = {"type": "Place", "name": spec.area}
    end = spec.closed_at if spec.state != "open" else spec.valid_until
    if end is not None:
        doc["endTime"] = timestamp(end)
    return doc


__all__ = [
    "CONTEXT_TERMS",
    "KINDS",
    "NEED_TERMS",
    "STATES",
    "URGENCIES",
    "OfferKind",
    "OfferSpec",
    "OfferState",
    "Urgency",
    "context_terms",
    "headline",
    "offer_document",
]
