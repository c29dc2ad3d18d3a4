"""The sharing tables after ``mutuals migrate`` (run by the fixtures), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from actors.groups import create_group
from actors.urls import Urls
from posts.models import Post
from sharing.models import Event, Offer, Poll, Response, Rsvp, Vote, vote_slot
from store.db import Base, make_engine, make_sessionmaker
from web.migrate import alembic_config

TABLES = {
    "offers",
    "events",
    "event_rsvps",
    "polls",
    "poll_votes",
    "post_responses",
    "remote_offers",
    "remote_events",
}
ALICE = "https://social.example/users/alice"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(engine)() as session:
        yield session


async def _post(session: AsyncSession, uid: str = "p1") -> Post:
    group = await create_group(session, "eastside", Urls("https://mutuals.example"))
    post = Post(uid=uid, group_id=group.id, type="Question", document={})
    session.add(post)
    await session.flush()
    return post


async def _poll(session: AsyncSession, multiple: bool) -> Poll:
    post = await _post(session)
    poll = Poll(
        post_id=post.id,
        group_id=post.group_id,
        question="Which evening?",
        options=["Tuesday", "Thursday"],
        multiple=multiple,
    )
    session.add(poll)
    await session.flush()
    return poll


def _vote(poll: Poll, option: str, n: int) -> Vote:
    return Vote(
        poll_id=poll.id,
        actor_ap_id=ALICE,
        option=option,
        slot=vote_slot(poll.multiple, option),
        object_ap_id=f"{ALICE}#votes/{n}",
    )


def test_migration_0003_branches_from_0001() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revision = script.get_revision("0003")
    assert revision is not None and revision.down_revision == "0001"


async def test_tables_exist_after_upgrade(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert names >= TABLES


async def test_migration_matches_the_models(engine: AsyncEngine) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        changes = compare_metadata(context, Base.metadata)
        return [c for c in changes if TABLES & set(_tables_named(c))]

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


def _tables_named(change: object) -> list[str]:
    found: list[str] = []
    stack: list[object] = [change]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
        else:
            name = getattr(item, "name", None)
            table = getattr(item, "table", None)
            found += [n for n in (name, getattr(table, "name", None)) if isinstance(n, str)]
            if isinstance(item, str):
                found.append(item)
    return found


async def test_single_choice_poll_stores_one_vote_per_account(session: AsyncSession) -> None:
    poll = await _poll(session, multiple=False)
    session.add(_vote(poll, "Tuesday", 1))
    await session.commit()
    session.add(_vote(poll, "Thursday", 2))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()
    assert len((await session.scalars(select(Vote))).all()) == 1


async def test_multiple_choice_poll_stores_each_option_once(session: AsyncSession) -> None:
    poll = await _poll(session, multiple=True)
    session.add_all([_vote(poll, "Tuesday", 1), _vote(poll, "Thursday", 2)])
    await session.commit()
    session.add(_vote(poll, "Tuesday", 3))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_one_rsvp_per_account_and_event(session: AsyncSession) -> None:
    post = await _post(session)
    event = Event(
        post_id=post.id,
        group_id=post.group_id,
        title="Repair café",
        starts_at=dt.datetime(2025, 11, 29, 9, 0, tzinfo=dt.UTC),
        timezone="Europe/Berlin",
        rrule="FREQ=MONTHLY",
    )
    session.add(event)
    await session.flush()
    session.add(Rsvp(event_id=event.id, actor_ap_id=ALICE, state="going", activity_ap_id="j1"))
    await session.commit()
    stored = await session.scalar(select(Event))
    assert stored is not None and stored.starts_at == dt.datetime(2025, 11, 29, 9, tzinfo=dt.UTC)
    session.add(Rsvp(event_id=event.id, actor_ap_id=ALICE, state="maybe", activity_ap_id="j2"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_offer_and_responses_go_with_their_post(session: AsyncSession) -> None:
    post = await _post(session)
    session.add(
        Offer(
            post_id=post.id,
            group_id=post.group_id,
            kind="offer",
            title="Bike repair",
            skills=["bike_repair"],
            area="Eastside",
        )
    )
    session.add(
        Response(
            post_id=post.id,
            actor_ap_id=ALICE,
            object_ap_id=f"{ALICE}/s/1",
            content_html="<p>yes please</p>",
        )
    )
    await session.commit()
    offer = await session.scalar(select(Offer))
    assert offer is not None and (offer.state, offer.skills) == ("open", ["bike_repair"])
    await session.delete(post)
    await session.commit()
    assert (await session.scalars(select(Offer))).all() == []
    assert (await session.scalars(select(Response))).all() == []
