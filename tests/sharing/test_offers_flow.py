"""Offers and needs between two instances: published, listed on the board, closed, expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from posts.models import Post
from sharing import step
from sharing.models import Offer, RemoteOffer
from store.db import utcnow
from tests.instances import Instance, settle
from tests.sharing.network import Cli, linked


async def _remote(instance: Instance, ap_id: str) -> RemoteOffer | None:
    async with instance.ctx.sessions() as session:
        found: RemoteOffer | None = await session.scalar(
            select(RemoteOffer).where(RemoteOffer.ap_id == ap_id)
        )
    return found


async def test_offer_and_need_reach_the_board_and_close(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    # Given: beta offers bike repair and needs a ladder; alpha needs bike repair.
    out = await cli.ok(
        two, "offer", "beta", "Bike repair", "--body", "Saturdays at the *hub*",
        "--skill", "bike_repair", "--skill", "Repair", "--area", "Eastside",
        "--until", "2099-11-30", "--lang", "es", "Reparación de bicis",
        "--lang-body", "es", "Los sábados",
    )  # fmt: skip
    offer_uid = out.split()[1]
    await cli.ok(two, "need", "beta", "A ladder", "--skill", "diy", "--area", "Westside")
    await cli.ok(one, "need", "alpha", "Fix our cargo bike", "--skill", "BIKE_REPAIR")
    await settle(one, two)
    # Then: alpha's board lists beta's open offer and need, with every field kept.
    async with two.ctx.sessions() as session:
        post = await session.scalar(select(Post).where(Post.uid == offer_uid))
    assert post is not None
    remote = await _remote(one, post.document["id"])
    assert remote is not None
    assert (remote.kind, remote.title, remote.skills, remote.area, remote.state) == (
        "offer", "Bike repair", ["bike_repair", "Repair"], "Eastside", "open",
    )  # fmt: skip
    assert remote.language == "en"
    assert remote.valid_until == dt.datetime(2099, 11, 30, 23, 59, 59, tzinfo=dt.UTC)
    assert "Saturdays at the <em>hub</em>" in remote.content_html
    board = (await cli.ok(one, "board", "alpha")).splitlines()
    assert board[0].startswith("need\tFix our cargo bike\t#BIKE_REPAIR\t-\topen-ended\talpha\t")
    assert board[1] == (
        f"  matching offer: offer\tBike repair\t#bike_repair #Repair\tEastside\tuntil 2099-11-30"
        f"\t{two.base_url}/groups/beta\t{post.document['id']}"
    )
    assert [line.split("\t")[1] for line in board if not line.startswith(" ")] == [
        "Fix our cargo bike", "Bike repair", "A ladder",
    ]  # fmt: skip
    by_skill = await cli.ok(one, "board", "alpha", "--skill", "#DIY")
    assert [line.split("\t")[1] for line in by_skill.splitlines()] == ["A ladder"]
    by_area = await cli.ok(one, "board", "alpha", "--area", "east")
    assert [line.split("\t")[1] for line in by_area.splitlines()] == ["Bike repair"]
    # When: beta closes the offer as fulfilled; then it leaves alpha's board.
    out = await cli.ok(two, "offer", "close", "beta", offer_uid, "--fulfilled")
    assert out == f"offer {offer_uid} is now fulfilled; followers get an Update\n"
    await settle(one, two)
    closed = await _remote(one, post.document["id"])
    assert closed is not None and closed.state == "closed"
    assert "Bike repair" not in await cli.ok(one, "board", "alpha")
    err = await cli.fails(two, "offer", "close", "beta", offer_uid, "--withdrawn")
    assert err == f"error: offer {offer_uid} is already fulfilled"


async def test_an_offer_expires_after_its_until_day(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    tomorrow = (utcnow() + dt.timedelta(days=1)).date()
    await cli.ok(two, "offer", "beta", "Soup", "--until", tomorrow.isoformat())
    await settle(one, two)
    assert "Soup" in await cli.ok(one, "board", "alpha")
    # When: the periodic step runs after the day is over.
    assert await step.run_once(two.ctx, utcnow() + dt.timedelta(days=2)) == 1
    await settle(one, two)
    async with two.ctx.sessions() as session:
        row = await session.scalar(select(Offer))
        assert row is not None and row.state == "expired"
        post = await session.get(Post, row.post_id)
    assert post is not None
    assert post.document["publishes"]["availableQuantity"]["hasNumericalValue"] == "0"
    assert "expired" in post.document["content"]
    assert "Soup" not in await cli.ok(one, "board", "alpha")
    assert await step.run_once(two.ctx, utcnow() + dt.timedelta(days=3)) == 0
