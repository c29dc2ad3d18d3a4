"""Paged ``OrderedCollection`` documents, as Mastodon serves them.

The collection itself carries ``totalItems`` and a link to its ``first`` page; pages
are ``OrderedCollectionPage``s with ``partOf``, ``orderedItems`` and ``next``.
"""

from __future__ import annotations

from typing import Any

from federation.vocab import AS_CONTEXT, get_id


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


def listed_ids(doc: dict[str, Any], limit: int) -> list[str]:
    """The ids of the first ``limit`` items ``doc`` (a collection or one of its pages)
    lists in ``orderedItems`` or ``items``: plain ids or objects with one; others skipped."""
    items = doc.get("orderedItems", doc.get("items"))
    if not isinstance(items, list):
        return []
    return [found for item in items[:limit] if (found := get_id(item)) is not None]


def following_page(doc: dict[str, Any]) -> Any:
    """Where the items after ``doc``'s are: a page's ``next``, or the ``first`` page of a
    collection that lists none itself (a URL, or the page embedded)."""
    if "orderedItems" in doc or "items" in doc:
        return doc.get("next")
    return doc.get("first")
