"""The directory of the groups hosted here, as the instance's front page lists them.

A search matches a group when every word of the query appears (ignoring case, as
``str.casefold`` compares) in its name, display name, summary, place, topics (as
``#topic``, so ``food`` and ``#food`` both find it) or one of its profile fields' values.
An instance hosts tens of groups, not millions: they are matched in Python, the same
on SQLite and PostgreSQL, where the fields' JSON would need each engine's own syntax.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import list_groups
from actors.models import Group


def _searchable(group: Group) -> str:
    values = [field.get("value", "") for field in group.fields]
    topics = [f"#{topic}" for topic in group.topics]
    texts = [group.name, group.display_name, group.summary, group.place or "", *topics, *values]
    return "\n".join(texts).casefold()


def matches(group: Group, query: str) -> bool:
    """True when every word of ``query`` is in the group's texts (an empty query matches)."""
    text = _searchable(group)
    return all(word in text for word in query.casefold().split())


async def search_groups(session: AsyncSession, query: str = "") -> list[Group]:
    """The local groups that match ``query``, by name; every group for an empty query."""
    return [group for group in await list_groups(session) if matches(group, query)]
