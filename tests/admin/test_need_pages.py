"""A need followed through on the web: the admin need page's forms, and the public pages
showing urgency and progress but never who helps."""

from __future__ import annotations

from sqlalchemy import select

from actors.groups import get_group
from documents.multilingual import Multilingual
from sharing import needs, offers
from sharing.needs_models import NeedHelper, NeedProgress
from tests.admin.support import add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.peer import running_peer

BASE = "/admin/groups/eastside"


async def _need(instance: Instance) -> int:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, "eastside")
        row = await offers.open_offer(
            session, instance.ctx, group, "need", Multilingual.single("en", "Food boxes"),
            urgency="urgent", quantity=20,
        )  # fmt: skip
        await session.commit()
    return row.id


async def test_an_organizer_follows_a_need_through_on_the_web(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "org", group, "organizer")
    number = await _need(instance)
    page = f"{BASE}/needs/{number}"
    async with signed_in(instance, "org") as client:
        listed = await client.get(f"{BASE}/posts")
        assert f'href="{page}">Follow it through' in listed.text
        shown = await client.get(page)
        assert shown.status_code == 200
        assert "Urgent" in shown.text and "0 of 20" in shown.text
        assert "Nobody is helping yet." in shown.text
        # Assign two helpers: Maria agreed to public thanks, Jon did not.
        for data in ({"helper": "Maria", "agreed": "on"}, {"helper": "Jon"}):
            sent = await post_form(client, page, {"action": "help", **data})
            assert sent.status_code == 303
        # Bad input: more than the need lacks; refused, shown, nothing lost.
        refused = await post_form(client, page, {"action": "give", "amount": "21"})
        assert refused.status_code == 400
        assert "still lacks 20 (0 of 20 given); 21 is too many" in refused.text
        assert (
            await post_form(client, page, {"action": "give", "amount": "12"})
        ).status_code == 303
        shown = await client.get(page)
        assert "12 of 20" in shown.text and "Someone is helping" in shown.text
        assert "Maria" in shown.text and "Jon" in shown.text
        # The public pages show urgency and progress, never the helpers.
        for public in ("/groups/eastside", "/groups/eastside/board"):
            text = (await client.get(public)).text
            assert "Urgent" in text and "12 of 20 given" in text and "someone is helping" in text
            assert "Maria" not in text and "Jon" not in text
        closed = await post_form(
            client, page, {"action": "close", "outcome": "partly", "thank": "on"}
        )
        assert closed.status_code == 303
        shown = await client.get(page)
        assert "Partly fulfilled" in shown.text and "Assign a helper" not in shown.text
        again = await post_form(
            client, page, {"action": "close", "outcome": "fulfilled"}, from_page=f"{BASE}/board"
        )
        assert again.status_code == 400 and "is already partly" in again.text
    async with instance.ctx.sessions() as session:
        row, _post = await needs.find_need(session, group, number)
        helpers = (await session.scalars(select(NeedHelper.name).order_by(NeedHelper.id))).all()
    assert row.state == "partly" and helpers == ["Maria", "Jon"]


async def test_an_editor_only_views_and_unknown_needs_are_404(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "mo", group, "moderator")
    number = await _need(instance)
    async with signed_in(instance, "mo") as client:
        refused = await client.get(f"{BASE}/needs/{number}")
        assert refused.status_code == 403
    await add_account(instance, "ed", group, "editor")
    async with signed_in(instance, "ed") as client:
        missing = await client.get(f"{BASE}/needs/999")
        assert missing.status_code == 404 and "eastside has no need" in missing.text


async def test_a_reply_from_a_peer_shows_as_a_helper(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "org", group, "organizer")
    number = await _need(instance)
    async with running_peer() as peer:
        ana = peer.actor("ana")
        async with instance.ctx.sessions() as session:
            _row, post = await needs.find_need(session, group, number)
        note = peer.note(ana, "<p>I can help</p>", inReplyTo=post.document["id"])
        inbox = f"{instance.base_url}/groups/eastside/inbox"
        assert (await peer.post(inbox, peer.activity(ana, "Create", note))).status_code == 202
        await settle(instance)
        async with signed_in(instance, "org") as client:
            shown = await client.get(f"{BASE}/needs/{number}")
    assert "ana@" in shown.text and "replied" in shown.text and "not agreed" in shown.text


async def test_a_need_written_on_the_web_has_an_urgency_and_a_quantity(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "org", group, "organizer")
    compose = f"{BASE}/compose/need"
    fields = {"title": "Food boxes", "language": "en", "urgency": "urgent"}
    async with signed_in(instance, "org") as client:
        form = await client.get(compose)
        words = await post_form(client, compose, {**fields, "quantity": "twenty"})
        zero = await post_form(client, compose, {**fields, "quantity": "0"})
        unknown = await post_form(client, compose, {**fields, "urgency": "soon", "quantity": "3"})
        published = await post_form(client, compose, {**fields, "quantity": "20"})
    async with instance.ctx.sessions() as session:
        progress = (await session.scalars(select(NeedProgress))).all()

    assert '<option value="whenever" selected>Whenever</option>' in form.text
    assert words.status_code == 400 and "the quantity is a whole number" in words.text
    assert 'value="twenty"' in words.text  # what was typed is kept
    assert zero.status_code == 400 and "the quantity is 0; it must be 1 or more" in zero.text
    assert unknown.status_code == 400 and "unknown urgency &#39;soon&#39;" in unknown.text
    assert published.status_code == 303
    assert [(p.urgency, p.quantity, p.given) for p in progress] == [("urgent", 20, 0)]
