"""The handler registry: keys, fallback, and refusing a second handler for a key."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from inbox.handlers import HANDLERS
from inbox.models import InboxItem
from inbox.registry import DuplicateHandler, Registry


async def first(session: AsyncSession, ctx: Context, item: InboxItem, act: dict[str, Any]) -> None:
    """A handler."""


async def second(session: AsyncSession, ctx: Context, item: InboxItem, act: dict[str, Any]) -> None:
    """Another handler."""


def test_lookup_prefers_the_object_type_then_falls_back() -> None:
    registry = Registry()
    registry.register("Undo", "Follow")(first)
    registry.register("Undo")(second)

    assert registry.lookup("Undo", "Follow") is first
    assert registry.lookup("Undo", "Like") is second
    assert registry.lookup("Undo", None) is second
    assert registry.lookup("Flag", "Note") is None


def test_a_second_handler_for_a_key_is_refused() -> None:
    registry = Registry()
    registry.register("Follow")(first)
    with pytest.raises(DuplicateHandler, match=r"Follow/\* is already handled by .*first"):
        registry.register("Follow")(second)
    assert registry.lookup("Follow", None) is first


def test_the_worker_registry_covers_issue_3() -> None:
    keys = set(HANDLERS.keys())
    expected = {"Follow", "Undo", "Accept", "Reject", "Create", "Update", "Delete", "Announce"}
    assert {(kind, "*") for kind in expected} <= keys
    assert {("Undo", "Follow"), ("Accept", "Follow"), ("Update", "Person")} <= keys
