"""``mutuals group move``: a group on one instance moves to a group on another; a group on a
third instance that followed it follows the new one, and Mastodon gets the Move it needs."""

from __future__ import annotations

import httpx

from federation.httpsig import signature_key_id
from federation.vocab import as_list
from tests.helpers import add_group
from tests.moves.support import AS, World, followers, following
from tests.peer import AP


async def actor_document(url: str) -> dict[str, object]:
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers={"Accept": AP})
    assert response.status_code == 200
    doc: dict[str, object] = response.json()
    return doc


async def test_a_group_moves_and_its_followers_follow_it_there(world: World) -> None:
    one, two, three, cli = world.one, world.two, world.three, world.cli
    # Given the new group lists the old one in alsoKnownAs (its handle, found by WebFinger)
    out = await cli.ok(three, "group", "update", "new", "--also-known-as", f"old@{one.host}")
    assert f"new is also known as {world.old_id}" in out
    await world.settle()
    assert (await actor_document(world.new_id))["alsoKnownAs"] == [world.old_id]

    # When the old group moves there
    out = await cli.ok(one, "group", "move", "old", f"new@{three.host}")
    assert f"old moved to {world.new_id}" in out
    await world.settle()

    # Then Mastodon received the Move exactly as Mastodon sends one, signed by the old group
    [move] = world.mastodon.inbox_activities("Move")
    assert AS in as_list(move["@context"])
    # (Its integrity proof, another feature's, is left aside here.)
    assert {key: value for key, value in move.items() if key not in ("@context", "proof")} == {
        "id": move["id"],
        "type": "Move",
        "actor": world.old_id,
        "target": world.new_id,
        "object": world.old_id,
    }
    [received] = [r for r in world.mastodon.received if r.activity["type"] == "Move"]
    assert signature_key_id("POST", received.headers) == f"{world.old_id}#main-key"
    # and the group on two follows the new group (accepted there) and no longer the old one.
    fans = f"{two.base_url}/groups/fans"
    assert await following(two, "fans") == {(world.new_id, True)}
    assert await followers(three, "new") == {(fans, True)}
    assert await followers(one, "old") == {(world.ann.id, True)}
    # The old actor keeps movedTo; its page sends browsers on.
    old = await actor_document(world.old_id)
    assert old["movedTo"] == world.new_id and old["id"] == world.old_id
    async with one.client() as client:
        page = await client.get("/groups/old", headers={"Accept": "text/html"})
    assert (page.status_code, page.headers["location"]) == (302, world.new_id)
    shown = await cli.ok(one, "group", "show", "old")
    assert f"moved to:        {world.new_id}" in shown

    # A second move is refused, and sends nothing more.
    error = await cli.fails(one, "group", "move", "old", f"new@{three.host}")
    assert error == f"error: old already moved to {world.new_id}; a group moves only once"
    await world.settle()
    assert len(world.mastodon.inbox_activities("Move")) == 1


async def test_a_move_the_target_does_not_confirm_is_refused(world: World) -> None:
    one, three, cli = world.one, world.three, world.cli
    error = await cli.fails(one, "group", "move", "old", f"new@{three.host}")
    assert error == (
        f"error: new@{three.host} does not list old in alsoKnownAs yet; first run, where "
        f"new@{three.host} lives: mutuals group update NAME --also-known-as {world.old_id}"
    )
    await world.settle()
    assert world.mastodon.inbox_activities("Move") == []
    assert "movedTo" not in await actor_document(world.old_id)
    assert await following(world.two, "fans") == {(world.old_id, True)}


async def test_bad_moves_are_refused_clearly(world: World) -> None:
    one, cli = world.one, world.cli
    error = await cli.fails(one, "group", "move", "old", f"old@{one.host}")
    assert error == "error: old cannot move to itself"
    error = await cli.fails(one, "group", "move", "nobody", f"new@{world.three.host}")
    assert error == "error: unknown group 'nobody'; 'mutuals group list' shows the groups"
    error = await cli.fails(one, "group", "move", "old", f"ghost@{one.host}")
    assert error == "error: unknown group 'ghost'; 'mutuals group list' shows the groups"
    error = await cli.fails(one, "group", "update", "old", "--also-known-as", f"old@{one.host}")
    assert error == "error: old cannot be known as itself"
    await world.settle()
    assert world.mastodon.inbox_activities("Move") == []


async def test_a_group_moves_to_another_group_of_its_instance(world: World) -> None:
    one, two, cli = world.one, world.two, world.cli
    await add_group(one, "renamed")
    renamed = one.ctx.urls.group("renamed")
    await cli.ok(one, "group", "update", "renamed", "--also-known-as", f"old@{one.host}")

    out = await cli.ok(one, "group", "move", "old", f"renamed@{one.host}")
    assert f"old moved to {renamed}" in out
    await world.settle()

    assert await following(two, "fans") == {(renamed, True)}
    assert await followers(one, "renamed") == {(f"{two.base_url}/groups/fans", True)}
    [move] = world.mastodon.inbox_activities("Move")
    assert (move["object"], move["target"]) == (world.old_id, renamed)
