"""The distribution log on the command line: record and list, limits, the waiting list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from accounts.models import AuditEntry
from sharing.distribution_models import Distribution, WaitingEntry
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli

G = "pantry"


async def _rows(instance: Instance) -> list[Distribution]:
    async with instance.ctx.sessions() as session:
        rows = await session.scalars(select(Distribution).order_by(Distribution.id))
        return list(rows)


async def _age(instance: Instance, row_id: int, days: float) -> dt.datetime:
    """Move distribution ``row_id`` ``days`` into the past; its new time."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    async with instance.ctx.sessions() as session:
        await session.execute(
            update(Distribution).where(Distribution.id == row_id).values(given_at=when)
        )
        await session.commit()
    return when


async def test_record_and_list_with_filters(instance: Instance, cli: Cli) -> None:
    await add_group(instance, G)
    # When: three distributions are recorded, one category written two ways.
    out = await cli.ok(
        instance, "distribution", "record", G, "--recipient", " Household  14 ",
        "--item", "Food  Boxes", "--quantity", "2",
    )  # fmt: skip
    assert out.startswith("recorded #1: ") and out.endswith("\t2\tfood boxes\tHousehold 14\n")
    await cli.ok(
        instance, "distribution", "record", G, "--recipient", "household 14",
        "--item", "nappies", "--quantity", "30",
    )  # fmt: skip
    await cli.ok(
        instance, "distribution", "record", G, "--recipient", "Ana",
        "--item", "food boxes", "--quantity", "1",
    )  # fmt: skip
    # Then: the list is newest first; filters by category and by recipient (any spelling).
    listed = (await cli.ok(instance, "distribution", "list", G)).splitlines()
    assert [line.split("\t")[1:] for line in listed] == [
        ["1", "food boxes", "Ana"],
        ["30", "nappies", "household 14"],
        ["2", "food boxes", "Household 14"],
    ]
    by_item = await cli.ok(instance, "distribution", "list", G, "--item", "FOOD BOXES")
    assert [line.split("\t")[3] for line in by_item.splitlines()] == ["Ana", "Household 14"]
    by_who = await cli.ok(instance, "distribution", "list", G, "--recipient", "HOUSEHOLD 14")
    assert [line.split("\t")[2] for line in by_who.splitlines()] == ["nappies", "food boxes"]
    later = await cli.ok(instance, "distribution", "list", G, "--since", "2999-01-01")
    assert later == "nothing distributed yet\n"
    rows = await _rows(instance)
    assert {(row.recipient_key, row.group_id > 0, row.recorded_by) for row in rows} == {
        ("household 14", True, "command line"),
        ("ana", True, "command line"),
    }
    # And: the audit log has each, without the recipient's name.
    async with instance.ctx.sessions() as session:
        logged = list(await session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert logged[-3:] == ["#1: 2 food boxes", "#2: 30 nappies", "#3: 1 food boxes"]


async def test_a_limit_refuses_and_says_when(instance: Instance, cli: Cli) -> None:
    await add_group(instance, G)
    out = await cli.ok(
        instance, "distribution", "limit", G, "--item", "Food boxes",
        "--per-recipient", "2", "--days", "7",
    )  # fmt: skip
    assert out == "food boxes\tat most 2 per 7 days\n"
    record = ("distribution", "record", G, "--recipient", "household 14", "--item", "food boxes")
    await cli.ok(instance, *record, "--quantity", "1")
    await cli.ok(instance, *record, "--quantity", "1")
    first, second = await _rows(instance)
    oldest = await _age(instance, first.id, 3)
    # When: a third box inside the week; then it is refused, saying when they may again.
    err = await cli.fails(instance, *record, "--quantity", "1")
    when = (oldest + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M UTC")
    assert err == (
        "error: household 14 may receive at most 2 food boxes in 7 days: they may receive 1 "
        f"again from {when}; or put them on the waiting list"
    )
    # Two more must wait for both boxes to leave the week.
    err = await cli.fails(instance, *record, "--quantity", "2")
    later = (second.given_at + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M UTC")
    assert f"they may receive 2 again from {later};" in err
    # Another recipient, or another category, is not limited.
    await cli.ok(instance, "distribution", "record", G, "--recipient", "ana", "--item",
                 "food boxes", "--quantity", "2")  # fmt: skip
    await cli.ok(instance, *record[:-1], "soap", "--quantity", "5")
    # Once the oldest box is more than 7 days old, one more may go.
    await _age(instance, first.id, 7.01)
    await cli.ok(instance, *record, "--quantity", "1")
    assert len(await _rows(instance)) == 5
    # The limit is lifted with --remove.
    out = await cli.ok(instance, "distribution", "limit", G, "--item", "food boxes", "--remove")
    assert out == "no limits\n"
    await cli.ok(instance, *record, "--quantity", "3")


async def test_the_waiting_list_is_served_in_order(instance: Instance, cli: Cli) -> None:
    await add_group(instance, G)
    await cli.ok(instance, "distribution", "limit", G, "--item", "food boxes",
                 "--per-recipient", "2", "--days", "7")  # fmt: skip
    # Given: household 1 got two boxes this week; then four recipients wait, in this order.
    await cli.ok(instance, "distribution", "record", G, "--recipient", "household 1",
                 "--item", "food boxes", "--quantity", "2")  # fmt: skip
    for who, n in (("household 1", 1), ("household 2", 2), ("household 3", 2), ("ana", 1)):
        out = await cli.ok(instance, "distribution", "wait", G, "--recipient", who,
                           "--item", "Food Boxes", "--quantity", str(n))  # fmt: skip
        assert out == f"{who} waits for {n} food boxes\n"
    err = await cli.fails(instance, "distribution", "wait", G, "--recipient", "ANA",
                          "--item", "food boxes", "--quantity", "1")  # fmt: skip
    assert err == "error: ANA is already waiting for food boxes"
    waiting = await cli.ok(instance, "distribution", "waiting", G)
    assert [line.split("\t")[2] for line in waiting.splitlines()] == [
        "household 1", "household 2", "household 3", "ana",
    ]  # fmt: skip
    # When: 3 boxes arrive. Household 1 is over its limit (passed over, keeps its place);
    # household 2 gets 2; household 3 needs 2 and only 1 is left: serving stops there.
    out = await cli.ok(instance, "distribution", "serve", G, "--item", "food boxes",
                       "--quantity", "3")  # fmt: skip
    assert [line.split("\t")[-2:] for line in out.splitlines()] == [["food boxes", "household 2"]]
    waiting = await cli.ok(instance, "distribution", "waiting", G, "--item", "food boxes")
    assert [line.split("\t")[2] for line in waiting.splitlines()] == [
        "household 1", "household 3", "ana",
    ]  # fmt: skip
    # When: 5 more arrive: household 3 then ana; household 1 still waits.
    out = await cli.ok(instance, "distribution", "serve", G, "--item", "food boxes",
                       "--quantity", "5")  # fmt: skip
    assert [line.split("\t")[-1] for line in out.splitlines()] == ["household 3", "ana"]
    async with instance.ctx.sessions() as session:
        entries = list(await session.scalars(select(WaitingEntry).order_by(WaitingEntry.id)))
    assert [(e.recipient, e.served_at is not None) for e in entries] == [
        ("household 1", False), ("household 2", True), ("household 3", True), ("ana", True),
    ]  # fmt: skip
    given = {row.id: row.recipient for row in await _rows(instance)}
    assert [given[e.distribution_id] for e in entries[1:] if e.distribution_id] == [
        "household 2", "household 3", "ana",
    ]  # fmt: skip


async def test_bad_input_is_refused_clearly(instance: Instance, cli: Cli) -> None:
    await add_group(instance, G)
    record = ("distribution", "record", G, "--item", "food boxes")
    err = await cli.fails(instance, *record, "--recipient", "x", "--quantity", "0")
    assert err == "error: a quantity is a whole number from 1 to 100000, not 0"
    err = await cli.fails(instance, *record, "--recipient", "x" * 201, "--quantity", "1")
    assert err == "error: the recipient is 201 characters long: at most 200"
    err = await cli.fails(instance, *record, "--recipient", " \u200b ", "--quantity", "1")
    assert err == "error: the recipient is empty: write a name or a code"
    err = await cli.fails(instance, "distribution", "serve", G, "--item", "blankets",
                          "--quantity", "3")  # fmt: skip
    assert err == "error: nobody waits for blankets; waiting lists: none"
    await cli.ok(instance, "distribution", "wait", G, "--recipient", "ana", "--item", "soap",
                 "--quantity", "1")  # fmt: skip
    err = await cli.fails(instance, "distribution", "serve", G, "--item", "blankets",
                          "--quantity", "3")  # fmt: skip
    assert err == "error: nobody waits for blankets; waiting lists: soap"
    err = await cli.fails(instance, "distribution", "criteria", G, "  \n ")
    assert err == "error: the criteria are empty: write how the group decides who receives what"
    limit = ("distribution", "limit", G, "--item", "soap")
    err = await cli.fails(instance, *limit, "--per-recipient", "0", "--days", "7")
    assert err == "error: a limit per recipient is a whole number from 1 to 100000, not 0"
    err = await cli.fails(instance, *limit, "--per-recipient", "2", "--days", "-1")
    assert err == "error: a limit's period is from 1 to 366 days, not -1"
    err = await cli.fails(instance, *limit, "--per-recipient", "2")
    assert err == "error: a limit needs both --per-recipient N and --days D"
    await cli.ok(instance, *limit, "--per-recipient", "2", "--days", "7")
    err = await cli.fails(instance, "distribution", "wait", G, "--recipient", "bo",
                          "--item", "soap", "--quantity", "3")  # fmt: skip
    assert err == (
        "error: at most 2 soap per recipient in 7 days: 3 is more than one recipient "
        "may ever receive at once"
    )
    # Nothing was recorded by any of these.
    assert await _rows(instance) == []


async def test_criteria_are_published_and_taken_off(instance: Instance, cli: Cli) -> None:
    group = await add_group(instance, G)
    page = f"/groups/{group.uid}"
    out = await cli.ok(instance, "distribution", "criteria", G, "Children *first*.")
    assert out == f"criteria published on the page of {G}\n"
    async with instance.client() as client:
        shown = (await client.get(page)).text
    assert "How we share fairly" in shown and "Children <em>first</em>." in shown
    out = await cli.ok(instance, "distribution", "criteria", G, "--clear")
    assert out == f"criteria removed from the page of {G}\n"
    async with instance.client() as client:
        shown = (await client.get(page)).text
    assert "How we share fairly" not in shown and "Children" not in shown
    err = await cli.fails(instance, "distribution", "criteria", G, "--clear")
    assert err == f"error: {G} has no criteria to remove"
    err = await cli.fails(instance, "distribution", "criteria", G)
    assert err == "error: write the criteria: mutuals distribution criteria GROUP TEXT, or --clear"
