"""A group's board and calendar, and the tag pages: what anyone may read, as HTML.

``/groups/{uid}/board?skill=&area=`` lists the open offers and needs of the group and of
the actors it follows, each need with the offers that match it (as ``mutuals board``
and the organizers' board). ``/groups/{uid}/calendar?month=YYYY-MM`` is a month of the
group's events and its network's (``?view=list``: those to come), with links to subscribe
to the iCalendar feeds. ``/tags/{name}`` lists the public posts of this instance's groups
with that hashtag, 20 a page.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from urllib.parse import quote

from babel.dates import format_skeleton, get_day_names
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from actors.urls import Urls
from federation.markdown import is_hashtag_name, normalize_hashtag
from posts.tags import tagged_posts
from sharing import agenda, board
from store.db import utcnow
from web.i18n import N_
from web.negotiation import error_response
from web.pages import cached_page, page_language, render_page
from web.paging import bad_page, page_number
from web.state import app_context

MONTH = re.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR, LAST_YEAR = 1900, 2999
BAD_MONTH = N_("The month must be written as a year and a month, like ?month=2030-04.")
OUT_OF_RANGE = N_("The calendar shows the months from 1900-01 to 2999-12.")


@cached_page
async def board_page(request: Request) -> Response:
    """The open offers and needs of the group and its network, filtered by skill and area."""
    skill = request.query_params.get("skill", "").strip()
    area = request.query_params.get("area", "").strip()
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        if group is None:
            return error_response(404, "no such group")
        shown = await board.board_of(
            session, group, skill=skill or None, area=area or None, public_only=True
        )
    return render_page(
        request,
        "board.html",
        group=group,
        board=shown,
        skill=skill,
        area=area,
        local=group.name,
        accounts=shown.accounts,
        page_url=f"{ctx.urls.group(group.uid)}/board",
    )


def webcal(url: str) -> str | None:
    """The ``webcal://`` address of an https feed (calendar apps open it to subscribe);
    None for plain http, which no calendar app should be sent to that way."""
    return "webcal://" + url.removeprefix("https://") if url.startswith("https://") else None


def _month(text: str, today: dt.date) -> dt.date | str:
    """The first day of the month ``?month=`` names (this month when empty), else the
    reason it is refused."""
    if not text:
        return today.replace(day=1)
    found = MONTH.fullmatch(text)
    if found is None or not 1 <= int(found[2]) <= 12:
        return BAD_MONTH
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        return OUT_OF_RANGE
    return dt.date(int(found[1]), int(found[2]), 1)


def _shifted(first: dt.date, months: int) -> str | None:
    """``YYYY-MM`` of the month ``months`` after ``first``; None outside the calendar."""
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}" if FIRST_YEAR <= year <= LAST_YEAR else None


Week = list[tuple[dt.date, list[agenda.Occurrence]]]


def _grid(first: dt.date, found: list[agenda.Occurrence]) -> list[Week]:
    """The weeks of the month, Monday first, each day with its occurrences."""
    by_day: dict[dt.date, list[agenda.Occurrence]] = defaultdict(list)
    for occurrence in found:
        by_day[occurrence.start.date()].append(occurrence)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[(day, by_day.get(day, [])) for day in week] for week in weeks]


def _day_names(language: str) -> list[tuple[str, str]]:
    """``("Mon", "Monday")`` … ``("Sun", "Sunday")`` in ``language``."""
    short = get_day_names("abbreviated", locale=language)
    wide = get_day_names("wide", locale=language)
    return [(short[day], wide[day]) for day in range(7)]


@cached_page
async def calendar_page(request: Request) -> Response:
    """A month of the group's events and its network's, or (``?view=list``) those to come."""
    ctx = app_context(request)
    listed = request.query_params.get("view") == "list"
    now = utcnow()
    first = _month(request.query_params.get("month", "").strip(), now.date())
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        if group is None:
            return error_response(404, "no such group")
        if isinstance(first, str):
            return render_page(request, "error.html", 400, title=N_("Bad request"), reason=first)
        if listed:
            found = await agenda.upcoming(session, group, now)
        else:
            found = await agenda.month(session, group, first)
    feeds = {name: f"{ctx.urls.group(group.uid)}/{name}.ics" for name in ("events", "network")}
    language = page_language(request)
    return render_page(
        request,
        "calendar.html",
        group=group,
        listed=listed,
        occurrences=found,
        weeks=[] if listed else _grid(first, found),
        month_name=format_skeleton("yMMMM", first, locale=language),
        month=f"{first:%Y-%m}",
        previous=_shifted(first, -1),
        next=_shifted(first, 1),
        day_names=_day_names(language),
        today=now.date(),
        feeds=feeds,
        webcal={name: webcal(url) for name, url in feeds.items()},
        page_url=f"{ctx.urls.group(group.uid)}/calendar",
    )


def tag_url(urls: Urls, name: str) -> str:
    """The page of the hashtag ``name`` as it came in a URL (any character escaped)."""
    return urls.tag(quote(name, safe=""))


@cached_page
async def tag_page(request: Request) -> Response:
    """The public posts of this instance's groups with the hashtag, newest first."""
    number = page_number(request)
    if number is None:
        return bad_page(request)
    name = request.path_params["name"].lstrip("#")
    if not is_hashtag_name(name):
        return error_response(404, "not a hashtag: a tag is letters, digits and _")
    name = normalize_hashtag(name)
    ctx = app_context(request)
    async with ctx.sessions() as session:
        page, groups = await tagged_posts(session, name, number)
    return render_page(
        request,
        "tag.html",
        name=name,
        page=page,
        groups=groups,
        page_url=tag_url(ctx.urls, name),
    )


routes = [
    Route("/groups/{uid}/board", board_page, methods=["GET"]),
    Route("/groups/{uid}/calendar", calendar_page, methods=["GET"]),
    Route("/tags/{name}", tag_page, methods=["GET"]),
]
