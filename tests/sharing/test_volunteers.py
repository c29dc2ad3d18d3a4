"""Volunteers on the command line: the inventory, matches with needs, mentors, roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sharing.volunteer_models import Volunteer, VolunteerBadge, VolunteerHelp
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli


async def _garden(make_instance: Any, cli: Cli) -> Instance:
    instance: Instance = await make_instance()
    await add_group(instance, "garden")
    await cli.ok(
        instance, "volunteer", "add", "garden", "Ana Ruiz", "--skill", "cooking",
        "--skill", "first_aid", "--availability", "Tuesday evenings", "--area", "Eastside",
        "--listed",
    )  # fmt: skip
    await cli.ok(
        instance, "volunteer", "add", "garden", "Ben", "--skill", "Driving",
        "--area", "Westside",
    )  # fmt: skip
    return instance


async def test_the_inventory_is_searchable_by_skill_and_area(make_instance: Any, cli: Cli) -> None:
    instance = await _garden(make_instance, cli)
    lines = (await cli.ok(instance, "volunteers", "garden")).splitlines()
    assert [line.split("\t")[1:6] for line in lines] == [
        ["Ana Ruiz", "#cooking #first_aid", "Eastside", "Tuesday evenings", "listed"],
        ["Ben", "#Driving", "Westside", "-", "unlisted"],
    ]
    by_skill = await cli.ok(instance, "volunteers", "garden", "--skill", "#DRIVING")
    assert [line.split("\t")[1] for line in by_skill.splitlines()] == ["Ben"]
    by_area = await cli.ok(instance, "volunteers", "garden", "--area", "east")
    assert [line.split("\t")[1] for line in by_area.splitlines()] == ["Ana Ruiz"]
    none = await cli.ok(instance, "volunteers", "garden", "--skill", "plumbing")
    assert none == "no volunteers found\n"


async def test_open_needs_are_matched_with_volunteers(make_instance: Any, cli: Cli) -> None:
    instance = await _garden(make_instance, cli)
    await cli.ok(instance, "need", "garden", "Soup for Friday", "--skill", "Cooking")
    await cli.ok(instance, "need", "garden", "A plumber", "--skill", "plumbing")
    await cli.ok(instance, "offer", "garden", "Spare van", "--skill", "driving")
    lines = (await cli.ok(instance, "volunteers", "match", "garden")).splitlines()
    assert lines[0].startswith("need\tSoup for Friday\t#Cooking\t")
    assert lines[1].startswith("  matching volunteer: #") and lines[1].endswith("\tAna Ruiz")
    assert lines[2].startswith("need\tA plumber\t#plumbing\t")
    assert len(lines) == 3  # nobody plumbs; the offer is not a need


async def test_roles_are_granted_once_their_criteria_are_met(make_instance: Any, cli: Cli) -> None:
    instance = await _garden(make_instance, cli)
    out = await cli.ok(
        instance, "volunteers", "role", "garden", "mentor",
        "--criteria", "helped five times and approved by an organizer", "--helped", "2",
    )  # fmt: skip
    assert (
        out
        == "role mentor: helped five times and approved by an organizer (helped at least 2 times)\n"
    )
    assert await cli.ok(instance, "volunteers", "roles", "garden") == (
        "mentor\thelped 2\thelped five times and approved by an organizer\n"
    )
    # When: Ana helped once, the grant is refused with the reason.
    assert await cli.ok(instance, "volunteer", "helped", "garden", "ana ruiz") == (
        "Ana Ruiz has helped 1 times\n"
    )
    err = await cli.fails(instance, "volunteer", "grant", "garden", "Ana Ruiz", "mentor")
    assert err == (
        "error: Ana Ruiz has helped 1 times; mentor needs 2 "
        "(helped five times and approved by an organizer)"
    )
    await cli.ok(instance, "volunteer", "helped", "garden", "Ana Ruiz")
    assert await cli.ok(instance, "volunteer", "grant", "garden", "Ana Ruiz", "Mentor") == (
        "Ana Ruiz is now mentor\n"
    )
    err = await cli.fails(instance, "volunteer", "grant", "garden", "Ana Ruiz", "mentor")
    assert err == "error: Ana Ruiz is already mentor"
    err = await cli.fails(instance, "volunteer", "grant", "garden", "Ben", "captain")
    assert err == (
        "error: garden has no role 'captain' (its roles: mentor); write one with: "
        "mutuals volunteers role garden NAME --criteria TEXT"
    )
    # Then: Ben is paired with Ana as his mentor; the inventory shows it all.
    out = await cli.ok(instance, "volunteer", "mentor", "garden", "Ben", "Ana Ruiz")
    assert out == "Ben is mentored by Ana Ruiz\n"
    lines = (await cli.ok(instance, "volunteers", "garden")).splitlines()
    assert [line.split("\t")[6:] for line in lines] == [
        ["helped 2", "mentor", "-"],
        ["helped 0", "-", "mentor Ana Ruiz"],
    ]
    async with instance.ctx.sessions() as session:
        badge = await session.scalar(select(VolunteerBadge))
        helps = list(await session.scalars(select(VolunteerHelp)))
    assert badge is not None and badge.granted_by == "command line"
    assert [h.recorded_by for h in helps] == ["command line", "command line"]


async def test_bad_input_is_refused_clearly(make_instance: Any, cli: Cli) -> None:
    instance = await _garden(make_instance, cli)
    cases = {
        ("volunteer", "add", "garden", " ", "--skill", "cooking"): (
            "error: give the volunteer's name or fediverse handle"
        ),
        ("volunteer", "add", "garden", "Cleo"): (
            "error: say what the volunteer can do: at least one skill, such as cooking or first_aid"
        ),
        ("volunteer", "add", "garden", "Cleo", "--skill", "first aid"): (
            "error: the skill 'first aid' must be one word of letters, digits and _ "
            "(e.g. first_aid)"
        ),
        ("volunteer", "add", "garden", "ANA RUIZ", "--skill", "x1"): (
            "error: ANA RUIZ is already registered with this group; write the name "
            "differently, or ask an organizer to change the entry"
        ),
        ("volunteer", "mentor", "garden", "Ben", "ben"): (
            "error: Ben cannot mentor themselves: choose another volunteer as mentor"
        ),
        ("volunteer", "mentor", "garden", "Ben", "Zoe"): (
            "error: garden has no volunteer 'Zoe'; list them with: mutuals volunteers garden"
        ),
        ("volunteer", "helped", "garden", "#999"): (
            "error: garden has no volunteer '#999'; list them with: mutuals volunteers garden"
        ),
        ("volunteers", "role", "garden", "mentor"): (
            "error: say what the role asks for: --criteria TEXT [--helped N]"
        ),
        ("volunteers", "role", "garden", "mentor", "--criteria", "x", "--helped", "-1"): (
            "error: the times helped cannot be below zero"
        ),
        ("volunteers", "call"): (
            "error: write: mutuals volunteers GROUP [--skill S] [--area A] | call GROUP [TEXT] | "
            "role GROUP NAME --criteria TEXT [--helped N] | roles GROUP | match GROUP"
        ),
    }
    for argv, message in cases.items():
        assert await cli.fails(instance, *argv) == message, argv
    async with instance.ctx.sessions() as session:
        names = list(await session.scalars(select(Volunteer.name).order_by(Volunteer.id)))
    assert names == ["Ana Ruiz", "Ben"]
