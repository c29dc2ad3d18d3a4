"""Bad input to a need's lifecycle is refused with a clear message and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from actors.groups import get_group
from sharing import needs
from tests.helpers import add_group
from tests.instances import Instance
from tests.sharing.network import Cli, post_by_uid


async def _given(instance: Instance, uid: str) -> tuple[str, int]:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "beta")
        row, _post = await needs.find_need(session, group, uid)
        progress = await needs.progress_row(session, group, row)
    return row.state, progress.given


async def test_quantities_states_and_urgencies_are_checked(make_instance: Any, cli: Cli) -> None:
    two = await make_instance()
    await add_group(two, "beta")
    await add_group(two, "gamma")
    err = await cli.fails(two, "need", "beta", "Boxes", "--quantity", "0")
    assert err.endswith("the quantity is 0; it must be 1 or more")
    err = await cli.fails(two, "need", "beta", "Boxes", "--urgency", "soon")
    assert err.endswith("unknown urgency 'soon'; use one of urgent, week, whenever")
    out = await cli.ok(two, "need", "beta", "Boxes", "--quantity", "5")
    uid, number = out.split()[1], out.splitlines()[1].split()[2]
    for amount, message in (
        ("-1", "the quantity given is -1; it must be 1 or more"),
        ("0", "the quantity given is 0; it must be 1 or more"),
        ("6", "still lacks 5 (0 of 5 given); 6 is too many"),
        ("many", "(a whole number)"),
    ):
        assert message in await cli.fails(two, "need", "give", "beta", uid, amount)
    assert await _given(two, uid) == ("open", 0)
    await cli.ok(two, "need", "give", "beta", uid, "5")
    assert "still lacks 0 (5 of 5 given)" in await cli.fails(two, "need", "give", "beta", uid, "1")
    # Another group's need, an unknown one, an offer: not this group's need.
    assert "gamma has no need" in await cli.fails(two, "need", "give", "gamma", uid, "1")
    assert "beta has no need '999'" in await cli.fails(two, "need", "show", "beta", "999")
    offer = (await cli.ok(two, "offer", "beta", "Bikes")).split()[1]
    assert "beta has no need" in await cli.fails(
        two, "need", "help", "beta", offer, "--helper", "X"
    )
    assert "say who helps: --helper" in await cli.fails(two, "need", "help", "beta", uid)
    # A closed need does not change again.
    await cli.ok(two, "need", "close", "beta", uid, "--unmet")
    err = await cli.fails(two, "need", "close", "beta", uid, "--fulfilled")
    assert err.endswith("a closed need cannot be closed again")
    for argv in (
        ("close", "beta", uid, "--fulfilled"),
        ("give", "beta", uid, "1"),
        ("help", "beta", uid, "--helper", "Maria"),
    ):
        err = await cli.fails(two, "need", *argv)
        assert f"need {number} is already unmet; " in err
    assert await _given(two, uid) == ("unmet", 5)
    other = (await cli.ok(two, "need", "beta", "Chairs")).split()[1]
    assert "nobody to thank" in await cli.fails(
        two, "need", "close", "beta", other, "--unmet", "--thank"
    )
    assert (await post_by_uid(two, other)).document["needState"] == "open"


async def test_record_given_refuses_bad_input(make_instance: Any, cli: Cli) -> None:
    two = await make_instance()
    await add_group(two, "beta")
    uid = (await cli.ok(two, "need", "beta", "Boxes", "--quantity", "3")).split()[1]
    async with two.ctx.sessions() as session:
        group = await get_group(session, "beta")
        row, _post = await needs.find_need(session, group, uid)
        with pytest.raises(needs.NeedError, match="must be 1 or more"):
            await needs.record_given(session, two.ctx, group, row.id, 0)
        with pytest.raises(needs.NeedError, match="has no need"):
            await needs.record_given(session, two.ctx, group, row.id + 100, 1)
        done = await needs.record_given(session, two.ctx, group, row.id, 2)
        await session.commit()
        assert done.id == row.id
    assert await _given(two, uid) == ("open", 2)
