"""Writing as the group in a real browser: typing, previewing, publishing, the posts list,
and each kind published by clicking reaching a follower on another instance.

Screenshots ``admin-compose`` (a post with its preview) and ``admin-posts`` illustrate
the README's "For organizers" section.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.async_api import Page, expect
from sqlalchemy import select

from accounts import links
from actors.groups import get_group
from actors.models import Group
from follows import actions
from inbox.models import RemoteObject
from posts.models import Post
from sharing.models import RemoteEvent, RemoteOffer
from tests.admin.support import PASSWORD, add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.helpers import add_group
from tests.instances import Instance, settle

BASE = "/admin/groups/eastside"


async def sign_in(page: Page, instance: Instance, username: str) -> None:
    await page.goto(instance.base_url + "/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(instance.base_url + "/admin/")
    await page.get_by_role("link", name="Eastside Mutual Aid").click()
    await expect(page).to_have_url(instance.base_url + "/admin/groups/eastside/")


async def test_an_editor_writes_previews_and_publishes_a_post(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    group = await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    await add_account(instance, "maria", group, "editor")
    await sign_in(page, instance, "maria")
    await page.get_by_role("link", name="Write").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Write a post as Eastside Mutual Aid"
    )
    await assert_accessible(page)

    # Typing Markdown, then Preview: the rendered text shows, nothing is published
    text = page.get_by_label("Text", exact=True)
    await text.click()
    await page.keyboard.type("Soup kitchen on **Saturday** at the community hall. #food")
    await page.get_by_label("Followers only").check()
    # The same text in Spanish, in the first "Other languages" row
    spanish = page.get_by_role("group", name="Translation 1")
    await spanish.get_by_label("Language tag").fill("es")
    await spanish.get_by_label("Text in that language").fill("Comedor el **sábado**. #food")
    await page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    await expect(preview.locator("strong")).to_have_text(["Saturday", "sábado"])
    await expect(preview.get_by_role("heading", name="In es")).to_be_visible()
    await expect(spanish.get_by_label("Text in that language")).to_have_value(
        "Comedor el **sábado**. #food"
    )
    await expect(text).to_have_value("Soup kitchen on **Saturday** at the community hall. #food")
    await expect(page.get_by_label("Followers only")).to_be_checked()
    async with instance.ctx.sessions() as session:
        assert (await session.scalars(select(Post))).all() == []
    await assert_accessible(page)
    await screenshot(page, "admin-compose")

    # Publish: the posts page lists it
    await page.get_by_role("button", name="Publish").click()
    await expect(page).to_have_url(re.compile(re.escape(f"{instance.base_url}{BASE}/posts?sent=")))
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")
    async with instance.ctx.sessions() as session:
        post = (await session.scalars(select(Post))).one()
    assert post.visibility == "followers"
    assert "<strong>Saturday</strong>" in post.document["content"]
    assert "<strong>sábado</strong>" in post.document["contentMap"]["es"]


async def following_instances(make_instance: Any) -> tuple[Instance, Instance, Group]:
    """``eastside`` on one instance, followed by ``beta`` on another (accepted)."""
    one, two = await make_instance(), await make_instance()
    eastside = await add_group(one, "eastside", display_name="Eastside Mutual Aid")
    await add_group(two, "beta")
    async with two.ctx.sessions() as session:
        beta = await get_group(session, "beta")
        await actions.follow(session, two.ctx, beta, f"eastside@{one.host}")
        await session.commit()
    await settle(one, two)
    return one, two, eastside


async def received(instance: Instance, model: type[Any], *where: Any) -> list[Any]:
    """The rows of ``model`` on ``instance`` matching ``where``."""
    async with instance.ctx.sessions() as session:
        return list((await session.scalars(select(model).where(*where))).all())


async def test_an_invited_organizer_publishes_each_kind_and_the_follower_instance_has_it(
    make_instance: Any, page: Page, screenshot: Screenshots
) -> None:
    one, two, group = await following_instances(make_instance)
    async with one.ctx.sessions() as session:
        token = await links.invite(session, group, "organizer", by="ana")
        await session.commit()
    # The invitation: a username and a password, then the group's dashboard
    await page.goto(f"{one.base_url}/invite/{token}")
    await page.get_by_label("Username").fill("maria")
    await page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    await page.get_by_label("The same password again").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()
    await expect(page).to_have_url(f"{one.base_url}{BASE}/")
    url = one.base_url + BASE

    await page.get_by_role("link", name="Write").click()
    await page.get_by_label("Text", exact=True).fill("Garden work day on Sunday. #garden")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    await page.goto(url + "/compose/offer")
    await assert_accessible(page)
    await screenshot(page, "admin-compose-offer")
    await page.get_by_label("Title", exact=True).fill("Bike repair on Saturdays")
    await page.get_by_label("Skills (optional)").fill("bike_repair, tools")
    await page.get_by_label("Area (optional)").fill("Eastside")
    await page.get_by_role("button", name="Publish the offer").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    await page.goto(url + "/compose/need")
    await assert_accessible(page)
    await page.get_by_label("Title", exact=True).fill("A ladder for a weekend")
    await page.get_by_role("button", name="Publish the need").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    await page.goto(url + "/compose/event")
    await assert_accessible(page)
    # (The fields with suggestions first: their open list would take the button's click)
    await page.get_by_label("Time zone").fill("Europe/Berlin")
    await page.get_by_label("Repeats (optional)").fill("monthly")
    await page.get_by_label("Title", exact=True).fill("Repair café")
    await page.get_by_label("Starts").fill("2031-03-01T14:00")
    await page.get_by_label("Ends (optional)").fill("2031-03-01T17:00")
    await page.get_by_label("Place (or an online link below)").fill("Community hall, 12 Main St")
    await screenshot(page, "admin-compose-event")
    await page.get_by_role("button", name="Publish the event").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    # A mistake comes back next to the form, with what was typed
    await page.goto(url + "/compose/poll")
    await assert_accessible(page)
    await page.get_by_label("Question", exact=True).fill("Which day suits the work party?")
    await page.get_by_label("Options", exact=True).fill("Saturday")
    await page.get_by_role("button", name="Publish the poll").click()
    await expect(page.get_by_role("alert")).to_have_text("a poll needs 2 to 20 options; 1 given")
    await expect(page.get_by_label("Question", exact=True)).to_have_value(
        "Which day suits the work party?"
    )
    await assert_accessible(page)
    await page.get_by_label("Options", exact=True).fill("Saturday\nSunday")
    await page.get_by_label("Voters may pick several options").check()
    await screenshot(page, "admin-compose-poll")
    await page.get_by_role("button", name="Publish the poll").click()
    await expect(page.get_by_role("status")).to_contain_text("Sent to the followers")

    # The list: each thing with its actions
    main = page.locator("main")
    for shown in ("Bike repair on Saturdays", "A ladder", "Repair café", "Saturday: 0"):
        await expect(main).to_contain_text(shown)
    await assert_accessible(page)
    await screenshot(page, "admin-posts")
    await page.get_by_role("button", name="Fulfilled “Bike repair on Saturdays”").click()
    row = page.get_by_role("row", name="Bike repair on Saturdays")
    await expect(row).to_contain_text("fulfilled")
    await page.get_by_role("link", name="Change “Repair café”").click()
    await expect(page.get_by_label("Title", exact=True)).to_have_value("Repair café")
    await expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    await assert_accessible(page)

    # The follower instance has each kind, as its own kind of row
    await settle(one, two)
    actor = one.ctx.urls.group(group.uid)
    notes = await received(two, RemoteObject, RemoteObject.attributed_to == actor)
    # (Offers and needs go out as Notes that Mastodon shows, with the offer inside)
    assert sorted(note.type for note in notes) == ["Event", "Note", "Note", "Note", "Question"]
    texts = " ".join(note.content_html for note in notes if note.type == "Note")
    for sent in ("Garden work day", "Offer: Bike repair on Saturdays", "Need: A ladder"):
        assert sent in texts
    question = next(n.document for n in notes if n.type == "Question")
    assert [option["name"] for option in question["anyOf"]] == ["Saturday", "Sunday"]
    offered = await received(two, RemoteOffer, RemoteOffer.attributed_to == actor)
    assert sorted((o.kind, o.title, o.state) for o in offered) == [
        ("need", "A ladder for a weekend", "open"),
        ("offer", "Bike repair on Saturdays", "closed"),
    ]
    (event,) = await received(two, RemoteEvent, RemoteEvent.attributed_to == actor)
    assert (event.title, event.timezone, event.rrule) == (
        "Repair café",
        "Europe/Berlin",
        "FREQ=MONTHLY",
    )
    assert (event.place_name, event.place_address) == ("Community hall", "12 Main St")
    assert event.starts_at == dt.datetime(2031, 3, 1, 13, 0, tzinfo=dt.UTC)
