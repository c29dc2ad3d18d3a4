"""``mutuals directory``: the groups of this instance and those it knows, as
``/directory`` lists them, filtered by place, topic and language."""

from __future__ import annotations

import argparse
from typing import Any

from documents.directory import Entry, Filters, directory_json, filtered
from sharing.directory import directory
from web.commands.base import add_command, print_lines
from web.negotiation import json_bytes
from web.runtime import open_context
from web.settings import Settings


async def list_directory(args: argparse.Namespace, settings: Settings) -> int:
    """Print the directory, one group a line starting with its handle (or as JSON)."""
    filters = Filters.parse(args.near or "", args.km or "", args.topic or "", args.language or "")
    async with open_context(settings) as ctx, ctx.sessions() as session:
        entries = filtered(await directory(session, ctx), filters)
    if args.json:
        print(json_bytes(directory_json(entries)).decode())
        return 0
    empty = "no group matches" if filters.active else "no groups listed yet"
    print_lines([line(entry) for entry in entries], empty)
    return 0


def line(entry: Entry) -> str:
    """``@handle  name  url  place (lat,lon) 3.2 km  #topics  languages  liaisons  next``."""
    where = entry.place or ""
    if entry.point is not None:
        where = f"{where} ({entry.latitude},{entry.longitude})".strip()
    if entry.distance_km is not None:
        where += f" {entry.distance_km} km"
    event = entry.next_event
    parts = [
        entry.handle,
        entry.name,
        entry.url,
        where,
        " ".join(f"#{topic}" for topic in entry.topics),
        " ".join(entry.languages),
        " ".join(f"liaison {handle}" for handle in entry.liaisons),
        f"next: {event.title} {event.start}" if event else "",
    ]
    return "\t".join(parts).rstrip("\t")


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        "directory",
        list_directory,
        "list this instance's groups and the groups they follow or are followed by",
    )
    parser.add_argument(
        "--near",
        metavar="LAT,LON",
        help="only groups with coordinates, nearest first (a negative latitude needs '=': "
        "--near=-33.92,18.42)",
    )
    parser.add_argument("--km", metavar="N", help="with --near: only groups within N km")
    parser.add_argument("--topic", metavar="TAG", help="only groups with this topic (a hashtag)")
    parser.add_argument(
        "--language", metavar="CODE", help="only groups speaking it (es also finds es-MX)"
    )
    parser.add_argument("--json", action="store_true", help="print /directory.json's JSON")
