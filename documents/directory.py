"""The directory of groups as data: its entries, the filters a visitor gives, and the
documents it is published as (``/directory.json``, ``/directory.geojson``).

Pure: ``sharing.directory`` reads the entries from the database; the command line and the
pages filter, order and write them with the functions here, so all three agree.

The map is drawn without any outside service: :func:`drawing` places the points on an
equirectangular projection of the area they cover (longitudes narrowed by the cosine of
the middle latitude, so shapes keep their proportions away from the equator).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from documents.errors import BadDistance
from documents.whereabouts import language_codes, parse_coordinates, topic_keys

EARTH_RADIUS_KM = 6371.0088
"""The mean radius of the Earth (IUGG), for the haversine distance."""
MAX_KM = 20_038
"""Half the Earth's circumference: every place is nearer than this."""


@dataclass(frozen=True)
class NextEvent:
    """The next event of a group here: its title, its page and when it starts."""

    title: str
    url: str
    start: str
    """ISO 8601, in the event's own time zone."""


@dataclass(frozen=True)
class Entry:
    """One group of the directory, ours or one we know from following either way."""

    name: str
    handle: str
    """``@name@host``; the actor's id when it has no username."""
    url: str
    local: bool
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    liaisons: tuple[str, ...] = ()
    next_event: NextEvent | None = None
    distance_km: float | None = field(default=None, compare=False)
    """From the point searched near, once :func:`filtered` has measured it."""

    @property
    def point(self) -> tuple[float, float] | None:
        """(latitude, longitude), or None without coordinates."""
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude


@dataclass(frozen=True)
class Filters:
    """What a visitor asked for: near a point (within ``km``), a topic, a language."""

    near: tuple[float, float] | None = None
    km: float | None = None
    topic: str | None = None
    language: str | None = None

    @classmethod
    def parse(cls, near: str = "", km: str = "", topic: str = "", language: str = "") -> Filters:
        """Filters from their texts (empty: not asked), checked; a `DocumentError` says
        what is wrong with one."""
        point = parse_coordinates(near) if near.strip() else None
        distance = _km(km) if km.strip() else None
        if distance is not None and point is None:
            raise BadDistance("a distance needs a place to measure from: give near as LAT,LON")
        return cls(point, distance, _topic(topic), _language(language))

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.near, self.km, self.topic, self.language))


def _km(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_KM):
        raise BadDistance(
            "the distance must be a number of kilometres above 0 and at most %(limit)s, "
            "not %(value)r",
            limit=MAX_KM,
            value=text,
        )
    return value


def _topic(text: str) -> str | None:
    return topic_keys([text])[0] if text.strip() else None


def _language(text: str) -> str | None:
    return language_codes([text])[0] if text.strip() else None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _speaks(entry: Entry, language: str) -> bool:
    # ``es`` finds the groups speaking ``es-MX`` too; ``es-MX`` only those.
    return any(code == language or code.startswith(language + "-") for code in entry.languages)


def filtered(entries: list[Entry], filters: Filters) -> list[Entry]:
    """The entries that match every filter. Near a point: only those with coordinates,
    within ``km`` when given, nearest first (each with its ``distance_km``); otherwise
    in the order given."""
    found = [
        entry
        for entry in entries
        if (filters.topic is None or filters.topic in entry.topics)
        and (filters.language is None or _speaks(entry, filters.language))
    ]
    if filters.near is None:
        return found
    near = filters.near
    measured = [
        _with_distance(entry, distance_km(near, point))
        for entry in found
        if (point := entry.point) is not None
    ]
    kept = [e for e in measured if filters.km is None or (e.distance_km or 0) <= filters.km]
    return sorted(kept, key=lambda entry: entry.distance_km or 0)


def _with_distance(entry: Entry, km: float) -> Entry:
    values = {name: getattr(entry, name) for name in entry.__dataclass_fields__}
    return Entry(**(values | {"distance_km": round(km, 1)}))


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as ``/directory.json`` (and ``mutuals directory --json``) writes it."""
    event = entry.next_event
    doc: dict[str, Any] = {
        "name": entry.name,
        "handle": entry.handle,
        "url": entry.url,
        "local": entry.local,
        "place": entry.place,
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "topics": list(entry.topics),
        "languages": list(entry.languages),
        "liaisons": list(entry.liaisons),
        "next_event": (
            None if event is None else {"name": event.title, "url": event.url, "start": event.start}
        ),
    }
    if entry.distance_km is not None:
        doc["distance_km"] = entry.distance_km
    return doc


def directory_json(entries: list[Entry]) -> dict[str, Any]:
    """The whole directory: ``{"groups": [entry, …]}``."""
    return {"groups": [entry_json(entry) for entry in entries]}


def feature_collection(entries: list[Entry]) -> dict[str, Any]:
    """The entries with coordinates as a GeoJSON (RFC 7946) ``FeatureCollection``: each a
    ``Point`` at ``[longitude, latitude]`` with the entry's JSON as its properties."""
    features = []
    for entry in entries:
        if entry.latitude is None or entry.longitude is None:
            continue
        properties = entry_json(entry)
        for key in ("latitude", "longitude"):
            del properties[key]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [entry.longitude, entry.latitude]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class Dot:
    """Where an entry is drawn on the map, in the drawing's units."""

    x: float
    y: float
    entry: Entry


MARGIN_DEGREES = 0.05
"""Room kept around the points (about 5 km), so a lone point is not on the edge."""


def drawing(entries: list[Entry], width: int, height: int, pad: int = 40) -> list[Dot]:
    """The entries with coordinates placed on a ``width`` × ``height`` drawing that shows the
    area they cover (``pad`` units of room on each side), equirectangular; north is up."""
    points = [(entry, point) for entry in entries if (point := entry.point) is not None]
    if not points:
        return []
    lats = [lat for _, (lat, _) in points]
    lons = [lon for _, (_, lon) in points]
    south, north = min(lats) - MARGIN_DEGREES, max(lats) + MARGIN_DEGREES
    west, east = min(lons) - MARGIN_DEGREES, max(lons) + MARGIN_DEGREES
    narrowing = max(math.cos(math.radians((south + north) / 2)), 0.05)
    span_x = (east - west) * narrowing
    span_y = north - south
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    # Centred: the unused room is shared on both sides.
    left = (width - span_x * scale) / 2
    top = (height - span_y * scale) / 2
    return [
        Dot(
            round(left + (lon - west) * narrowing * scale, 1),
            round(top + (north - lat) * scale, 1),
            entry,
        )
        for entry, (lat, lon) in points
    ]
