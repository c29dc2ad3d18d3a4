"""Writing as the group on the web: a post (with a preview), an offer or need, an event, a poll.

Each form calls the package function its ``mutuals`` command calls (``mutuals post``,
``offer``/``need``, ``event``, ``poll``), so the same checks refuse the same input: the
form comes back (400) with the message and what was typed. What is published is
recorded in the group's log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, cast
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from actors.instance import Context
from actors.models import Group
from documents.activities import VISIBILITIES, Visibility
from documents.errors import UserError
from documents.event import EventSpec, Place
from documents.multilingual import Multilingual, with_translations
from documents.offer import OfferKind
from documents.poll import PollSpec
from documents.recurrence import REPEAT_WORDS
from documents.text import MAX_TEXT, check_texts, render
from documents.when import parse_date, parse_local_datetime, zone
from posts import notes
from posts.models import Post
from posts.multilingual import publish_multilingual_note
from sharing import events, offers, polls
from sharing.models import Event
from sharing.publishing import find_shared
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

TIMEZONES = sorted(available_timezones())
"""The IANA names offered by the time zone fields."""

Publish = Callable[[AsyncSession, Context, Group], Awaitable[Post]]
"""Publishes what a form describes and returns the post carrying it."""

NOTE_FIELDS = ("text", "cw", "visibility", "language")
OFFER_FIELDS = ("title", "body", "skills", "area", "until", "language", "urgency", "quantity")
EVENT_FIELDS = (
    "title", "start", "end", "timezone", "place", "online", "body", "repeat", "language", "edit",
)  # fmt: skip
POLL_FIELDS = ("question", "options", "closes", "timezone", "language")
TRANSLATION_ROWS = 2
"""How many "Other languages" rows each form offers."""
URGENCY_NAMES = {"urgent": N_("Urgent"), "week": N_("This week"), "whenever": N_("Whenever")}
"""A need's urgencies (``documents.offer.URGENCIES``), as the form names them."""


def _typed(form: Any, fields: tuple[str, ...]) -> dict[str, str]:
    """What was typed in ``fields``, as typed."""
    return {name: text_field(form, name) for name in fields}


def _rows(form: Any, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The "Other languages" rows as typed: ``lang`` and each of ``fields``."""
    names = ("lang", *fields)
    return [
        {name: text_field(form, f"tr-{name}-{n}") for name in names}
        for n in range(TRANSLATION_ROWS)
    ]


def _texts(
    typed: dict[str, str], rows: list[dict[str, str]], main: str, body: str | None = None
) -> tuple[Multilingual, Multilingual | None]:
    """The form's ``main`` text (and ``body``, None when empty) in its language (``en``
    when left empty), and in each row written in: what the commands' ``--lang`` give."""
    fields = (main,) if body is None else (main, body)
    others = [
        (row["lang"].strip(), {name: row[name] for name in fields if row[name].strip()})
        for row in rows
        if any(value.strip() for value in row.values())
    ]
    given = None if body is None else (body, typed[body] if typed[body].strip() else None)
    language = typed["language"].strip() or "en"
    return with_translations(language, (main, typed[main]), given, others)


def _when(text: str, timezone: str) -> dt.datetime | None:
    """A date and time typed in the form, in ``timezone``; None when left empty."""
    return parse_local_datetime(text, zone(timezone or "UTC")) if text.strip() else None


def _page(
    request: Request, visitor: Visitor, template: str, status: int = 200, **values: Any
) -> Response:
    values.setdefault("rows", [{}] * TRANSLATION_ROWS)
    return render_form(request, template, status, visitor=visitor, timezones=TIMEZONES, **values)


async def _publish(
    request: Request,
    visitor: Visitor,
    template: str,
    typed: dict[str, str],
    action: str,
    publish: Publish,
    **values: Any,
) -> Response:
    """Run ``publish`` and log it as ``action``; then the posts page, or the form (400)
    with the package's message and what was typed."""
    group = visitor.group
    assert group is not None
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            post = await publish(session, ctx, group)
            await audit.record(session, visitor.account.username, action, group, post.uid)
            await session.commit()
    except UserError as error:
        return _page(request, visitor, template, 400, typed=typed, error=error, **values)
    target = f"/admin/groups/{group.name}/posts?sent={post.uid}"
    return RedirectResponse(target, status_code=303)


async def _shared_post(session: AsyncSession, post_id: int | None) -> Post:
    post = await session.get(Post, post_id)
    assert post is not None
    return post


def _preview(
    request: Request, typed: dict[str, str], rows: list[dict[str, str]]
) -> tuple[dict[str, str], str | None]:
    """The sanitized HTML the post would have in each language (the Markdown rendering
    publishing uses), and its content warning as publishing cleans it."""
    warning = notes.content_warning(typed["cw"])
    text = check_texts(_texts(typed, rows, "text")[0], "text", MAX_TEXT)
    html, _tags = render(text, app_context(request).urls.tag)
    return html, warning


async def compose(request: Request, visitor: Visitor) -> Response:
    """A status update in Markdown: preview it, then publish it (as ``mutuals post``)."""
    template = "admin/compose.html"
    if request.method == "GET":
        typed = {"visibility": "public", "language": "en"}
        return _page(request, visitor, template, typed=typed, visibilities=VISIBILITIES)
    form = await request.form()
    typed, rows = _typed(form, NOTE_FIELDS), _rows(form, ("text",))
    if text_field(form, "action") == "preview":
        try:
            preview, warning = _preview(request, typed, rows)
        except UserError as error:
            return _page(
                request, visitor, template, 400,
                typed=typed, rows=rows, error=error, visibilities=VISIBILITIES,
            )  # fmt: skip
        return _page(
            request, visitor, template,
            typed=typed, rows=rows, preview=preview, warning=warning, visibilities=VISIBILITIES,
        )  # fmt: skip

    async def publish(session: AsyncSession, ctx: Context, group: Group) -> Post:
        notes.check_visibility(typed["visibility"] or "public")
        visibility = cast(Visibility, typed["visibility"] or "public")
        text, _ = _texts(typed, rows, "text")
        if text.languages != ("en",):
            return await publish_multilingual_note(
                session, ctx, group, text, visibility, cw=typed["cw"]
            )
        return await notes.publish_note(
            session, ctx, group, typed["text"], visibility, cw=typed["cw"]
        )

    return await _publish(
        request, visitor, template, typed, "post", publish, rows=rows, visibilities=VISIBILITIES
    )


def _quantity(text: str) -> int | None:
    """A need's quantity as typed (empty: not counted)."""
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise UserError("the quantity is a whole number, such as 20") from None


async def _offer(request: Request, visitor: Visitor, kind: OfferKind) -> Response:
    """An offer or a need (as ``mutuals offer``/``need``)."""
    template = "admin/compose_offer.html"
    if request.method == "GET":
        typed = {"language": "en", "urgency": "whenever"}
        return _page(request, visitor, template, kind=kind, typed=typed, urgencies=URGENCY_NAMES)
    form = await request.form()
    typed, rows = _typed(form, OFFER_FIELDS), _rows(form, ("title", "body"))

    async def publish(session: AsyncSession, ctx: Context, group: Group) -> Post:
        title, body = _texts(typed, rows, "title", "body")
        until = parse_date(typed["until"]) if typed["until"].strip() else None
        skills = typed["skills"].replace(",", " ").split()
        area = typed["area"].strip() or None
        needing = kind == "need"
        # An unknown urgency is refused by the offer's own checks, as on the command line.
        urgency: Any = typed["urgency"] or None if needing else None
        quantity = _quantity(typed["quantity"]) if needing else None
        row = await offers.open_offer(
            session,
            ctx,
            group,
            kind,
            title,
            body=body,
            skills=skills,
            area=area,
            until=until,
            urgency=urgency,
            quantity=quantity,
        )
        return await _shared_post(session, row.post_id)

    return await _publish(
        request,
        visitor,
        template,
        typed,
        kind,
        publish,
        kind=kind,
        rows=rows,
        urgencies=URGENCY_NAMES,
    )


async def compose_offer(request: Request, visitor: Visitor) -> Response:
    """Offer a skill or a thing to the followers."""
    return await _offer(request, visitor, "offer")


async def compose_need(request: Request, visitor: Visitor) -> Response:
    """Ask the followers for a skill or a thing."""
    return await _offer(request, visitor, "need")


def _local(when: dt.datetime | None, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if when else ""


def _event_typed(row: Event) -> dict[str, str]:
    """An event's fields as the form shows them, to edit it."""
    spec = events.event_spec(row)
    tz = zone(spec.timezone)
    return {
        "title": spec.title.text,
        "body": spec.body.text if spec.body else "",
        "start": _local(spec.start, tz),
        "end": _local(spec.end, tz),
        "timezone": spec.timezone,
        "place": spec.place.label() if spec.place else "",
        "online": spec.online_url or "",
        "repeat": spec.repeat or "",
        "language": spec.title.language,
    }


def _where(typed: dict[str, str]) -> dict[str, Any]:
    place = Place.parse(typed["place"]) if typed["place"].strip() else None
    return {"place": place, "online_url": typed["online"].strip() or None}


def _event_changes(typed: dict[str, str], old: EventSpec) -> dict[str, Any]:
    """Every field of the edit form, in the event's language (its translations kept)."""
    lang = old.title.language
    tz = zone(typed["timezone"] or old.timezone)
    start = _when(typed["start"], tz.key)
    if start is None:
        raise UserError("an event needs a start, e.g. 2025-11-29 18:30")
    body = None
    if typed["body"].strip():
        old_bodies = old.body.as_dict() if old.body else {}
        body = Multilingual(old_bodies | {lang: typed["body"]}, lang)
    return {
        "title": Multilingual(old.title.as_dict() | {lang: typed["title"]}, lang),
        "body": body,
        "start": start,
        "end": _when(typed["end"], tz.key),
        "timezone": tz.key,
        "repeat": typed["repeat"].strip() or None,
        **_where(typed),
    }


async def compose_event(request: Request, visitor: Visitor) -> Response:
    """An event (as ``mutuals event``); with ``?edit=ID``, a change to one (``event update``)."""
    template = "admin/compose_event.html"
    repeats = list(REPEAT_WORDS)
    if request.method == "GET":
        typed = {"timezone": "UTC", "language": "en"}
        editing = request.query_params.get("edit", "")
        if editing:
            group = visitor.group
            assert group is not None
            try:
                async with app_context(request).sessions() as session:
                    row, _post = await find_shared(session, group, Event, editing, "an event")
            except UserError as error:
                return _page(request, visitor, template, 404, typed=typed, error=error)
            typed = _event_typed(row) | {"edit": editing}
        return _page(request, visitor, template, typed=typed, repeats=repeats)
    form = await request.form()
    typed, rows = _typed(form, EVENT_FIELDS), _rows(form, ("title", "body"))

    async def publish(session: AsyncSession, ctx: Context, group: Group) -> Post:
        if typed["edit"]:
            row, _post = await find_shared(session, group, Event, typed["edit"], "an event")
            changes = _event_changes(typed, events.event_spec(row))
            row = await events.change_event(session, ctx, group, typed["edit"], **changes)
            return await _shared_post(session, row.post_id)
        start = _when(typed["start"], typed["timezone"])
        if start is None:
            raise UserError("an event needs a start, e.g. 2025-11-29 18:30")
        title, body = _texts(typed, rows, "title", "body")
        spec = EventSpec(
            title,
            start,
            zone(typed["timezone"] or "UTC").key,
            _when(typed["end"], typed["timezone"]),
            body,
            repeat=typed["repeat"].strip() or None,
            **_where(typed),
        )
        row = await events.create_event(session, ctx, group, spec)
        return await _shared_post(session, row.post_id)

    action = "edit event" if typed["edit"] else "event"
    return await _publish(
        request, visitor, template, typed, action, publish, repeats=repeats, rows=rows
    )


async def compose_poll(request: Request, visitor: Visitor) -> Response:
    """A poll (as ``mutuals poll``): a question, one option a line, single or multiple."""
    template = "admin/compose_poll.html"
    if request.method == "GET":
        return _page(request, visitor, template, typed={"timezone": "UTC", "language": "en"})
    form = await request.form()
    typed, rows = _typed(form, POLL_FIELDS), _rows(form, ("question",))
    multiple = text_field(form, "multiple") == "on"
    typed["multiple"] = "on" if multiple else ""

    async def publish(session: AsyncSession, ctx: Context, group: Group) -> Post:
        options = tuple(line.strip() for line in typed["options"].splitlines() if line.strip())
        question, _ = _texts(typed, rows, "question")
        spec = PollSpec(question, options, multiple, _when(typed["closes"], typed["timezone"]))
        row = await polls.create_poll(session, ctx, group, spec)
        return await _shared_post(session, row.post_id)

    return await _publish(request, visitor, template, typed, "poll", publish, rows=rows)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/compose", compose, "publish", ["GET", "POST"]),
    ("/admin/groups/{name}/compose/offer", compose_offer, "publish", ["GET", "POST"]),
    ("/admin/groups/{name}/compose/need", compose_need, "publish", ["GET", "POST"]),
    ("/admin/groups/{name}/compose/event", compose_event, "publish", ["GET", "POST"]),
    ("/admin/groups/{name}/compose/poll", compose_poll, "publish", ["GET", "POST"]),
]
"""The compose pages: path, handler, permission, methods (added to ``admin.PAGES``)."""
