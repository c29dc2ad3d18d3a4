"""Every migration, one at a time from an empty database, keeps the data; and all go down.

On both engines (``MUTUALS_TEST_DATABASE``). Data goes in at the first revision, written
with that revision's columns (not today's models), and is read back with today's models
at the newest schema.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from actors.keys import ed25519_key
from actors.models import Follower, Group, RemoteActor
from posts.models import Post, PostTag
from sharing.models import RemoteEvent, RemoteOffer
from store.db import UTCDateTime, make_engine, make_sessionmaker
from tests.conftest import TEST_DATABASE, Databases
from web.backup import backup_database, restore_database
from web.migrate import alembic_config
from web.schema import head_revisions, known_revisions, revisions_of

# Each step and the revisions the database is at after it: three branches leave 0001.
STEPS = (
    ("0001", {"0001"}),
    ("0002_moderation", {"0002_moderation"}),
    ("0003", {"0002_moderation", "0003"}),
    ("0006", {"0002_moderation", "0006"}),
    ("0007", {"0002_moderation", "0007"}),
    ("0004", {"0002_moderation", "0007", "0004"}),
    ("0005", {"0002_moderation", "0007", "0005"}),
    ("0008", {"0002_moderation", "0007", "0008"}),
    ("0009", {"0002_moderation", "0007", "0009"}),
    ("0010", {"0002_moderation", "0007", "0010"}),
    ("0011", {"0002_moderation", "0007", "0011"}),
    ("0012", {"0002_moderation", "0007", "0012"}),
    ("0013", {"0002_moderation", "0007", "0013"}),
    ("0014", {"0002_moderation", "0007", "0014"}),
    ("0015", {"0002_moderation", "0007", "0015"}),
    ("0016", {"0002_moderation", "0007", "0016"}),
    ("0017", {"0002_moderation", "0007", "0017"}),
    ("0018", {"0002_moderation", "0007", "0018"}),
    ("0019", {"0002_moderation", "0007", "0019"}),
    ("0020", {"0002_moderation", "0007", "0020"}),
    ("0021", {"0002_moderation", "0007", "0021"}),
    ("0022", {"0002_moderation", "0007", "0022"}),
    ("0023", {"0002_moderation", "0007", "0023"}),
    ("0024", {"0002_moderation", "0007", "0024"}),
    ("0025", {"0002_moderation", "0007", "0025"}),
)
WHEN = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
PRIVATE = "-----BEGIN PRIVATE KEY-----\nMIIB-test-private\n-----END PRIVATE KEY-----\n"
PUBLIC = "-----BEGIN PUBLIC KEY-----\nMIIB-test-public\n-----END PUBLIC KEY-----\n"
FAN = "https://remote.example/users/ann"


@pytest.fixture
async def empty_url(databases: Databases, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no schema at all."""
    if databases.is_sqlite:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"mutuals_t_{uuid.uuid4().hex[:12]}"
    admin = TEST_DATABASE.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    databases.created.append(name)  # dropped with the others at the end of the run
    yield TEST_DATABASE.rsplit("/", 1)[0] + "/" + name


def table(name: str, *columns: sa.ColumnClause[object]) -> sa.TableClause:
    return sa.table(name, *columns)


def at(name: str, type_: object = None) -> sa.ColumnClause[object]:
    return sa.column(name, type_)  # type: ignore[arg-type]


# The first revision's tables, as far as the rows below need them.
GROUPS_0001 = table(
    "groups",
    *(at(name) for name in ("id", "uid", "name", "display_name", "summary", "summary_html")),
    *(at(name) for name in ("manual_approval", "discoverable", "hide_collections")),
    at("fields", sa.JSON()),
    at("private_key_pem"),
    at("public_key_pem"),
    at("created_at", UTCDateTime()),
    at("updated_at", UTCDateTime()),
)
ACTORS_0001 = table(
    "remote_actors",
    *(at(name) for name in ("id", "ap_id", "type", "domain", "inbox")),
    at("document", sa.JSON()),
    at("fetched_at", UTCDateTime()),
)
FOLLOWERS_0001 = table(
    "followers",
    *(at(name) for name in ("id", "group_id", "actor_id", "follow_ap_id", "accepted")),
    at("created_at", UTCDateTime()),
)
POSTS_0001 = table(
    "posts",
    *(at(name) for name in ("id", "uid", "group_id", "type", "visibility", "source")),
    at("document", sa.JSON()),
    at("created_at", UTCDateTime()),
)


async def insert_at_first_revision(engine: AsyncEngine) -> None:
    group = {"id": 1, "uid": "garden", "name": "garden", "display_name": "Garden"}
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(GROUPS_0001).values(
                **group,
                summary="",
                summary_html="",
                manual_approval=False,
                discoverable=True,
                hide_collections=False,
                fields=[{"name": "Web", "value": "https://garden.example"}],
                private_key_pem=PRIVATE,
                public_key_pem=PUBLIC,
                created_at=WHEN,
                updated_at=WHEN,
            )
        )
        await conn.execute(
            sa.insert(ACTORS_0001).values(
                id=1,
                ap_id=FAN,
                type="Person",
                domain="remote.example",
                inbox=FAN + "/inbox",
                document={"id": FAN},
                fetched_at=WHEN,
            )
        )
        await conn.execute(
            sa.insert(FOLLOWERS_0001).values(
                id=1,
                group_id=1,
                actor_id=1,
                follow_ap_id=FAN + "/f",
                accepted=True,
                created_at=WHEN,
            )
        )
        await conn.execute(
            sa.insert(POSTS_0001).values(
                id=1,
                uid="p1",
                group_id=1,
                type="Note",
                visibility="public",
                source="Seed swap",
                document={
                    "type": "Note",
                    "content": "<p>Seed swap</p>",
                    "tag": [{"type": "Hashtag", "name": "#Seeds", "href": "x/tags/seeds"}],
                },
                created_at=WHEN,
            )
        )


async def revisions(engine: AsyncEngine) -> frozenset[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(revisions_of)


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))


async def test_every_migration_in_turn_keeps_a_group_its_key_follower_and_post(
    empty_url: str,
) -> None:
    assert {revision for revision, _ in STEPS} == known_revisions()
    config = alembic_config(empty_url)
    engine = make_engine(empty_url)
    try:
        for step, (revision, expected) in enumerate(STEPS):
            await asyncio.to_thread(command.upgrade, config, revision)
            assert await revisions(engine) == expected, revision
            if step == 0:
                await insert_at_first_revision(engine)
        assert await revisions(engine) == head_revisions()

        async with make_sessionmaker(engine)() as session:
            group = (await session.execute(sa.select(Group))).scalar_one()
            assert (group.name, group.private_key_pem, group.public_key_pem) == (
                "garden",
                PRIVATE,
                PUBLIC,
            )
            assert group.fields == [{"name": "Web", "value": "https://garden.example"}]
            assert group.created_at == WHEN
            # 0006 keeps a group made before it as it was: only its organizers post.
            assert (group.posting, group.announce_replies) == ("organizers", "top-level")
            # 0013: a group made before has no place, coordinates, topics or languages.
            assert (group.place, group.latitude, group.longitude) == (None, None, None)
            assert (group.topics, group.languages) == ([], [])
            # 0014: a group made before is no network.
            assert (group.is_network, group.network_announce) == (False, "all")
            # 0020: a group made before gets an Ed25519 key of its own for its proofs.
            assert ed25519_key(group.ed25519_private_pem).public_key() is not None
            follower = (await session.execute(sa.select(Follower))).scalar_one()
            assert (follower.group_id, follower.accepted, follower.actor.ap_id) == (1, True, FAN)
            post = (await session.execute(sa.select(Post))).scalar_one()
            assert (post.group_id, post.source, post.document["content"]) == (
                1,
                "Seed swap",
                "<p>Seed swap</p>",
            )
            assert (await session.execute(sa.select(RemoteActor.ap_id))).scalars().all() == [FAN]
            # 0011 stores the hashtags posts already had, by key
            assert (await session.execute(sa.select(PostTag.post_id, PostTag.tag))).all() == [
                (1, "seeds")
            ]
    finally:
        await engine.dispose()


async def test_every_migration_goes_down_to_an_empty_database_and_back_up(empty_url: str) -> None:
    config = alembic_config(empty_url)
    engine = make_engine(empty_url)
    try:
        await asyncio.to_thread(command.upgrade, config, "heads")
        await insert_at_first_revision(engine)
        await asyncio.to_thread(command.downgrade, config, "base")
        assert await revisions(engine) == frozenset()
        assert await tables(engine) <= {"alembic_version"}
        await asyncio.to_thread(command.upgrade, config, "heads")
        assert await revisions(engine) == head_revisions()
    finally:
        await engine.dispose()


async def test_a_backup_at_the_first_revision_restores_and_is_migrated(
    empty_url: str, databases: Databases, tmp_path: Path
) -> None:
    # Given a backup made at the first schema, with a group in it
    await asyncio.to_thread(command.upgrade, alembic_config(empty_url), "0001")
    engine = make_engine(empty_url)
    try:
        await insert_at_first_revision(engine)
    finally:
        await engine.dispose()
    made = await backup_database(empty_url, tmp_path / "old.backup")
    assert (made.revisions, made.groups) == ({"0001"}, 1)

    # When it is restored into a database at the newest schema, which has more tables
    target = await databases.new()
    restored = await restore_database(target, made.path)

    # Then the database is migrated to the newest schema and has the group and its key
    assert restored.migrated_to == head_revisions()
    engine = make_engine(target)
    try:
        assert await revisions(engine) == head_revisions()
        async with make_sessionmaker(engine)() as session:
            group = (await session.execute(sa.select(Group))).scalar_one()
            assert (group.name, group.private_key_pem) == ("garden", PRIVATE)
    finally:
        await engine.dispose()


async def test_0012_marks_what_was_received_in_public(empty_url: str) -> None:
    config = alembic_config(empty_url)
    for revision in ("0011", "0007"):  # all but 0012 (0007 heads the branch of 0003)
        await asyncio.to_thread(command.upgrade, config, revision)
    objects = table(
        "remote_objects",
        *(at(n) for n in ("id", "ap_id", "type", "attributed_to")),
        at("content_html"),
        at("document", sa.JSON()),
        at("deleted"),
        at("received_at", UTCDateTime()),
    )
    offers = table(
        "remote_offers",
        *(at(n) for n in ("ap_id", "attributed_to", "kind", "title")),
        at("content_html"),
        at("skills", sa.JSON()),
        at("state"),
        at("received_at", UTCDateTime()),
    )
    events = table(
        "remote_events",
        *(at(n) for n in ("ap_id", "attributed_to", "title")),
        at("summary"),
        at("content_html"),
        at("starts_at", UTCDateTime()),
        at("cancelled"),
        at("received_at", UTCDateTime()),
    )
    addressed = {  # each object's to and cc, as Mastodon and Mobilizon write them
        "/offers/public": ({"to": ["https://www.w3.org/ns/activitystreams#Public"]}),
        "/offers/followers": ({"to": [FAN + "/followers"]}),
        "/events/unlisted": ({"to": FAN + "/followers", "cc": "as:Public"}),
        "/events/direct": ({"to": ["https://garden.example/groups/garden"]}),
    }
    engine = make_engine(empty_url)
    try:
        async with engine.begin() as conn:
            for number, (path, audience) in enumerate(addressed.items(), start=1):
                ap_id = FAN + path
                kind = "Page" if "offers" in path else "Event"
                document = {"id": ap_id, "type": kind, **audience}
                await conn.execute(
                    sa.insert(objects).values(
                        id=number,
                        ap_id=ap_id,
                        type=kind,
                        attributed_to=FAN,
                        content_html="",
                        document=document,
                        deleted=False,
                        received_at=WHEN,
                    )
                )
                common = {
                    "ap_id": ap_id,
                    "attributed_to": FAN,
                    "title": path,
                    "content_html": "",
                    "received_at": WHEN,
                }
                if kind == "Page":
                    await conn.execute(
                        sa.insert(offers).values(**common, kind="offer", skills=[], state="open")
                    )
                else:
                    await conn.execute(
                        sa.insert(events).values(
                            **common, summary="", starts_at=WHEN, cancelled=False
                        )
                    )
        await asyncio.to_thread(command.upgrade, config, "0012")
        async with make_sessionmaker(engine)() as session:
            kept = [
                *(await session.execute(sa.select(RemoteOffer.title, RemoteOffer.public))).all(),
                *(await session.execute(sa.select(RemoteEvent.title, RemoteEvent.public))).all(),
            ]
    finally:
        await engine.dispose()
    assert sorted(kept) == [
        ("/events/direct", False),
        ("/events/unlisted", True),
        ("/offers/followers", False),
        ("/offers/public", True),
    ]
