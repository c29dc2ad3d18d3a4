"""The exact JSON each type is sent as, captured at a follower's inbox (a sink).

Ids and URLs are pinned with the instance's base URL and the post's uid replaced by
``BASE`` and ``UID``; everything else is literal, so any change to what peers and
Mastodon receive shows up here.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from actors.groups import get_group
from documents.event import EventSpec, Place
from documents.multilingual import Multilingual
from documents.poll import PollSpec
from posts.models import Post
from posts.multilingual import publish_multilingual_note
from sharing import events, offers, polls
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sharing.support import mastodon_spoiler, mastodon_text
from tests.signed import unsigned
from tests.sink import Sink, add_follower

NOW = dt.datetime(2099, 1, 2, 10, 0, tzinfo=dt.UTC)


async def _sent(instance: Instance, sink: Sink, publish: Any) -> dict[str, Any]:
    """Publish with ``publish(session, group)``; the Create the sink received, pinned."""
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        row = await publish(session, group)
        await session.commit()
        post = row if isinstance(row, Post) else await session.get(Post, row.post_id)
    assert post is not None
    await settle(instance)
    create = unsigned(sink.received[-1].activity)
    text = json.dumps(create).replace(instance.base_url, "BASE").replace(post.uid, "UID")
    pinned: dict[str, Any] = json.loads(text)
    return pinned


async def _offer(session: Any, instance: Instance, group: Any) -> Any:
    return await offers.open_offer(
        session, instance.ctx, group, "offer",
        Multilingual({"en": "Bike repair", "es": "Reparación de bicis"}, "en"),
        body=Multilingual({"en": "Saturdays, bring the *bike*", "es": "Los sábados"}, "en"),
        skills=["bike_repair"], area="Eastside", until=dt.date(2099, 11, 30), now=NOW,
    )  # fmt: skip


async def _event(session: Any, instance: Instance, group: Any) -> Any:
    berlin = dt.timezone(dt.timedelta(hours=1))
    spec = EventSpec(
        Multilingual({"en": "Assembly", "es": "Asamblea"}, "en"),
        dt.datetime(2099, 3, 3, 19, 0, tzinfo=berlin),
        "Europe/Berlin",
        dt.datetime(2099, 3, 3, 21, 0, tzinfo=berlin),
        place=Place.parse("Community hall, 12 Main St"),
    )
    return await events.create_event(session, instance.ctx, group, spec, now=NOW)


async def _poll(session: Any, instance: Instance, group: Any) -> Any:
    spec = PollSpec(
        Multilingual({"en": "Which evening?", "es": "¿Qué tarde?"}, "en"),
        ("Tuesday", "Thursday"),
        closes_at=dt.datetime(2099, 1, 9, 12, 0, tzinfo=dt.UTC),
    )
    return await polls.create_poll(session, instance.ctx, group, spec, now=NOW)


async def _note(session: Any, instance: Instance, group: Any) -> Any:
    text = Multilingual({"es": "Sopa el *viernes*", "en": "Soup on *Friday*"}, "es")
    return await publish_multilingual_note(session, instance.ctx, group, text)


async def _publish_all(instance: Instance) -> dict[str, dict[str, Any]]:
    group = await add_group(instance, "eastside")
    sent: dict[str, dict[str, Any]] = {}
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        for name, build in (("offer", _offer), ("event", _event), ("poll", _poll)):
            sent[name] = await _sent(instance, sink, lambda s, g, b=build: b(s, instance, g))
        sent["note"] = await _sent(instance, sink, lambda s, g: _note(s, instance, g))
    return sent


async def test_each_type_is_sent_exactly_so(instance: Instance) -> None:
    sent = await _publish_all(instance)
    assert sent["offer"] == SENT_OFFER
    assert sent["event"] == SENT_EVENT
    assert sent["poll"] == SENT_POLL
    note = sent["note"]
    assert note["published"] == note["object"]["published"]
    note["published"] = note["object"]["published"] = "PUBLISHED"
    assert note == SENT_NOTE


async def test_mastodon_shows_each_type_readably(instance: Instance) -> None:
    """Not dropped, no content warning, and the text a Mastodon user reads says it all."""
    sent = await _publish_all(instance)
    offer, event = sent["offer"]["object"], sent["event"]["object"]
    assert mastodon_spoiler(offer) == ""
    assert "Offer: Bike repair</strong> — Eastside, until Mon 30 Nov 2099" in mastodon_text(offer)
    assert mastodon_text(event) == (f"Assembly\n\n{SUMMARY_EN}\n\nBASE/groups/eastside/posts/UID")
    assert mastodon_text(sent["poll"]["object"]) == "<p>Which evening?</p>"
    # Mastodon takes the language from the first contentMap key: the primary one.
    assert next(iter(sent["note"]["object"]["contentMap"])) == "es"
    assert mastodon_text(sent["note"]["object"]) == "<p>Sopa el <em>viernes</em></p>"


TAG_P = (
    '<p><a href="BASE/tags/bike_repair" class="mention hashtag" '
    'rel="tag nofollow noopener noreferrer">#<span>bike_repair</span></a></p>'
)
OFFER_EN = (
    "<p>🤝 <strong>Offer: Bike repair</strong> — Eastside, until Mon 30 Nov 2099"
    " — reply to take it up</p><p>Saturdays, bring the <em>bike</em></p>" + TAG_P
)
OFFER_ES = (
    "<p>🤝 <strong>Ofrecemos: Reparación de bicis</strong> — Eastside, hasta el lun 30 nov 2099"
    " — responde para aceptarlo</p><p>Los sábados</p>" + TAG_P
)
SUMMARY_EN = (
    "📅 Tue 3 Mar 2099, 19:00–21:00 CET · 📍 Community hall, 12 Main St"
    " · Reply “going”, “maybe” or “not going”"
)
SUMMARY_ES = (
    "📅 mar 3 mar 2099, 19:00–21:00 CET · 📍 Community hall, 12 Main St"
    " · Responde «voy», «quizás» o «no voy»"
)

SENT_OFFER = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        {
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
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
        },
    ],
    "id": "BASE/groups/eastside/posts/UID/activity",
    "type": "Create",
    "actor": "BASE/groups/eastside",
    "published": "2099-01-02T10:00:00Z",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["BASE/groups/eastside/followers"],
    "object": {
        "id": "BASE/groups/eastside/posts/UID",
        "type": "Note",
        "url": "BASE/groups/eastside/posts/UID",
        "attributedTo": "BASE/groups/eastside",
        "published": "2099-01-02T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["BASE/groups/eastside/followers"],
        "audience": "BASE/groups/eastside",
        "replies": "BASE/groups/eastside/posts/UID/replies",
        "sensitive": False,
        "name": "Bike repair",
        "nameMap": {"en": "Bike repair", "es": "Reparación de bicis"},
        "content": OFFER_EN,
        "contentMap": {
            "en": OFFER_EN,
            "es": OFFER_ES,
        },
        "tag": [{"type": "Hashtag", "href": "BASE/tags/bike_repair", "name": "#bike_repair"}],
        "purpose": "offer",
        "unitBased": False,
        "publishes": {
            "id": "BASE/groups/eastside/posts/UID#primary",
            "type": "Intent",
            "action": "deliverService",
            "resourceConformsTo": "BASE/tags/bike_repair",
            "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "1"},
            "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "1"},
        },
        "location": {"type": "Place", "name": "Eastside"},
        "endTime": "2099-11-30T23:59:59Z",
    },
}

SENT_EVENT = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        {
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "sc": "http://schema.org#",
            "mz": "https://joinmobilizon.org/ns#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
            "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
            "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
            "participantCount": {"@id": "mz:participantCount", "@type": "sc:Integer"},
            "inLanguage": "sc:inLanguage",
            "PostalAddress": "sc:PostalAddress",
            "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
            "streetAddress": "sc:streetAddress",
            "status": {"@id": "ical:status", "@type": "ical:status"},
        },
    ],
    "id": "BASE/groups/eastside/posts/UID/activity",
    "type": "Create",
    "actor": "BASE/groups/eastside",
    "published": "2099-01-02T10:00:00Z",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["BASE/groups/eastside/followers"],
    "object": {
        "id": "BASE/groups/eastside/posts/UID",
        "type": "Event",
        "url": "BASE/groups/eastside/posts/UID",
        "attributedTo": "BASE/groups/eastside",
        "published": "2099-01-02T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["BASE/groups/eastside/followers"],
        "audience": "BASE/groups/eastside",
        "replies": "BASE/groups/eastside/posts/UID/replies",
        "name": "Assembly",
        "nameMap": {"en": "Assembly", "es": "Asamblea"},
        "summary": SUMMARY_EN,
        "summaryMap": {
            "en": SUMMARY_EN,
            "es": SUMMARY_ES,
        },
        "content": f"<p>{SUMMARY_EN}</p>",
        "contentMap": {
            "en": f"<p>{SUMMARY_EN}</p>",
            "es": f"<p>{SUMMARY_ES}</p>",
        },
        "mediaType": "text/html",
        "startTime": "2099-03-03T19:00:00+01:00",
        "endTime": "2099-03-03T21:00:00+01:00",
        "timezone": "Europe/Berlin",
        "inLanguage": "en",
        "joinMode": "free",
        "status": "CONFIRMED",
        "ical:status": "CONFIRMED",
        "isOnline": False,
        "location": {
            "type": "Place",
            "name": "Community hall",
            "address": {"type": "PostalAddress", "streetAddress": "12 Main St"},
        },
        "participantCount": 0,
        "tag": [],
    },
}

SENT_POLL = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        {
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "votersCount": "toot:votersCount",
        },
    ],
    "id": "BASE/groups/eastside/posts/UID/activity",
    "type": "Create",
    "actor": "BASE/groups/eastside",
    "published": "2099-01-02T10:00:00Z",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["BASE/groups/eastside/followers"],
    "object": {
        "id": "BASE/groups/eastside/posts/UID",
        "type": "Question",
        "url": "BASE/groups/eastside/posts/UID",
        "attributedTo": "BASE/groups/eastside",
        "published": "2099-01-02T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["BASE/groups/eastside/followers"],
        "audience": "BASE/groups/eastside",
        "replies": "BASE/groups/eastside/posts/UID/replies",
        "sensitive": False,
        "content": "<p>Which evening?</p>",
        "contentMap": {"en": "<p>Which evening?</p>", "es": "<p>¿Qué tarde?</p>"},
        "tag": [],
        "oneOf": [
            {"type": "Note", "name": "Tuesday", "replies": {"type": "Collection", "totalItems": 0}},
            {
                "type": "Note",
                "name": "Thursday",
                "replies": {"type": "Collection", "totalItems": 0},
            },
        ],
        "endTime": "2099-01-09T12:00:00Z",
        "votersCount": 0,
    },
}

SENT_NOTE = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        {"sensitive": "as:sensitive", "Hashtag": "as:Hashtag"},
    ],
    "id": "BASE/groups/eastside/posts/UID/activity",
    "type": "Create",
    "actor": "BASE/groups/eastside",
    "published": "PUBLISHED",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["BASE/groups/eastside/followers"],
    "object": {
        "id": "BASE/groups/eastside/posts/UID",
        "type": "Note",
        "url": "BASE/groups/eastside/posts/UID",
        "attributedTo": "BASE/groups/eastside",
        "published": "PUBLISHED",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["BASE/groups/eastside/followers"],
        "audience": "BASE/groups/eastside",
        "replies": "BASE/groups/eastside/posts/UID/replies",
        "sensitive": False,
        "content": "<p>Sopa el <em>viernes</em></p>",
        "contentMap": {
            "es": "<p>Sopa el <em>viernes</em></p>",
            "en": "<p>Soup on <em>Friday</em></p>",
        },
        "tag": [],
    },
}
