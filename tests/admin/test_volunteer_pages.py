"""The public form to volunteer and the organizers' Volunteers page, over real HTTP."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import select

from actors.models import Group
from sharing.volunteer_models import Volunteer
from tests.admin.support import add_account, csrf_of, log, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance

BASE = "/admin/groups/eastside/volunteers"


async def _names(instance: Instance) -> list[tuple[str, str, bool]]:
    async with instance.ctx.sessions() as session:
        rows = await session.scalars(select(Volunteer).order_by(Volunteer.id))
        return [(row.name, row.source, row.listed) for row in rows]


async def test_the_public_form_registers_and_refuses_bad_input(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    form = f"/groups/{group.uid}/volunteer"
    good = {
        "name": "Cleo <b>B</b>", "skills": "cooking, first aid", "availability": "Fridays",
        "area": "Eastside", "listed": "yes",
    }  # fmt: skip
    async with instance.client() as client:
        # A form without its token is refused, and stores nothing.
        forged = await client.post(form, data=good)
        assert forged.status_code == 400
        assert "This form has expired" in forged.text
        page = await client.get(form)
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        token = csrf_of(page)
        done = await client.post(form, data={"csrf": token, **good})
        assert done.status_code == 200
        assert (
            "Thank you, Cleo &lt;b&gt;B&lt;/b&gt;! We recorded your skills: cooking, first_aid."
            in (done.text)
        )
        assert "the organizers will check your entry before" in done.text
        refusals = {
            "": "give the volunteer&#39;s name or fediverse handle",
            "Dan": "say what the volunteer can do: at least one skill",
            "cleo <B>b</b>": "is already registered with this group",
        }
        for name, reason in refusals.items():
            skills = "" if name == "Dan" else "driving"
            answer = await client.post(form, data={"csrf": token, "name": name, "skills": skills})
            assert answer.status_code == 400 and reason in answer.text, (name, answer.text)
            assert 'aria-describedby="form-error"' in answer.text
            assert f'value="{html.escape(name)}"' in answer.text  # what was typed is kept
        answer = await client.post(
            form, data={"csrf": token, "name": "Eve", "skills": "x", "area": "a" * 201}
        )
        assert answer.status_code == 400 and "the area is too long" in answer.text
        # The sixth form from one address within minutes is refused.
        answer = await client.post(form, data={"csrf": token, "name": "Fay", "skills": "x"})
        assert answer.status_code == 429 and "Too many forms" in answer.text
        missing = await client.get("/groups/nobody/volunteer")
        assert missing.status_code == 404
    # Cleo asked to be listed: she waits for the organizers, off the public page.
    assert await _names(instance) == [("Cleo <b>B</b>", "form", False)]
    async with instance.client() as client:
        public = (await client.get(f"/groups/{group.uid}/volunteers")).text
    assert "Cleo" not in public and "No volunteer is listed yet." in public


async def test_the_form_refuses_a_fediverse_handle(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    form = f"/groups/{group.uid}/volunteer"
    async with instance.client() as client:
        token = csrf_of(await client.get(form))
        # Anyone could type someone's handle: a reply to the call proves the account.
        for name in ("@ana@social.example", "ana@social.example", "Ana (@ana@social.example)"):
            data = {"csrf": token, "name": name, "skills": "cooking", "listed": "yes"}
            answer = await client.post(form, data=data)
            assert answer.status_code == 400, name
            assert (
                "this form cannot register a fediverse account: write your name without @, "
                "or reply to the group&#39;s call for volunteers from that account"
            ) in answer.text
            assert f'value="{html.escape(name)}"' in answer.text  # what was typed is kept
            assert 'value="cooking"' in answer.text and "checked" in answer.text
    assert await _names(instance) == []


async def _sign_up(instance: Instance, group: Group, name: str) -> None:
    """``name`` volunteers on the public form and asks to be listed."""
    async with instance.client() as client:
        form = f"/groups/{group.uid}/volunteer"
        token = csrf_of(await client.get(form))
        data = {"csrf": token, "name": name, "skills": "cooking", "listed": "yes"}
        assert (await client.post(form, data=data)).status_code == 200


async def _public(instance: Instance, group: Group) -> str:
    async with instance.client() as client:
        page = await client.get(f"/groups/{group.uid}/volunteers")
    return page.text.split("<main", 1)[1]


async def test_a_request_to_be_listed_waits_for_an_organizer(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "olga", group, "organizer")
    await _sign_up(instance, group, "Cleo")
    await _sign_up(instance, group, "Dan Spam")
    assert "Cleo" not in await _public(instance, group)
    async with signed_in(instance, "olga") as client:
        page = (await client.get(BASE)).text
        asking = page.split("Asked to be listed", 1)[1].split("</ul>", 1)[0]
        assert "Cleo" in asking and "Dan Spam" in asking
        cleo, dan = (f"#{row[0]}" for row in await _ids(instance))
        listed = await post_form(client, BASE, {"action": "list", "volunteer": cleo})
        assert listed.status_code == 303 and listed.headers["location"].endswith("?done=list")
        refused = await post_form(client, BASE, {"action": "unlist", "volunteer": dan})
        assert refused.status_code == 303
        page = (await client.get(BASE)).text
        assert "Asked to be listed" not in page
        assert 'Unlist<span class="visually-hidden"> <bdi>Cleo</bdi>' in page
    public = await _public(instance, group)
    assert "Cleo" in public and "Dan Spam" not in public
    # An organizer takes anyone off the page, whatever the source.
    async with signed_in(instance, "olga") as client:
        assert (
            await post_form(client, BASE, {"action": "unlist", "volunteer": "cleo"})
        ).status_code == 303
        unknown = await post_form(client, BASE, {"action": "list", "volunteer": "Zoe"})
        assert unknown.status_code == 400 and "has no volunteer" in unknown.text
    assert "Cleo" not in await _public(instance, group)
    assert [entry[:2] for entry in await log(instance, "olga")] == [
        ("volunteer list", "Cleo"),
        ("volunteer unlist", "Dan Spam"),
        ("volunteer unlist", "Cleo"),
    ]


async def test_a_request_to_be_listed_is_approved_on_the_command_line(
    instance: Instance, cli: Any
) -> None:
    group = await add_group(instance, "eastside")
    await _sign_up(instance, group, "Cleo")
    await cli.ok(instance, "volunteer", "add", "eastside", "Ana", "--skill", "x", "--listed")
    lines = (await cli.ok(instance, "volunteers", "eastside")).splitlines()
    assert [line.split("\t")[1::4] for line in lines] == [
        ["Ana", "listed"],
        ["Cleo", "asked to be listed"],
    ]
    public = await _public(instance, group)
    assert "Ana" in public and "Cleo" not in public
    out = await cli.ok(instance, "volunteer", "listing", "eastside", "cleo", "--on")
    assert out == "Cleo is listed on the public volunteers page\n"
    assert "Cleo" in await _public(instance, group)
    out = await cli.ok(instance, "volunteer", "listing", "eastside", "Ana", "--off")
    assert out == "Ana is not listed on the public volunteers page\n"
    public = await _public(instance, group)
    assert "Ana" not in public and "Cleo" in public
    err = await cli.fails(instance, "volunteer", "listing", "eastside", "Zoe", "--on")
    assert (
        err == "error: eastside has no volunteer 'Zoe'; list them with: mutuals volunteers eastside"
    )
    assert [entry[:2] for entry in await log(instance, "command line")] == [
        ("volunteer list", "Cleo"),
        ("volunteer unlist", "Ana"),
    ]


async def _ids(instance: Instance) -> list[tuple[int, str]]:
    async with instance.ctx.sessions() as session:
        rows = await session.execute(select(Volunteer.id, Volunteer.name).order_by(Volunteer.id))
        return [(row_id, name) for row_id, name in rows]


async def test_organizers_search_match_and_grant(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "olga", group, "organizer")
    await add_account(instance, "ed", group, "editor")
    async with signed_in(instance, "ed") as client:
        assert (await client.get(BASE)).status_code == 403
    async with signed_in(instance, "olga") as client:
        for name, skills, listed in (("Ana", "cooking", "yes"), ("Ben", "driving, cooking", "")):
            data = {"action": "add", "volunteer": name, "skills": skills, "listed": listed}
            data |= {"availability": f"{name} evenings", "area": f"{name}ville"}
            assert (await post_form(client, BASE, data)).status_code == 303
        page = await client.get(BASE)
        assert "Ana evenings" in page.text and "Benville" in page.text
        found = await client.get(BASE, params={"skill": "driving"})
        assert "Benville" in found.text and "Anaville" not in found.text
        role = {"action": "role", "role": "mentor", "criteria": "helped twice", "helped": "2"}
        assert (await post_form(client, BASE, role)).status_code == 303
        refused = await post_form(
            client, BASE, {"action": "grant", "volunteer": "Ana", "role": "mentor"}
        )
        assert refused.status_code == 400
        assert "Ana has helped 0 times; mentor needs 2 (helped twice)" in refused.text
        for _ in range(2):
            helped = await post_form(client, BASE, {"action": "helped", "volunteer": "ana"})
            assert helped.status_code == 303
        granted = await post_form(
            client, BASE, {"action": "grant", "volunteer": "Ana", "role": "mentor"}
        )
        assert granted.status_code == 303 and granted.headers["location"].endswith("?done=grant")
        pair = {"action": "mentor", "volunteer": "Ben", "mentor": "Ben"}
        refused = await post_form(client, BASE, pair)
        assert refused.status_code == 400 and "cannot mentor themselves" in refused.text
        pair["mentor"] = "Ana"
        assert (await post_form(client, BASE, pair)).status_code == 303
    async with instance.client() as client:
        public = (await client.get(f"/groups/{group.uid}/volunteers")).text
    assert "Ana" in public and '<span class="badge">mentor</span>' in public
    assert "Ben" not in public and "evenings" not in public and "ville" not in public
    assert [entry[:2] for entry in await log(instance, "olga")] == [
        ("volunteer add", "Ana"),
        ("volunteer add", "Ben"),
        ("volunteer role", "mentor"),
        ("volunteer helped", "Ana (1)"),
        ("volunteer helped", "Ana (2)"),
        ("volunteer grant", "Ana: mentor"),
        ("volunteer mentor", "Ben by Ana"),
    ]


async def test_the_volunteers_page_matches_open_needs(instance: Instance, cli: Any) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "olga", group, "organizer")
    await cli.ok(instance, "need", "eastside", "Soup on Friday", "--skill", "cooking")
    await cli.ok(instance, "volunteer", "add", "eastside", "Ana", "--skill", "Cooking")
    async with signed_in(instance, "olga") as client:
        page = (await client.get(BASE)).text
    matched = page.split("Soup on Friday", 1)[1]
    assert "Matching volunteers:" in matched.split("</article>")[0]
    assert "<bdi>Ana</bdi>" in matched.split("</article>")[0]
