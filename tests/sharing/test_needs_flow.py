"""A need followed through between two instances and a Mastodon-shaped member: "I can help"
replies, quantities given, the fulfilment and the public thanks, on both sides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from actors.groups import get_group
from posts.models import Post
from sharing import needs
from sharing.models import RemoteOffer
from sharing.needs_models import RemoteNeedProgress
from tests.forum.support import mastodon_post
from tests.instances import Instance, settle
from tests.peer import running_peer
from tests.sharing.network import Cli, linked, post_by_uid


async def _remote(instance: Instance, ap_id: str) -> tuple[RemoteOffer, RemoteNeedProgress]:
    async with instance.ctx.sessions() as session:
        found = (
            await session.execute(
                select(RemoteOffer, RemoteNeedProgress)
                .join(RemoteNeedProgress, RemoteNeedProgress.remote_offer_id == RemoteOffer.id)
                .where(RemoteOffer.ap_id == ap_id)
            )
        ).one()
    return found[0], found[1]


async def test_a_need_is_helped_given_fulfilled_and_thanked(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    # Given: beta (followed by alpha) needs 20 food boxes, urgently.
    out = await cli.ok(two, "need", "open", "beta", "Food boxes", "--urgency", "urgent",
                       "--quantity", "20", "--skill", "food")  # fmt: skip
    uid = out.split()[1]
    number = out.splitlines()[1].split()[2]
    need_id = (await post_by_uid(two, uid)).document["id"]
    await settle(one, two)
    remote, progress = await _remote(one, need_id)
    assert (remote.state, progress.stage, progress.urgency) == ("open", "open", "urgent")
    assert (progress.quantity, progress.given) == (20, 0)
    assert "🔥 urgent — 0 of 20 given — reply if you can help" in remote.content_html
    async with running_peer() as peer:
        ana, bob, cy = peer.actor("ana"), peer.actor("bob"), peer.actor("cy")
        handle = f"beta@{two.host}"
        group_id = need_id.split("/posts/")[0]
        inbox = f"{group_id}/inbox"
        # When: Ana replies from Mastodon "I can help" and agrees to a mention, Bob offers
        # help without agreeing, Cy only comments.
        said = [(ana, "I can help! You can mention me."), (bob, "I can help"), (cy, "Great")]
        for who, text in said:
            reply = mastodon_post(peer, who, group_id, handle, text, in_reply_to=need_id)
            assert (await peer.post(inbox, reply)).status_code == 202
        await settle(one, two)
        # Then: the need has two helpers on its instance, and is "someone is helping" on both.
        shown = await cli.ok(two, "need", "show", "beta", number)
        assert f"helper\t{ana.id}\treply\tagreed to thanks" in shown
        assert f"helper\t{bob.id}\treply\tno public thanks" in shown
        assert cy.id not in shown
        doc = (await post_by_uid(two, uid)).document
        assert doc["needState"] == "helping" and "someone is helping" in doc["content"]
        remote, progress = await _remote(one, need_id)
        assert (remote.state, progress.stage) == ("open", "helping")
        # When: the organizer records 12 boxes given; Then: alpha's board shows 12 of 20.
        assert "12 of 20 given" in await cli.ok(two, "need", "give", "beta", uid, "12")
        await settle(one, two)
        board = await cli.ok(one, "board", "alpha")
        assert board.splitlines()[0].endswith(f"\t{need_id}\turgent; 12/20 given; helping")
        doc = (await post_by_uid(two, uid)).document
        assert doc["publishes"]["availableQuantity"]["hasNumericalValue"] == "8"
        assert doc["givenQuantity"] == 12
        # When: it closes fulfilled with thanks.
        closed = await cli.ok(two, "need", "close", "beta", number, "--fulfilled", "--thank")
        assert "thanks published" in closed
        await settle(one, two)
        # Then: alpha's copy is closed as fulfilled, and off the board.
        remote, progress = await _remote(one, need_id)
        assert (remote.state, progress.stage, progress.given) == ("closed", "fulfilled", 12)
        assert need_id not in await cli.ok(one, "board", "alpha")
        # And: the thanks reached Ana (mentioned), never Bob, who did not agree.
        thanks = [
            a["object"]
            for a in peer.inbox_activities("Create")
            if a["object"].get("inReplyTo") == need_id
        ]
        assert len(thanks) == 1
        assert [t["href"] for t in thanks[0]["tag"] if t["type"] == "Mention"] == [ana.id]
        assert "Thank you" in thanks[0]["content"] and bob.id not in str(thanks[0])
        assert "Food boxes" in thanks[0]["content"]


async def test_a_later_reply_adds_consent_and_replays_count_once(
    make_instance: Any, cli: Cli
) -> None:
    _one, two = await linked(make_instance)
    uid = (await cli.ok(two, "need", "beta", "Una escalera", "--language", "es")).split()[1]
    need_id = (await post_by_uid(two, uid)).document["id"]
    group_id = need_id.split("/posts/")[0]
    async with running_peer() as peer:
        ana = peer.actor("ana")
        first = mastodon_post(peer, ana, group_id, "beta", "¡Puedo ayudar!", in_reply_to=need_id)
        for _ in range(2):  # delivered twice: one helper
            assert (await peer.post(f"{group_id}/inbox", first)).status_code == 202
        await settle(two)
        assert "no public thanks" in await cli.ok(two, "need", "show", "beta", uid)
        # The refusal leaves the need open: nothing lost.
        err = await cli.fails(two, "need", "close", "beta", uid, "--partly", "--thank")
        assert "agreed to be thanked publicly" in err
        later = mastodon_post(peer, ana, group_id, "beta", "Menciónanos si quieres",
                              in_reply_to=need_id)  # fmt: skip
        assert (await peer.post(f"{group_id}/inbox", later)).status_code == 202
        await settle(two)
        shown = await cli.ok(two, "need", "show", "beta", uid)
        assert shown.count("helper\t") == 1 and "agreed to thanks" in shown
        await cli.ok(two, "need", "close", "beta", uid, "--partly", "--thank")
        await settle(two)
        thanks = [a for a in peer.inbox_activities("Create") if a["object"].get("inReplyTo")]
        assert len(thanks) == 1 and "Gracias" in thanks[0]["object"]["content"]


async def test_an_organizer_assigns_a_helper_by_name(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    out = await cli.ok(two, "need", "beta", "Lift to the clinic", "--urgency", "week")
    uid = out.split()[1]
    need_id = (await post_by_uid(two, uid)).document["id"]
    await cli.ok(two, "need", "help", "beta", uid, "--helper", "Maria", "--agreed")
    await cli.ok(two, "need", "help", "beta", uid, "--helper", "Jon")
    await settle(one, two)
    _remote_row, progress = await _remote(one, need_id)
    assert (progress.stage, progress.urgency, progress.quantity) == ("helping", "week", None)
    await cli.ok(two, "need", "close", "beta", uid, "--fulfilled", "--thank")
    async with two.ctx.sessions() as session:
        group = await get_group(session, "beta")
        row, _post = await needs.find_need(session, group, uid)
        posts = (await session.scalars(select(Post).where(Post.group_id == group.id))).all()
    assert row.state == "fulfilled"
    [thanks] = [p.document for p in posts if p.document.get("inReplyTo") == need_id]
    assert "Maria" in thanks["content"] and "Jon" not in thanks["content"]
    assert thanks["tag"] == [] and thanks["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
