"""Helpers shared by the offer, need, event and poll commands."""

from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncSession

from posts.models import Post
from sharing.publishing import Row


def add_words(
    parser: argparse.ArgumentParser, new: str, new_help: str, actions: tuple[str, ...], id_help: str
) -> None:
    """Add ``words``: GROUP and ``new`` (to create), or one of ``actions``, GROUP and an ID."""
    quoted = "/".join(map(repr, actions))
    parser.add_argument(
        "words",
        nargs="+",
        metavar=f"GROUP {new} | {'|'.join(actions)} GROUP ID",
        help=f"the group and {new_help}, or {quoted}, the group and {id_help}",
    )


async def committed_post(session: AsyncSession, row: Row) -> Post:
    """Commit the new offer, event or poll ``row``; then the post that carries it."""
    await session.commit()
    post = await session.get(Post, row.post_id)
    assert post is not None
    return post
