"""Telling in-process caches about committed changes to the rows they copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

ALL = "*"
"""The key reported when a bulk statement changed rows whose keys are unknown."""


def watch_commits(
    models: tuple[type[Any], ...],
    key: Callable[[Any], str],
    on_commit: Callable[[set[str]], None],
    *,
    tag: str,
) -> None:
    """Call ``on_commit(keys)`` after every commit that changed rows of ``models``.

    Changes are marked at flush and reported at commit, so a cache that reads the old
    rows between the two can tell its copy is already stale. Bulk INSERT/UPDATE/DELETE
    statements bypass the unit of work and report `ALL`. Until the commit the keys
    stay in ``session.info[tag]`` (see `has_uncommitted_changes`); after a rollback they
    are reported with the next commit, a harmless extra invalidation.
    """

    def after_flush(session: Session, _context: Any) -> None:
        touched = (*session.new, *session.dirty, *session.deleted)
        keys = {key(obj) for obj in touched if isinstance(obj, models)}
        if keys:
            session.info.setdefault(tag, set()).update(keys)

    def on_statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            mapper = state.bind_mapper
            if mapper is not None and issubclass(mapper.class_, models):
                state.session.info.setdefault(tag, set()).add(ALL)

    def after_commit(session: Session) -> None:
        keys = session.info.pop(tag, None)
        if keys:
            on_commit(keys)

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "do_orm_execute", on_statement)
    event.listen(Session, "after_commit", after_commit)


def has_uncommitted_changes(session: Session, models: tuple[type[Any], ...], tag: str) -> bool:
    """True when ``session`` changed rows of ``models`` that are not committed yet."""
    if session.info.get(tag):
        return True
    if not session.identity_map:  # nothing loaded, so nothing dirty or deleted (the usual case)
        return any(isinstance(obj, models) for obj in session.new)
    pending = (*session.new, *session.dirty, *session.deleted)
    return any(isinstance(obj, models) for obj in pending)
