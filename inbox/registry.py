"""Which handler applies an activity: a registry keyed by (activity type, object type).

Handlers register with a decorator::

    @handles("Undo", "Follow")
    async def undo_follow(session, ctx, item, activity) -> None: ...

Lookup tries (activity type, object type), then (activity type, "*"). An activity
nobody handles is acknowledged and marked done by the worker, never an error.
A handler that acts in the activity's actor's name takes it from `signed_by_actor`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from inbox.models import InboxItem
from inbox.shape import requester

ANY = "*"

Handler = Callable[[AsyncSession, Context, InboxItem, dict[str, Any]], Awaitable[None]]
"""Applies one activity inside the worker's transaction; raising rolls its effects back."""

ActorHandler = Callable[[AsyncSession, Context, InboxItem, dict[str, Any], str], Awaitable[None]]
"""A handler also given the activity's actor, once `signed_by_actor` has checked it."""


def signed_by_actor(handler: ActorHandler) -> Handler:
    """The handler that applies ``handler`` only when the activity's actor signed it.

    Anything else is dropped (see ``inbox.shape.requester``).
    """

    @functools.wraps(handler)
    async def checked(
        session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
    ) -> None:
        actor = requester(activity, item.actor_ap_id)
        if actor is not None:
            await handler(session, ctx, item, activity, actor)

    return checked


class DuplicateHandler(ValueError):
    """Two handlers were registered for the same (activity type, object type)."""


class Registry:
    """A mapping of (activity type, object type or ``"*"``) to handlers."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}

    def register(self, activity_type: str, object_type: str = ANY) -> Callable[[Handler], Handler]:
        """Decorator registering a handler; a second one for the same key is an error."""

        def decorate(handler: Handler) -> Handler:
            key = (activity_type, object_type)
            if (existing := self._handlers.get(key)) is not None:
                raise DuplicateHandler(
                    f"{activity_type}/{object_type} is already handled by "
                    f"{existing.__module__}.{existing.__qualname__}"
                )
            self._handlers[key] = handler
            return handler

        return decorate

    def lookup(self, activity_type: str, object_type: str | None) -> Handler | None:
        """The handler for this pair, falling back to the activity type's ``"*"`` handler."""
        if object_type is not None and (found := self._handlers.get((activity_type, object_type))):
            return found
        return self._handlers.get((activity_type, ANY))

    def keys(self) -> list[tuple[str, str]]:
        """Every registered (activity type, object type), sorted."""
        return sorted(self._handlers)


HANDLERS = Registry()
"""The registry the inbox worker uses; ``inbox.handlers`` fills it on import."""

handles = HANDLERS.register
