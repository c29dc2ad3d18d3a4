"""The organizers' transparency page: draft a month, change its text, publish it; others
get 403; a bad month is refused on the page."""

from __future__ import annotations

from tests.admin.support import add_account, log, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sink import Sink, add_follower

PAGE = "/admin/groups/demo/transparency"


async def test_an_organizer_drafts_edits_and_publishes_a_report(instance: Instance) -> None:
    group = await add_group(instance, "demo")
    await add_account(instance, "ana", group, "organizer")
    await add_account(instance, "eve", group, "editor")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ben"))
        async with signed_in(instance, "ana") as client:
            bad = await post_form(client, PAGE, {"action": "draft", "month": "October"})
            drafted = await post_form(client, PAGE, {"action": "draft", "month": "2026-10"})
            page = await client.get(drafted.headers["location"])
            saved = await post_form(
                client, PAGE, {"action": "save", "month": "2026-10", "text": "Soup *every* week"}
            )
            published = await post_form(client, PAGE, {"action": "publish", "month": "2026-10"})
            after = await client.get(published.headers["location"])
        async with signed_in(instance, "eve") as client:
            refused = await client.get(PAGE)
        await settle(instance)
        (article,) = [d.activity["object"] for d in sink.received if d.activity["type"] == "Create"]

    assert bad.status_code == 400 and "is not a month: write it as YYYY-MM" in bad.text
    assert 'value="October"' in bad.text
    assert drafted.status_code == 303
    assert drafted.headers["location"] == f"{PAGE}?month=2026-10&done=drafted"
    assert "Report for 2026-10" in page.text and "Needs: 0 opened" in page.text
    assert "What demo did in October 2026" in page.text  # the draft's text, to change
    assert saved.status_code == 303
    assert "The report is published" in after.text and "Published on" in after.text
    assert article["type"] == "Article" and "<em>every</em>" in article["content"]
    assert refused.status_code == 403
    assert [(action, detail) for action, detail, _ in await log(instance, "ana")] == [
        ("transparency report drafted", "2026-10"),
        ("transparency report saved", "2026-10"),
        ("transparency report published", "2026-10"),
    ]
