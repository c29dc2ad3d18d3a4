"""The board, calendar and tag pages over real HTTP, as anyone reads them (no sign-in).

Groups on two real instances linked by a follow (``linked``), events and offers made as
the commands make them, posts published and edited as the organizers do.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from actors.groups import get_group
from documents.event import EventSpec, Place
from posts import notes
from sharing import events, offers
from store.db import utcnow
from tests.admin.support import add_account, signed_in
from tests.admin.test_network_pages import en, linked, uid_of
from tests.helpers import add_group
from tests.inbox.support import follow
from tests.instances import Instance, settle
from tests.peer import running_peer
from web.routes.public_network import webcal

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def day_cell(page: httpx.Response, day: str) -> str:
    """The calendar cell of ``day`` (``2030-04-08``) on a month page."""
    cells = [cell for cell in page.text.split("<td")[1:] if f'<time datetime="{day}">' in cell]
    assert len(cells) == 1, day
    return cells[0].split("</td>")[0]


def articles(page: httpx.Response) -> list[str]:
    """The posts listed on a tag page."""
    return page.text.split('<article class="post h-entry">')[1:]


async def test_the_board_shows_the_network_and_matches_needs(make_instance: Any) -> None:
    # Given eastside following beta on another instance, each with offers and needs
    one, two, eastside, beta = await linked(make_instance)
    async with one.ctx.sessions() as session:
        await offers.open_offer(
            session, one.ctx, eastside, "need", en("Fix my bike"),
            skills=["Bikes"], area="Eastside", until=dt.date(2099, 1, 31),
        )  # fmt: skip
        await offers.open_offer(
            session, one.ctx, eastside, "offer", en("Ladder lending"), skills=["diy"]
        )
        await session.commit()
    async with two.ctx.sessions() as session:
        await offers.open_offer(
            session, two.ctx, beta, "offer", en("<b>Bike</b> repair"),
            skills=["bikes"], area="Eastside market",
        )  # fmt: skip
        await offers.open_offer(session, two.ctx, beta, "need", en("A ladder"), skills=["DIY"])
        await session.commit()
    await settle(one, two)
    # When anyone opens eastside's board, whole and filtered
    async with one.client() as client:
        everything = await client.get("/groups/eastside/board")
        bikes = await client.get("/groups/eastside/board", params={"skill": "#BIKES"})
        market = await client.get("/groups/eastside/board", params={"area": "market"})
        nothing = await client.get("/groups/eastside/board", params={"skill": "cooking"})
        missing = await client.get("/groups/nobody/board")
    # Then each need lists the offers sharing a skill, from here or from the network
    assert everything.status_code == 200
    needs, offered = everything.text.split('<h2 id="offers-heading">Offers</h2>')
    fix = needs.split("Fix my bike")[1].split("</article>")[0]
    assert "Matching offers:" in fix and "&lt;b&gt;Bike&lt;/b&gt; repair" in fix
    ladder = needs.split("A ladder")[1].split("</article>")[0]
    assert "Ladder lending" in ladder and f"by <bdi>beta@{two.host}</bdi>" in needs
    assert "until 2099-01-31" in needs and "by this group" in offered
    assert "<b>Bike</b>" not in everything.text
    # Remote entries link out without vouching for them; titles carry their language
    remote = re.search(r'<a class="u-url p-name" href="([^"]+)" rel="nofollow[^"]*">', needs)
    assert remote is not None and remote[1].startswith(two.base_url)
    assert '<bdi lang="en">Fix my bike</bdi>' in needs
    assert '<article class="entry h-entry"' in needs
    # Filters: a skill as a hashtag in any case, part of an area's name
    assert "Fix my bike" in bikes.text and "Ladder lending" not in bikes.text
    assert 'value="#BIKES"' in bikes.text
    assert "&lt;b&gt;Bike&lt;/b&gt; repair" in market.text and "Fix my bike" not in market.text
    assert "No open needs." in nothing.text and "No open offers." in nothing.text
    assert missing.status_code == 404
    # The page says what it is to link previews and search engines
    assert f'<link rel="canonical" href="{one.base_url}/groups/eastside/board">' in everything.text
    assert '<meta property="og:title" content="Board of eastside">' in everything.text


async def _weekly_and_new_york(instance: Instance) -> None:
    """``garden``: a weekly Monday evening in London from March 2030, and one evening in
    New York whose London date is the next day."""
    group = await add_group(instance, "garden")
    async with instance.ctx.sessions() as session:
        await events.create_event(
            session,
            instance.ctx,
            group,
            EventSpec(
                en("Repair café"),
                dt.datetime(2030, 3, 4, 19, 0, tzinfo=LONDON),
                "Europe/London",
                dt.datetime(2030, 3, 4, 21, 0, tzinfo=LONDON),
                place=Place("Community hall", "12 Mill Lane"),
                repeat="weekly",
            ),
        )
        await events.create_event(
            session,
            instance.ctx,
            group,
            EventSpec(
                en("Late supper"),
                dt.datetime(2030, 4, 13, 22, 30, tzinfo=NEW_YORK),
                "America/New_York",
            ),
        )
        await session.commit()


async def test_a_month_shows_each_occurrence_of_a_repeating_event(instance: Instance) -> None:
    await _weekly_and_new_york(instance)
    async with instance.client() as client:
        april = await client.get("/groups/garden/calendar", params={"month": "2030-04"})
        march = await client.get("/groups/garden/calendar", params={"month": "2030-03"})
    assert april.status_code == 200
    assert "<h2>April 2030</h2>" in april.text
    headers = re.findall(r'<th scope="col"><abbr title="(\w+)">', april.text)
    assert headers == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    # Every Monday of April, at 19:00 London time (summer time), and no other day
    for day in ("2030-04-01", "2030-04-08", "2030-04-15", "2030-04-22", "2030-04-29"):
        cell = day_cell(april, day)
        assert "Repair café" in cell and "19:00 BST" in cell, cell
        assert 'class="h-event"' in cell and 'class="dt-start" datetime="' + day in cell
        assert f'<data class="dt-end" value="{day}T21:00:00+01:00">' in cell
        assert '<bdi class="p-location">Community hall, 12 Mill Lane</bdi>' in cell
    assert april.text.count("Repair café") == 5
    assert "Repair café" not in day_cell(april, "2030-04-02")
    # An event on its own day and clock, with its zone's name
    supper = day_cell(april, "2030-04-13")
    assert "Late supper" in supper and "22:30 EDT" in supper
    assert "Late supper" not in day_cell(april, "2030-04-14")
    # March: the series starts on the 4th, in winter time until the clocks change
    assert "Repair café" not in march.text.split('datetime="2030-03-04"')[0].split("<tbody>")[1]
    assert "19:00 GMT" in day_cell(march, "2030-03-25")
    assert march.text.count("Repair café") == 4
    # The months around, the list, the feeds (plain http here: no webcal:// link)
    base = f"{instance.base_url}/groups/garden"
    assert f'href="{base}/calendar?month=2030-03">Previous month' in april.text
    assert f'href="{base}/calendar?month=2030-05">Next month' in april.text
    assert f'href="{base}/calendar?view=list"' in april.text
    assert f'href="{base}/events.ics"' in april.text and f'href="{base}/network.ics"' in april.text
    assert "webcal://" not in april.text


def test_calendar_apps_subscribe_to_https_feeds_with_webcal() -> None:
    assert webcal("https://mutuals.example/groups/g/events.ics") == (
        "webcal://mutuals.example/groups/g/events.ics"
    )
    assert webcal("http://127.0.0.1:8000/groups/g/events.ics") is None


async def test_the_month_is_this_one_unless_asked_and_bad_ones_are_refused(
    instance: Instance,
) -> None:
    await add_group(instance, "garden")
    async with instance.client() as client:
        now = await client.get("/groups/garden/calendar")
        spanish = await client.get(
            "/groups/garden/calendar",
            params={"month": "2030-04"},
            headers={"Accept-Language": "es"},
        )
        refused = [
            await client.get("/groups/garden/calendar", params={"month": month})
            for month in ("2030-13", "april", "2030-4", "2030-04-01")
        ]
        far = await client.get("/groups/garden/calendar", params={"month": "1899-12"})
        missing = await client.get("/groups/nobody/calendar")
    today = utcnow().date()
    assert now.status_code == 200
    assert f"<h2>{today:%B %Y}</h2>" in now.text
    assert "No events this month." in now.text
    assert "<h2>abril de 2030</h2>" in spanish.text and ">lunes<" not in spanish.text
    assert 'title="lunes"' in spanish.text and "Mes anterior" in spanish.text
    for answer in refused:
        assert answer.status_code == 400
        assert "The month must be written as a year and a month, like ?month=2030-04." in (
            answer.text
        )
    assert far.status_code == 400
    assert "The calendar shows the months from 1900-01 to 2999-12." in far.text
    assert missing.status_code == 404


async def test_the_list_shows_each_event_at_its_next_occurrence(instance: Instance) -> None:
    # Given a weekly event since 2020, one over, one to come and one cancelled
    group = await add_group(instance, "garden")
    now = utcnow()
    weekly_start = dt.datetime(2020, 1, 6, 18, 0, tzinfo=dt.UTC)
    ahead = (now + dt.timedelta(days=400)).replace(hour=12, minute=0, second=0, microsecond=0)
    async with instance.ctx.sessions() as session:
        await events.create_event(
            session, instance.ctx, group,
            EventSpec(en("Weekly meeting"), weekly_start, "UTC", repeat="weekly"), now=weekly_start,
        )  # fmt: skip
        await events.create_event(
            session, instance.ctx, group,
            EventSpec(en("Old fair"), dt.datetime(2021, 5, 1, 10, tzinfo=dt.UTC), "UTC"),
            now=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        await events.create_event(
            session, instance.ctx, group, EventSpec(en("Spring fair"), ahead, "UTC")
        )
        called_off = await events.create_event(
            session,
            instance.ctx,
            group,
            EventSpec(en("Picnic"), ahead + dt.timedelta(days=1), "UTC"),
        )
        await session.commit()
    async with instance.ctx.sessions() as session:
        await events.change_event(
            session, instance.ctx, await get_group(session, "garden"),
            await uid_of(instance, called_off), cancelled=True,
        )  # fmt: skip
        await session.commit()
    async with instance.client() as client:
        listed = await client.get("/groups/garden/calendar", params={"view": "list"})
    assert listed.status_code == 200
    items = listed.text.split('<ul class="events">')[1].split("</ul>")[0].split("<li")[1:]
    assert [re.search(r"<bdi[^>]*>([^<]+)</bdi>", item)[1] for item in items] == [  # type: ignore[index]
        "Weekly meeting",
        "Spring fair",
        "Picnic",
    ]
    # The weekly one at its next Monday 18:00, the cancelled one said so
    weeks = -(-(now - weekly_start) // dt.timedelta(weeks=1))
    following = weekly_start + weeks * dt.timedelta(weeks=1)
    assert f'datetime="{following.isoformat()}"' in items[0]
    assert "repeats" in items[0] and "(UTC)" in items[0]
    assert "<strong>Cancelled:</strong>" in items[2]
    assert "Old fair" not in listed.text


async def test_the_calendar_shows_a_followed_groups_events_from_another_instance(
    make_instance: Any,
) -> None:
    one, two, _eastside, beta = await linked(make_instance)
    madrid = ZoneInfo("Europe/Madrid")
    async with two.ctx.sessions() as session:
        picnic = await events.create_event(
            session,
            two.ctx,
            beta,
            EventSpec(
                en("Beta picnic"),
                dt.datetime(2030, 5, 10, 18, 0, tzinfo=madrid),
                "Europe/Madrid",
                place=Place("Retiro park"),
            ),
        )
        await session.commit()
    await settle(one, two)
    picnic_url = f"{two.base_url}/groups/beta/posts/{await uid_of(two, picnic)}"
    async with one.client() as client:
        may = await client.get("/groups/eastside/calendar", params={"month": "2030-05"})
        listed = await client.get("/groups/eastside/calendar", params={"view": "list"})
    cell = day_cell(may, "2030-05-10")
    assert "Beta picnic" in cell and "18:00 CEST" in cell and "Retiro park" in cell
    assert f'href="{picnic_url}" rel="nofollow noopener noreferrer"' in cell
    assert "Beta picnic" in listed.text and "from the network" in listed.text
    assert "(Europe/Madrid)" in listed.text


async def _publish(instance: Instance, group_name: str, text: str, **options: Any) -> str:
    async with instance.ctx.sessions() as session:
        group = await get_group(session, group_name)
        post = await notes.publish_note(session, instance.ctx, group, text, **options)
        await session.commit()
        return post.uid


async def test_a_tag_lists_the_public_posts_of_every_group_newest_first(
    instance: Instance,
) -> None:
    # Given two groups' posts tagged #food in any case, and posts that must stay out
    await add_group(instance, "garden", display_name="Garden")
    await add_group(instance, "kitchen", display_name="Kitchen")
    for n in range(22):
        spelling = ("#food", "#Food", "#FOOD")[n % 3]
        await _publish(instance, ("garden", "kitchen")[n % 2], f"Meal {n:02d} {spelling}")
    await _publish(instance, "garden", "For followers #food", visibility="followers")
    await _publish(instance, "garden", "Unlisted #food", visibility="unlisted")
    await _publish(instance, "garden", "Snacks #foodie")
    gone = await _publish(instance, "garden", "Deleted #food")
    loses = await _publish(instance, "kitchen", "Was tagged #food")
    gains = await _publish(instance, "kitchen", "Not tagged yet")
    async with instance.ctx.sessions() as session:
        garden = await get_group(session, "garden")
        kitchen = await get_group(session, "kitchen")
        await notes.delete_note(session, instance.ctx, garden, gone)
        await notes.edit_note(session, instance.ctx, kitchen, loses, "Not tagged any more")
        await notes.edit_note(session, instance.ctx, kitchen, gains, "Tagged now #Food")
        await offers.open_offer(
            session, instance.ctx, garden, "offer", en("Soup for all"), skills=["food"]
        )
        await session.commit()
    # When anyone opens the tag's pages
    async with instance.client() as client:
        first = await client.get("/tags/food")
        shouting = await client.get("/tags/FOOD")
        second = await client.get("/tags/food", params={"page": "2"})
        third = await client.get("/tags/food", params={"page": "3"})
        bad = await client.get("/tags/food", params={"page": "0"})
        empty = await client.get("/tags/nothing")
        not_a_tag = await client.get("/tags/a%20b%3Cscript%3E")
    # Then 24 posts: 20 on the first page, newest first, each with its group
    assert first.status_code == 200
    listed = articles(first)
    assert len(listed) == 20 and len(articles(second)) == 4
    assert "Soup for all" in listed[0] and "Tagged now" in listed[1] and "Meal 21" in listed[2]
    assert "Meal 00" in articles(second)[-1]
    assert ">Garden</a>" in listed[0] and ">Kitchen</a>" in listed[1]
    assert all('class="u-url" href="' in post for post in listed)
    assert 'lang="en"' in listed[2]
    assert articles(shouting) == listed
    shown = first.text + second.text
    for left_out in ("For followers", "Unlisted", "Snacks", "Deleted", "Was tagged"):
        assert left_out not in shown
    # Pages link to each other; past the end, a way back
    base = f"{instance.base_url}/tags/food"
    assert f'<a rel="next" href="{base}?page=2">' in first.text and 'rel="prev"' not in first.text
    assert f'<a rel="prev" href="{base}">' in second.text and 'rel="next"' not in second.text
    assert articles(third) == [] and "There are no posts on this page." in third.text
    assert bad.status_code == 400
    # Its feeds, and a tag nobody used
    atom = f'type="application/atom+xml" title="Atom feed of #food" href="{base}/feed.atom">'
    assert atom in first.text
    assert f'href="{base}/feed.rss"' in first.text
    assert f'<link rel="canonical" href="{base}?page=2">' in second.text
    assert empty.status_code == 200 and "No public post has this hashtag yet." in empty.text
    # A name no post could link to is not a tag: 404, as for its feeds
    assert not_a_tag.status_code == 404 and "<script>" not in not_a_tag.text


async def test_odd_events_from_a_followed_account_do_not_break_the_calendar(
    instance: Instance,
) -> None:
    # Given a followed account's events: a rule no page expands, an end before the start,
    # a date at the end of time, a zone this machine does not know
    await add_group(instance, "garden")
    odd = [
        {"name": "Every second", "ical:rrule": "FREQ=SECONDLY",
         "startTime": "2030-04-01T10:00:00Z"},
        {"name": "Backwards", "startTime": "2030-04-02T10:00:00Z",
         "endTime": "2030-04-01T10:00:00Z"},
        {"name": "Forever", "startTime": "2030-04-03T10:00:00Z", "endTime": "9999-12-31T23:00:00Z",
         "ical:rrule": "FREQ=DAILY"},
        {"name": "End of time", "startTime": "9999-12-31T22:00:00Z", "timezone": "Asia/Tokyo"},
        {"name": "Nowhere", "startTime": "2030-04-04T10:00:00Z", "timezone": "Mars/Olympus"},
        {"name": "Past the end", "startTime": "9999-12-31T23:00:00-05:00"},
        {"name": "Before time", "startTime": "2030-04-06T10:00:00Z",
         "endTime": "0001-01-01T00:00:00+01:00"},
    ]  # fmt: skip
    async with running_peer() as peer:
        ana = peer.actor("ana")
        await follow(instance, "garden", ana)
        for fields in odd:
            sent = peer.activity(ana, "Create", peer.note(ana, type="Event", **fields))
            answer = await peer.post(f"{instance.base_url}/groups/garden/inbox", sent)
            assert answer.status_code == 202, answer.text
        await settle(instance)
    async with instance.client() as client:
        april = await client.get("/groups/garden/calendar", params={"month": "2030-04"})
        listed = await client.get("/groups/garden/calendar", params={"view": "list"})
    # Then each shows once, at its start, as far as it can be read
    assert april.status_code == 200 and listed.status_code == 200
    assert "Every second" in day_cell(april, "2030-04-01")
    assert april.text.count("Every second") == 1
    assert "Backwards" in day_cell(april, "2030-04-02") and "dt-end" not in day_cell(
        april, "2030-04-02"
    )
    assert april.text.count("Forever") == 28  # every day from the 3rd, each without its end
    assert "dt-end" not in day_cell(april, "2030-04-05")
    assert "Nowhere" in day_cell(april, "2030-04-04") and "10:00 UTC" in day_cell(
        april, "2030-04-04"
    )
    assert "End of time" not in april.text and "End of time" not in listed.text
    # A time that is no time in UTC is no time: the event without it, or not at all
    assert "Past the end" not in listed.text
    assert "Before time" in day_cell(april, "2030-04-06")


async def test_what_a_followed_account_sent_its_followers_alone_stays_off_public_pages(
    instance: Instance,
) -> None:
    # Given a followed account's offer and event in public, and the same to its followers
    garden = await add_group(instance, "garden")
    async with running_peer() as peer:
        ana = peer.actor("ana")
        await follow(instance, "garden", ana)
        followers_only = {"to": [ana.id + "/followers"], "cc": []}
        for audience, label in (({}, "Open"), (followers_only, "Quiet")):
            made = [
                peer.note(ana, type="Event", name=f"{label} picnic", **audience,
                          startTime="2030-04-05T10:00:00Z"),
                peer.note(ana, name=f"{label} ladder", purpose="offer",
                          **audience),
            ]  # fmt: skip
            for obj in made:
                sent = peer.activity(ana, "Create", obj)
                answer = await peer.post(f"{instance.base_url}/groups/garden/inbox", sent)
                assert answer.status_code == 202, answer.text
        await settle(instance)
    await add_account(instance, "li", garden, "organizer")
    async with instance.client() as client:
        public = [
            await client.get("/groups/garden/board"),
            await client.get("/groups/garden/calendar", params={"month": "2030-04"}),
            await client.get("/groups/garden/network.ics"),
        ]
    async with signed_in(instance, "li") as client:
        organizers = await client.get("/admin/groups/garden/board")
    # Then anyone sees the public ones only; the organizers see both
    assert "Open ladder" in public[0].text and "Open picnic" in public[1].text
    assert "Open picnic" in public[2].text
    for page in public:
        assert page.status_code == 200 and "Quiet" not in page.text
    assert "Open ladder" in organizers.text and "Quiet ladder" in organizers.text
