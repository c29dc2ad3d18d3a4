"""Where a group is and what it is about: its place, coordinates, topics and languages.

Checked here for every way in, and published on the group's actor for other software:

- ``location``: an ActivityStreams ``Place`` with the place's ``name`` and, when given,
  ``latitude`` and ``longitude`` in decimal degrees, rounded to :data:`PRECISION`
  decimals: 0.01° is 1.1 km of latitude (less of longitude away from the equator), so a
  group that meets at someone's home never publishes the house.
- ``tag``: one ``Hashtag`` per topic, as posts carry them, linking to the tag's page.
- ``language``: ``[{"identifier": "es", "name": "español"}]``, schema.org's
  ``inLanguage`` as Lemmy and PeerTube publish a community's languages. Lemmy reads it
  and needs both keys (a ``language`` of any other shape makes it refuse the whole
  actor); it files a code it does not know as undetermined.

What other servers publish in the same shapes is read with ``received_place``,
``received_topics`` and ``received_languages`` (for the directory): never trusted, a
bad value is skipped, long names trimmed, long lists read only in part.

Mastodon shows none of them on a profile; it ignores an actor's ``location`` and
``language``, and takes only emoji from its ``tag``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from babel import Locale, UnknownLocaleError

from documents.errors import BadLanguage, BadPlace, BadTopic
from documents.multilingual import check_language
from federation.content import clean_name, plain_text
from federation.markdown import is_hashtag_name, normalize_hashtag

PRECISION = 2
"""Decimals kept of a coordinate (0.01° ≈ 1 km)."""
MAX_PLACE = 200
MAX_TOPICS = 10
MAX_TOPIC_LENGTH = 100
MAX_LANGUAGES = 10


def place_name(text: str) -> str | None:
    """The place as one line of plain text (at most :data:`MAX_PLACE` characters, bidi
    controls removed), or None when it is empty."""
    return clean_name(text, max_length=MAX_PLACE) or None


def _degrees(value: float) -> float:
    return round(value, PRECISION) + 0.0  # + 0.0: -0.001 rounds to 0.0, not -0.0


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``"LAT,LON"`` in decimal degrees (``40.4168,-3.7038``) as ``(latitude, longitude)``
    rounded to :data:`PRECISION` decimals, or None when the text is empty."""
    if not text.strip():
        return None
    parts = text.split(",")
    try:
        latitude, longitude = (float(part) for part in parts)
    except ValueError:  # not numbers, or not two of them
        latitude = longitude = math.nan
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise BadPlace(
            "the coordinates %(value)r are not a latitude and a longitude: write LAT,LON "
            "in decimal degrees, e.g. 40.42,-3.70",
            value=text,
        )
    if not -90 <= latitude <= 90:
        raise BadPlace(
            "the latitude must be between -90 and 90, not %(value)s", value=parts[0].strip()
        )
    if not -180 <= longitude <= 180:
        raise BadPlace(
            "the longitude must be between -180 and 180, not %(value)s", value=parts[1].strip()
        )
    return _degrees(latitude), _degrees(longitude)


def topic_keys(names: Sequence[str]) -> list[str]:
    """Topics as hashtag keys (``#MutualAid`` is ``mutualaid``), in order, without repeats."""
    keys: dict[str, None] = {}
    for name in names:
        key = normalize_hashtag(name.strip())
        if not is_hashtag_name(key) or len(key) > MAX_TOPIC_LENGTH:
            raise BadTopic(
                "the topic %(topic)r must be a hashtag: one word of at most %(limit)s "
                "letters, digits and _, e.g. mutual_aid",
                topic=name,
                limit=MAX_TOPIC_LENGTH,
            )
        keys[key] = None
    if len(keys) > MAX_TOPICS:
        raise BadTopic("at most %(limit)s topics; got %(count)s", limit=MAX_TOPICS, count=len(keys))
    return list(keys)


def _canonical_case(tag: str) -> str:
    """RFC 5646's case for a language tag: ``pt-BR``, ``zh-Hant-TW``, ``en-x-abc``."""
    subtags = tag.lower().split("-")
    for i in range(1, len(subtags)):
        if len(subtags[i - 1]) == 1:  # after a singleton (x-, u-…) everything stays lowercase
            break
        if len(subtags[i]) == 2:
            subtags[i] = subtags[i].upper()
        elif len(subtags[i]) == 4:
            subtags[i] = subtags[i].title()
    return "-".join(subtags)


def language_codes(codes: Sequence[str]) -> list[str]:
    """BCP 47 language tags (``es``, ``pt-BR``), in order, cased as RFC 5646 writes them,
    without repeats."""
    tags = dict.fromkeys(_canonical_case(check_language(code.strip())) for code in codes)
    if len(tags) > MAX_LANGUAGES:
        raise BadLanguage(
            "at most %(limit)s languages; got %(count)s", limit=MAX_LANGUAGES, count=len(tags)
        )
    return list(tags)


def language_name(code: str) -> str:
    """A language's name in itself (``español``, ``português (Brasil)``), or its code when
    Babel's locale data does not know it."""
    try:
        return Locale.parse(code, sep="-").get_display_name() or code
    except (ValueError, UnknownLocaleError):
        return code


def location(
    place: str | None, latitude: float | None, longitude: float | None
) -> dict[str, Any] | None:
    """The ``Place`` of a group: its name, its coordinates, or both; None for neither."""
    doc: dict[str, Any] = {"type": "Place"}
    if place:
        doc["name"] = place
    if latitude is not None and longitude is not None:
        doc.update(latitude=latitude, longitude=longitude)
    return doc if len(doc) > 1 else None


def language_tags(codes: Sequence[str]) -> list[dict[str, str]]:
    """The ``language`` entries of a group's actor, as Lemmy publishes a community's."""
    return [{"identifier": code, "name": language_name(code)} for code in codes]


# ---------------------------------------------------------------- read from other servers

MAX_READ = 50
"""Entries of a received ``tag`` or ``language`` looked at: the rest is never read."""
MAX_LANGUAGE_TAG = 35
"""The longest language tag read (the length of the column events store theirs in)."""


def received_place(doc: Any) -> tuple[str | None, float | None, float | None]:
    """(place name, latitude, longitude) of a received actor's ``location``, each None when
    missing or unusable: a name trimmed as ours are, coordinates only as two finite numbers
    in range, rounded to :data:`PRECISION` decimals as we publish ours."""
    found = next((p for p in _first(doc.get("location")) if isinstance(p, dict)), None)
    if found is None:
        return None, None, None
    name = found.get("name")
    # Sliced first: cleaning a name of megabytes to keep 200 characters is wasted work.
    place = place_name(name[: MAX_PLACE * 8]) if isinstance(name, str) else None
    latitude, longitude = found.get("latitude"), found.get("longitude")
    if _degree(latitude, 90) and _degree(longitude, 180):
        return place, _degrees(float(latitude)), _degrees(float(longitude))  # type: ignore[arg-type]
    return place, None, None


def _first(value: Any) -> list[Any]:
    """``value`` as a list of at most :data:`MAX_READ` entries."""
    return value[:MAX_READ] if isinstance(value, list) else [value]


def _degree(value: Any, limit: int) -> bool:
    # bool is an int to Python, never a coordinate; "40.4" (a string) is not one either.
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value) and -limit <= value <= limit


def received_topics(doc: Any) -> list[str]:
    """The topics of a received actor: its ``Hashtag`` tags' keys, at most
    :data:`MAX_TOPICS`, from its first :data:`MAX_READ` tags; anything else is skipped."""
    keys: dict[str, None] = {}
    for tag in _first(doc.get("tag")):
        if not isinstance(tag, dict) or tag.get("type") != "Hashtag":
            continue
        name = tag.get("name")
        if not isinstance(name, str) or len(name) > MAX_TOPIC_LENGTH + 1:
            continue
        key = normalize_hashtag(name.strip())
        if is_hashtag_name(key) and len(key) <= MAX_TOPIC_LENGTH:
            keys[key] = None
        if len(keys) == MAX_TOPICS:
            break
    return list(keys)


def received_languages(doc: Any) -> list[str]:
    """The languages of a received actor, as Lemmy and PeerTube publish them
    (``[{"identifier": "es", …}]``): at most :data:`MAX_LANGUAGES` valid tags."""
    tags: dict[str, None] = {}
    for entry in _first(doc.get("language")):
        code = entry.get("identifier") if isinstance(entry, dict) else None
        if not isinstance(code, str) or len(code) > MAX_LANGUAGE_TAG:
            continue
        try:
            tags[_canonical_case(check_language(code))] = None
        except BadLanguage:
            continue
        if len(tags) == MAX_LANGUAGES:
            break
    return list(tags)


MAX_LIAISONS = 10


def received_liaisons(doc: Any) -> list[str]:
    """The liaison contacts a received group publishes: the values of its ``Liaison``
    profile fields (``PropertyValue``), as plain one-line text trimmed as names are, at
    most :data:`MAX_LIAISONS` from its first :data:`MAX_READ` fields."""
    found: list[str] = []
    for field in _first(doc.get("attachment")):
        if not isinstance(field, dict) or field.get("type") != "PropertyValue":
            continue
        value = field.get("value")
        if field.get("name") != "Liaison" or not isinstance(value, str):
            continue
        contact = clean_name(plain_text(value[: MAX_PLACE * 10]), max_length=MAX_PLACE)
        if contact:
            found.append(contact)
        if len(found) == MAX_LIAISONS:
            break
    return found
