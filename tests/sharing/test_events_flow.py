"""Events between two instances: created, updated, cancelled, answered, and in the calendars."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from sharing import step
from sharing.models import RemoteEvent, Rsvp
from store.db import utcnow
from tests.instances import Instance, settle
from tests.peer import running_peer
from tests.sharing.network import Cli, linked, post_by_uid

BERLIN = ZoneInfo("Europe/Berlin")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _calendar(instance: Instance, path: str) -> Calendar:
    async with instance.client() as client:
        res = await client.get(path)
    assert res.status_code == 200
    assert res.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(res.content)


async def test_event_lifecycle_and_calendars(make_instance: Any, cli: Cli) -> None:
    one, two = await linked(make_instance)
    # Given: beta announces a meeting in Berlin time.
    out = await cli.ok(
        two, "event", "beta", "Assembly", "--start", "2099-03-03 19:00",
        "--end", "2099-03-03 21:00", "--timezone", "Europe/Berlin",
        "--place", "Community hall, 12 Main St", "--body", "Agenda: *food*",
    )  # fmt: skip
    uid = out.split()[1]
    await settle(one, two)
    post = await post_by_uid(two, uid)
    async with one.ctx.sessions() as session:
        remote = await session.scalar(select(RemoteEvent))
    assert remote is not None
    assert (remote.ap_id, remote.title, remote.timezone) == (
        post.document["id"], "Assembly", "Europe/Berlin",
    )  # fmt: skip
    assert remote.starts_at == dt.datetime(2099, 3, 3, 19, 0, tzinfo=BERLIN)
    assert remote.ends_at == dt.datetime(2099, 3, 3, 21, 0, tzinfo=BERLIN)
    assert (remote.place_name, remote.place_address) == ("Community hall", "12 Main St")
    assert remote.summary.startswith("📅 Tue 3 Mar 2099, 19:00–21:00 CET · 📍 Community hall")
    # Then: the network calendar of alpha and beta's own feeds have it, in Berlin time.
    for path in ("/groups/alpha/network.ics",):
        [vevent] = (await _calendar(one, path)).walk("VEVENT")
        assert vevent["dtstart"].dt == dt.datetime(2099, 3, 3, 19, 0, tzinfo=BERLIN)
        assert str(vevent["dtstart"].params["TZID"]) == "Europe/Berlin"
        assert str(vevent["uid"]) == post.document["id"]
    for path in ("/groups/beta/events.ics", f"/groups/beta/events/{uid}.ics"):
        [vevent] = (await _calendar(two, path)).walk("VEVENT")
        assert vevent["dtend"].dt == dt.datetime(2099, 3, 3, 21, 0, tzinfo=BERLIN)
        assert str(vevent["location"]) == "Community hall, 12 Main St"
        assert int(vevent["sequence"]) == 0
    # When: beta moves it to 19:30 and online, then cancels it.
    await cli.ok(
        two, "event", "update", "beta", uid, "--start", "2099-03-03 19:30",
        "--online", "https://meet.example/assembly",
    )  # fmt: skip
    await settle(one, two)
    async with one.ctx.sessions() as session:
        remote = await session.scalar(select(RemoteEvent))
    assert remote is not None
    assert remote.starts_at == dt.datetime(2099, 3, 3, 19, 30, tzinfo=BERLIN)
    assert (remote.place_name, remote.online_url) == (None, "https://meet.example/assembly")
    out = await cli.ok(two, "event", "cancel", "beta", uid)
    assert out == f"event {uid} cancelled (sequence 2); followers get an Update\n"
    await settle(one, two)
    [vevent] = (await _calendar(one, "/groups/alpha/network.ics")).walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED"
    [vevent] = (await _calendar(two, "/groups/beta/events.ics")).walk("VEVENT")
    assert (str(vevent["status"]), int(vevent["sequence"])) == ("CANCELLED", 2)
    assert (await post_by_uid(two, uid)).document["summary"].startswith("❌ Cancelled — ")
    err = await cli.fails(two, "event", "update", "beta", uid, "--title", "Again")
    assert err == f"error: event {uid} is cancelled; create a new one instead"


async def test_a_repeating_event_moves_on_to_its_next_occurrence(
    make_instance: Any, cli: Cli
) -> None:
    one, two = await linked(make_instance)
    now = utcnow().astimezone(BERLIN).replace(second=0, microsecond=0)
    start = now - dt.timedelta(days=1) + dt.timedelta(hours=1)  # next: in an hour
    out = await cli.ok(
        two, "event", "beta", "Daily check-in", "--start", start.strftime("%Y-%m-%d %H:%M"),
        "--timezone", "Europe/Berlin", "--repeat", "daily", "--online", "https://meet.example/x",
    )  # fmt: skip
    uid = out.split()[1]
    await settle(one, two)
    shown = dt.datetime.fromisoformat((await post_by_uid(two, uid)).document["startTime"])
    assert shown == start + dt.timedelta(days=1)
    # When: that occurrence is over, the periodic step sends the next one.
    assert await step.run_once(two.ctx, now + dt.timedelta(hours=2)) == 1
    await settle(one, two)
    document = (await post_by_uid(two, uid)).document
    assert dt.datetime.fromisoformat(document["startTime"]) == start + dt.timedelta(days=2)
    assert document["ical:rrule"] == "FREQ=DAILY"
    async with one.ctx.sessions() as session:
        remote = await session.scalar(select(RemoteEvent))
    assert remote is not None and remote.starts_at == start + dt.timedelta(days=2)
    [vevent] = (await _calendar(two, "/groups/beta/events.ics")).walk("VEVENT")
    assert vevent["rrule"]["FREQ"] == ["DAILY"]
    assert vevent["dtstart"].dt == start


async def test_mobilizon_join_and_mastodon_replies_count(make_instance: Any, cli: Cli) -> None:
    _one, two = await linked(make_instance)
    out = await cli.ok(two, "event", "beta", "Picnic", "--start", "2099-06-01 12:00")
    uid = out.split()[1]
    event_id = (await post_by_uid(two, uid)).document["id"]
    inbox = f"{two.base_url}/groups/beta/inbox"
    async with running_peer() as peer:
        mob, ana, bo = peer.actor("mob"), peer.actor("ana"), peer.actor("bo")
        # Mobilizon: Join with the event by id, then an Accept comes back.
        join = peer.activity(mob, "Join", event_id, participationMessage="", to=[event_id])
        join["id"] = f"{peer.base_url}/join/event/1"
        assert (await peer.post(inbox, join)).status_code == 202
        # Mastodon: replies saying "going" and "maybe", and one that is a question.
        for who, text in ((ana, "going!"), (bo, "Maybe"), (bo, "Is there shade?")):
            note = peer.note(who, f'<p><span class="h-card">@beta</span> {text}</p>',
                             inReplyTo=event_id)  # fmt: skip
            create = peer.activity(who, "Create", note, to=[event_id])
            assert (await peer.post(inbox, create)).status_code == 202
        await settle(two)
        [accept] = peer.inbox_activities("Accept")
        assert accept["object"] == join["id"]
        assert accept["actor"] == f"{two.base_url}/groups/beta"
        assert accept["to"] == [mob.id]
        out = await cli.ok(two, "attendees", "beta", uid)
        assert out.splitlines() == [
            "going: 2, maybe: 1, declined: 0",
            f"going\t{ana.id}",
            f"going\t{mob.id}",
            f"maybe\t{bo.id}",
        ]
        responses = await cli.ok(two, "responses", "beta", uid)
        assert responses.endswith("@beta Is there shade?\n")
        # Leave (Mobilizon) and Undo of a Join forget the answer.
        leave = peer.activity(mob, "Leave", event_id)
        assert (await peer.post(inbox, leave)).status_code == 202
        await settle(two)
        async with two.ctx.sessions() as session:
            actors = set((await session.scalars(select(Rsvp.actor_ap_id))).all())
        assert actors == {ana.id, bo.id}


async def test_rsvp_activities_naming_the_event_by_id(make_instance: Any, cli: Cli) -> None:
    _one, two = await linked(make_instance)
    out = await cli.ok(two, "event", "beta", "Workshop", "--start", "2099-07-01 18:00")
    uid = out.split()[1]
    event_id = (await post_by_uid(two, uid)).document["id"]
    inbox = f"{two.base_url}/groups/beta/inbox"
    async with running_peer() as peer:
        ana, bo, cy = peer.actor("ana"), peer.actor("bo"), peer.actor("cy")
        # ActivityStreams RSVPs whose object is the Event's id, not an embedded Event.
        for who, kind in ((ana, "Accept"), (bo, "TentativeAccept"), (cy, "Reject")):
            rsvp = peer.activity(who, kind, event_id)
            assert (await peer.post(inbox, rsvp)).status_code == 202
        await settle(two)
        out = await cli.ok(two, "attendees", "beta", uid)
    assert out.splitlines()[0] == "going: 1, maybe: 1, declined: 1"
