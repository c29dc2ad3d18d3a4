"""Paged ``OrderedCollection`` documents, as Mastodon serves them.

The collection itself carries ``totalItems`` and a link to its ``first`` page; pages
are ``OrderedCollectionPage``s with ``partOf``, ``orderedItems`` and ``next``.
"""

from __future__ import annotations

from typing import Any

from federation.vocab import AS_CONTEXT


def ordered_collection(
    collection_id: str, total: int, first: str | None, items: list[Any] | None = None
) -> dict[str, Any]:
    """The collection document: its size and, unless hidden, where its first page is
    (or, for a small collection served whole, its ``items``)."""
    doc: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first is not None:
        doc["first"] = first
    if items is not None:
        doc["orderedItems"] = items
    return doc


def ordered_page(
    page_id: str, part_of: str, items: list[Any], next_page: str | None, context: Any = AS_CONTEXT
) -> dict[str, Any]:
    """One page of a collection."""
    doc: dict[str, Any] = {
        "@context": context,
        "id": page_id,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    }
    if next_page is not None:
        doc["next"] = next_page
    return doc
