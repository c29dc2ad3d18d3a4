"""A liaison's handle on the group's ActivityPub profile: granted, revoked, disabled, from the
command line and from the team page, with followers told by ``Update{Group}``."""

from __future__ import annotations

from typing import Any

import pytest

from actors.groups import set_fields
from tests.admin.support import add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sharing.network import Cli
from tests.sink import Sink, add_follower

AP = {"accept": "application/activity+json"}


async def liaison_fields(instance: Instance) -> list[str]:
    """The ``Liaison`` fields of eastside's actor document, as served."""
    async with instance.client() as client:
        actor = (await client.get("/groups/eastside", headers=AP)).json()
    return [field["value"] for field in actor["attachment"] if field["name"] == "Liaison"]


def updates(sink: Sink) -> list[list[str]]:
    """The ``Liaison`` fields of each ``Update{Group}`` the follower received, in order."""
    return [
        [field["value"] for field in doc["object"]["attachment"] if field["name"] == "Liaison"]
        for doc in (delivered.activity for delivered in sink.at("/inbox"))
        if doc["type"] == "Update" and doc["object"]["type"] == "Group"
    ]


@pytest.fixture
async def followed(instance: Instance) -> Any:
    """eastside, with its fields, followed from a recording server."""
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        set_fields(await session.merge(group), [("Website", "https://e.example")])
        await session.commit()
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        yield group, sink


async def test_the_command_line_shows_and_hides_a_liaison_on_the_actor(
    instance: Instance, followed: Any, cli: Cli
) -> None:
    _group, sink = followed
    await add_account(instance, "bea")
    await cli.ok(instance, "account", "grant", "bea", "eastside", "editor")
    await cli.ok(
        instance, "account", "grant", "bea", "eastside", "liaison", "--handle", "@bea@x.example"
    )
    await settle(instance)
    assert await liaison_fields(instance) == ["@bea@x.example"]
    # An editor's role changes nothing on the profile; the liaison's sends one Update
    assert updates(sink) == [["@bea@x.example"]]
    update = next(d.activity for d in sink.at("/inbox") if d.activity["type"] == "Update")
    assert update["object"]["attachment"][0]["name"] == "Website"

    await cli.ok(instance, "account", "disable", "bea")
    await settle(instance)
    assert await liaison_fields(instance) == []
    assert updates(sink) == [["@bea@x.example"], []]


async def test_the_team_page_gives_a_liaison_handle_and_takes_it_back(
    instance: Instance, followed: Any
) -> None:
    group, sink = followed
    await add_account(instance, "ana", group, "organizer")
    await add_account(instance, "bea")
    page = f"/admin/groups/{group.name}/team"
    async with signed_in(instance, "ana") as client:
        refused = await post_form(
            client, page, {"action": "grant", "username": "bea", "role": "editor",
                           "handle": "@bea@x.example"},
        )  # fmt: skip
        assert refused.status_code == 400
        assert "only a liaison shows a fediverse handle of their own" in refused.text
        assert 'value="@bea@x.example"' in refused.text  # what was typed is kept
        given = await post_form(
            client, page, {"action": "grant", "username": "bea", "role": "liaison",
                           "handle": "bea@X.example"},
        )  # fmt: skip
        assert given.status_code == 303
        assert "<bdi>@bea@x.example</bdi>" in (await client.get(page)).text
        await settle(instance)
        assert await liaison_fields(instance) == ["@bea@x.example"]
        taken = await post_form(
            client, page, {"action": "revoke", "username": "bea", "role": "liaison"}
        )
        assert taken.status_code == 303
    await settle(instance)
    assert await liaison_fields(instance) == []
    assert updates(sink) == [["@bea@x.example"], []]
