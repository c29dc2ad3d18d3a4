"""The Distribution page over real HTTP: who may see it, each form, errors, the public criteria."""

from __future__ import annotations

from sqlalchemy import select

from sharing.distribution_models import Distribution
from tests.admin.support import add_account, count, log, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance

PAGE = "/admin/groups/pantry/distribution"


async def test_only_organizers_and_moderators_of_the_group_see_it(instance: Instance) -> None:
    pantry = await add_group(instance, "pantry")
    other = await add_group(instance, "other")
    await add_account(instance, "mo", pantry, "moderator")
    await add_account(instance, "ed", pantry, "editor")
    await add_account(instance, "li", pantry, "liaison")
    await add_account(instance, "stranger", other, "organizer")
    async with signed_in(instance, "mo") as client:
        page = await client.get(PAGE)
        assert page.status_code == 200
        assert f'href="{PAGE}">Distribution</a>' in page.text
    for name in ("ed", "li", "stranger"):
        async with signed_in(instance, name) as client:
            refused = await client.get(PAGE)
            assert refused.status_code == 403, name
            assert f'href="{PAGE}"' not in (await client.get("/admin/groups/pantry/")).text
            posted = await client.post(PAGE, data={"action": "record"})
            assert posted.status_code == 403
    async with instance.client() as anonymous:
        away = await anonymous.get(PAGE)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    # A form without its CSRF token is refused too, even for a moderator.
    async with signed_in(instance, "mo") as client:
        forged = await client.post(
            PAGE, data={"action": "record", "recipient": "x", "item": "soap", "quantity": "1"}
        )
    assert forged.status_code == 403
    assert await count(instance, Distribution) == 0


async def test_record_list_limit_wait_serve_and_criteria(instance: Instance) -> None:
    pantry = await add_group(instance, "pantry")
    await add_account(instance, "org", pantry, "organizer")
    async with signed_in(instance, "org") as client:
        # Given: a limit of 2 food boxes per week.
        limit = {"action": "limit", "item": "Food Boxes", "per_recipient": "2", "days": "7"}
        saved = await post_form(client, PAGE, limit)
        assert saved.status_code == 303
        assert "At most 2 food boxes per recipient in 7 days" in (await client.get(PAGE)).text
        # When: household 14 receives 2, then 1 more is refused and the form keeps its input.
        record = {"action": "record", "recipient": "Household 14", "item": "food boxes"}
        assert (await post_form(client, PAGE, {**record, "quantity": "2"})).status_code == 303
        over = await post_form(client, PAGE, {**record, "quantity": "1"})
        assert over.status_code == 400
        assert "Household 14 may receive at most 2 food boxes in 7 days" in over.text
        assert 'value="Household 14"' in over.text
        bad = await post_form(client, PAGE, {**record, "quantity": "0"})
        assert bad.status_code == 400
        assert "a quantity is a whole number from 1 to 100000, not 0" in bad.text
        words = await post_form(client, PAGE, {**record, "quantity": "two"})
        assert words.status_code == 400 and "write a whole number, not &#39;two&#39;" in words.text
        # Then: they wait; Ana records 1 of soap; serving 2 food boxes skips the waiting
        # household (over its limit) and serves Bo, who waits behind it.
        wait = {"action": "wait", "item": "food boxes", "quantity": "1"}
        assert (
            await post_form(client, PAGE, {**wait, "recipient": "Household 14"})
        ).status_code == 303
        assert (await post_form(client, PAGE, {**wait, "recipient": "Bo"})).status_code == 303
        served = await post_form(
            client, PAGE, {"action": "serve", "item": "food boxes", "quantity": "2"}
        )
        assert served.headers["location"].endswith("?done=serve&count=1")
        after = await client.get(served.headers["location"])
        assert "Served 1 waiting recipients." in after.text
        filtered = await client.get(PAGE, params={"recipient": "bo"})
        assert "<td><bdi>Bo</bdi></td>" in filtered.text
        assert "<td><bdi>Household 14</bdi></td>" not in filtered.text.split("Waiting list")[0]
        unknown = await post_form(
            client, PAGE, {"action": "serve", "item": "tents", "quantity": "2"}
        )
        assert unknown.status_code == 400
        assert "nobody waits for tents; waiting lists: food boxes" in unknown.text
        bad_date = await client.get(PAGE, params={"since": "last week"})
        assert bad_date.status_code == 400
        # The criteria: refused empty, published sanitized on the group's public page.
        empty = await post_form(client, PAGE, {"action": "criteria", "criteria": "   "})
        assert empty.status_code == 400 and "the criteria are empty" in empty.text
        text = "Families with children **first**.<script>alert(1)</script>"
        published = await post_form(client, PAGE, {"action": "criteria", "criteria": text})
        assert published.status_code == 303
        lifted = await post_form(client, PAGE, {"action": "unlimit", "item": "food boxes"})
        assert lifted.status_code == 303
        assert "No limits." in (await client.get(PAGE)).text
    async with instance.client() as anyone:
        public = await anyone.get(f"/groups/{pantry.uid}")
    assert "How we share fairly" in public.text
    assert "Families with children <strong>first</strong>." in public.text
    assert "<script>alert(1)" not in public.text
    assert "Household 14" not in public.text and "Bo</" not in public.text
    async with instance.ctx.sessions() as session:
        given = [
            (row.recipient, row.quantity) for row in await session.scalars(select(Distribution))
        ]
    assert sorted(given) == [("Bo", 1), ("Household 14", 2)]
    # Everything is in the group's log, without recipient names.
    done = [(action, detail) for action, detail, _group in await log(instance, "org")]
    assert [action for action, _detail in done if action.startswith("distribution")] == [
        "distribution limit", "distribution record", "distribution wait",
        "distribution wait", "distribution record", "distribution criteria",
        "distribution limit removed",
    ]  # fmt: skip
    assert not any("Household" in detail or "Bo" in detail for _action, detail in done)
    # Taken off the page by the button under the criteria.
    async with signed_in(instance, "org") as client:
        assert "Take the criteria off the group" in (await client.get(PAGE)).text
        off = await post_form(client, PAGE, {"action": "uncriteria"})
        assert off.status_code == 303
        assert (
            "The criteria are taken off the group"
            in (await client.get(off.headers["location"])).text
        )
        again = await post_form(client, PAGE, {"action": "uncriteria"})
        assert again.status_code == 400 and "pantry has no criteria to remove" in again.text
    async with instance.client() as anyone:
        assert "How we share fairly" not in (await anyone.get(f"/groups/{pantry.uid}")).text
