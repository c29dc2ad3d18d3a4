"""Done-when list 2 through the real inbox: odd payloads get 400 (never 500, nothing
stored), and hostile text is stored sanitized. (Not JSON, bad UTF-8, an array actor,
a numeric or non-http id and the 1 MB cap are in test_receive.py.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from actors.models import RemoteActor
from inbox.models import RemoteObject
from tests.helpers import add_group
from tests.inbox.support import count_items, follow, inbox_url, rows
from tests.instances import Instance, settle
from tests.peer import Peer

HOSTILE = '<p onerror="steal()">Hi <script>steal()</script><a href="javascript:steal()">x</a></p>'


async def posted(instance: Instance, peer: Peer, activity: dict[str, Any]) -> tuple[int, str]:
    res = await peer.post(inbox_url(instance, None), activity)
    return res.status_code, res.text


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        pytest.param(
            {"tag": [{"type": "Hashtag", "name": f"#t{i}"} for i in range(10_000)]},
            "'tag' lists 10000 items",
            id="10000-tags",
        ),
        pytest.param({"type": ["Create", 5]}, "a type list must hold strings", id="odd-type"),
        pytest.param({"object": {"id": 12, "type": "Note"}}, "an id must be a string", id="obj-id"),
        pytest.param({"content": "NaN-free \x00"}, "NUL", id="nul"),
    ],
)
async def test_odd_payload_is_400_and_not_stored(
    instance: Instance, peer: Peer, extra: dict[str, Any], reason: str
) -> None:
    alice = peer.actor("alice")
    activity = peer.activity(alice, "Create", peer.new_id(alice, "statuses")) | extra
    status, text = await posted(instance, peer, activity)
    assert (status, reason in text) == (400, True), text
    assert await count_items(instance) == 0


async def test_10000_levels_of_nesting_is_400(instance: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    head = json.dumps(peer.activity(alice, "Create", None))[:-1]
    deep = '{"a": ' * 10_000 + "{}" + "}" * 10_000
    body = (head + ', "x": ' + deep + "}").encode()
    res = await peer.post(inbox_url(instance, None), body=body, actor=alice)
    assert (res.status_code, res.text) == (400, "the JSON is nested too deeply\n")
    assert await count_items(instance) == 0


async def test_missing_id_is_400(instance: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    activity = peer.activity(alice, "Create", peer.new_id(alice, "statuses"))
    del activity["id"]
    status, text = await posted(instance, peer, activity)
    assert status == 400 and "http(s) URL as its id" in text


async def test_nan_is_400(instance: Instance, peer: Peer) -> None:
    alice = peer.actor("alice")
    body = json.dumps(peer.activity(alice, "Create", {"x": 1})).replace("1}", "NaN}")
    res = await peer.post(inbox_url(instance, None), body=body.encode(), actor=alice)
    assert res.status_code == 400
    assert await count_items(instance) == 0


async def test_hostile_html_is_stored_sanitized(instance: Instance, peer: Peer) -> None:
    await add_group(instance, "demo")
    alice = peer.actor("alice")
    await follow(instance, "demo", alice)
    note = peer.note(alice, HOSTILE, summary=HOSTILE, name='<img src=x onerror="steal()">\u202e')
    body = {k: v for k, v in note.items() if k != "@context"}

    assert (await posted(instance, peer, peer.activity(alice, "Create", body)))[0] == 202
    await settle(instance)

    (row,) = await rows(instance, RemoteObject)
    for text in (row.content_html, row.document["summary"]):
        assert "Hi" in text
        for bad in ("<script", "steal()", "onerror", "javascript:"):
            assert bad not in text, (bad, text)
    # A name is plain text (escaped wherever it is shown), without hidden characters.
    assert row.document["name"] == '<img src=x onerror="steal()">'


async def test_bidi_and_zero_width_stripped_from_actor_names(
    instance: Instance, peer: Peer
) -> None:
    await add_group(instance, "demo")
    mallory = peer.actor("mallory")
    document = mallory.document

    def tricky() -> dict[str, Any]:
        return document() | {
            "name": "Adm\u200bin\u202e\u2066 Team\ufeff",
            "preferredUsername": "mal\u200dlory",
        }

    mallory.document = tricky  # type: ignore[method-assign]
    follow_activity = peer.activity(mallory, "Follow", f"{instance.base_url}/groups/demo")
    assert (await posted(instance, peer, follow_activity))[0] == 202

    (actor,) = await rows(instance, RemoteActor)
    assert (actor.name, actor.preferred_username) == ("Admin Team", "mallory")
