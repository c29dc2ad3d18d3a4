"""Recipients stay private: no page, feed, collection or delivered activity names one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sharing import needs
from sharing.distribution_models import Distribution
from tests.helpers import add_group
from tests.instances import settle
from tests.peer import running_peer
from tests.privacy import public_texts
from tests.sharing.network import Cli

RECIPIENTS = ("Zebulon Quartermaine", "Household Q-731", "Wilhelmina Waitlist")


async def test_no_recipient_reaches_a_page_feed_collection_or_peer(
    make_instance: Any, cli: Cli
) -> None:
    instance = await make_instance()
    group = await add_group(instance, "pantry", summary="Food for all")
    group_id = instance.ctx.urls.group(group.uid)
    async with running_peer() as peer:
        # Given: Ana, on another server, follows the group.
        ana = peer.actor("ana")
        follow = peer.activity(ana, "Follow", group_id)
        assert (await peer.post(f"{group_id}/inbox", follow)).status_code == 202
        await settle(instance)
        # And: a need for 20 food boxes, public criteria, a limit.
        out = await cli.ok(instance, "need", "pantry", "Food boxes", "--quantity", "20")
        number = out.splitlines()[1].split()[2]
        await cli.ok(instance, "distribution", "criteria", "pantry", "Families **first**.")
        await cli.ok(instance, "distribution", "limit", "pantry", "--item", "food boxes",
                     "--per-recipient", "3", "--days", "7")  # fmt: skip
        # When: boxes go to named recipients toward the need; one waits and is served.
        for who, n in ((RECIPIENTS[0], "2"), (RECIPIENTS[1], "3")):
            await cli.ok(instance, "distribution", "record", "pantry", "--recipient", who,
                         "--item", "food boxes", "--quantity", n, "--need", number)  # fmt: skip
        await cli.ok(instance, "distribution", "wait", "pantry", "--recipient", RECIPIENTS[2],
                     "--item", "food boxes", "--quantity", "1")  # fmt: skip
        await cli.ok(instance, "distribution", "serve", "pantry", "--item", "food boxes",
                     "--quantity", "1")  # fmt: skip
        await settle(instance)
        # Then: the need counts the 5 boxes given toward it (and followers were told).
        async with instance.ctx.sessions() as session:
            need, post = await needs.find_need(session, group, number)
            progress = await needs.progress_row(session, group, need)
            rows = list(await session.scalars(select(Distribution)))
        assert progress.given == 5
        assert sorted((row.recipient, row.need_id) for row in rows) == [
            (RECIPIENTS[1], need.id), (RECIPIENTS[2], None), (RECIPIENTS[0], need.id),
        ]  # fmt: skip
        received = [r.body.decode() for r in peer.received]
        need_url = post.document["id"]
        updates = [a for a in peer.inbox_activities("Update") if a["object"]["id"] == need_url]
        assert updates, [a["type"] for a in peer.inbox_activities()]
        # And: nothing public, nor anything delivered, names a recipient.
        seen = await public_texts(instance, group, tags=("food",))
        assert "Families <strong>first</strong>." in seen[0]
        for name in RECIPIENTS:
            for text in (*seen, *received):
                assert name.casefold() not in text.casefold(), name
