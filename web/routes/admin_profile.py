"""An organizer's page for the group's profile: names, summary, fields, where the group is
and what it is about, the directory listing, policies, icon.

What ``mutuals group update`` does, on the web: the profile goes through
``posts.notes.update_group_profile`` (followers receive ``Update{Group}``), the posting
policies through ``actors.groups.set_posting``; an uploaded icon is kept by
``actors.icons.store_icon`` and becomes the group's ``icon_url``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from actors.groups import (
    MAX_FIELDS,
    POSTING_POLICIES,
    REPLY_POLICIES,
    GroupError,
    get_group,
    rename_group,
    set_posting,
)
from actors.icons import MAX_ICON_BYTES, remove_icon, store_icon
from actors.models import Group
from documents.errors import BadLanguage, BadPlace, BadTopic, UserError
from posts.notes import update_group_profile
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

_SAYS = {
    "open": N_("Followers' posts that name the group are shared with everyone at once."),
    "approval": N_("Followers' posts are shared once a moderator approves them."),
    "organizers": N_("Nobody's: the group only shares what its team publishes."),
    "top-level": N_("Only new posts, not the replies in their threads."),
    "all": N_("Replies in the group's threads too."),
}
POSTING_CHOICES = [(name, _SAYS[name]) for name in POSTING_POLICIES]
"""Each posting policy and what it means, as the form offers them."""
REPLY_CHOICES = [(name, _SAYS[name]) for name in REPLY_POLICIES]
"""Each announce-replies policy and what it means."""

BLANK_ROWS = 2
"""Empty field rows the form offers after the filled ones (up to ``MAX_FIELDS`` in all)."""

_WATCHED = {
    "name": "handle",
    "display_name": "display name",
    "summary": "summary",
    "fields": "profile fields",
    "manual_approval": "manual approval",
    "icon_url": "icon",
    "posting": "posting",
    "announce_replies": "announced replies",
    "place": "place",
    "latitude": "coordinates",
    "longitude": "coordinates",
    "topics": "topics",
    "languages": "languages",
    "discoverable": "directory listing",
}
"""Group attributes whose change the audit log names."""


@dataclass
class Typed:
    """The profile as the form shows it: the group's values, or what was typed."""

    name: str
    display_name: str
    summary: str
    manual_approval: bool
    posting: str
    announce_replies: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    place: str = ""
    coordinates: str = ""
    topics: str = ""
    languages: str = ""
    discoverable: bool = True

    @property
    def rows(self) -> list[tuple[int, str, str]]:
        """One (number, name, value) per row of the form: the fields, then blank rows."""
        typed = self.pairs
        blank = min(BLANK_ROWS, MAX_FIELDS - len(typed))
        padded = typed + [("", "")] * max(blank, 0)
        return [(number, name, value) for number, (name, value) in enumerate(padded, 1)]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The fields with anything typed in them (a blank row is no field)."""
        return [(name, value) for name, value in self.fields if name.strip() or value.strip()]

    @property
    def topic_list(self) -> list[str]:
        """The topics typed, one per word (spaces or commas between them)."""
        return _words(self.topics)

    @property
    def language_list(self) -> list[str]:
        """The language tags typed, one per word."""
        return _words(self.languages)


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", text) if word]


def _coordinates(group: Group) -> str:
    if group.latitude is None or group.longitude is None:
        return ""
    return f"{group.latitude},{group.longitude}"


def _of_group(group: Group) -> Typed:
    return Typed(
        name=group.name,
        display_name=group.display_name,
        summary=group.summary,
        manual_approval=group.manual_approval,
        posting=group.posting,
        announce_replies=group.announce_replies,
        fields=[(f["name"], f["value"]) for f in group.fields],
        place=group.place or "",
        coordinates=_coordinates(group),
        topics=" ".join(group.topics),
        languages=" ".join(group.languages),
        discoverable=group.discoverable,
    )


def _of_form(form: FormData) -> Typed:
    return Typed(
        name=text_field(form, "name").strip(),
        display_name=text_field(form, "display_name"),
        summary=text_field(form, "summary"),
        manual_approval=text_field(form, "manual_approval") == "on",
        posting=text_field(form, "posting"),
        announce_replies=text_field(form, "announce_replies"),
        fields=[
            (text_field(form, f"field_name_{n}"), text_field(form, f"field_value_{n}"))
            for n in range(1, MAX_FIELDS + 1)
        ],
        place=text_field(form, "place"),
        coordinates=text_field(form, "coordinates"),
        topics=text_field(form, "topics"),
        languages=text_field(form, "languages"),
        discoverable=text_field(form, "discoverable") == "on",
    )


async def _uploaded(form: FormData) -> bytes | None:
    """The chosen icon file's bytes (one more than allowed, at most), None when none."""
    value = form.get("icon")
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    return await value.read(MAX_ICON_BYTES + 1)


def _changes(before: dict[str, object], group: Group) -> str:
    """What the audit log says changed: "display name, icon, posting: open"."""
    named = []
    for attribute, label in _WATCHED.items():
        value = getattr(group, attribute)
        if before[attribute] != value:
            if attribute in ("posting", "announce_replies"):
                named.append(f"{label}: {value}")
            elif attribute in ("manual_approval", "discoverable"):
                named.append(f"{label} {'on' if value else 'off'}")
            else:
                named.append(label)
    return ", ".join(dict.fromkeys(named)) or "nothing changed"


async def _page(
    request: Request,
    visitor: Visitor,
    typed: Typed,
    status: int = 200,
    errors: dict[str, UserError] | None = None,
) -> Response:
    return render_form(
        request,
        "admin/profile.html",
        status,
        visitor=visitor,
        typed=typed,
        errors=errors or {},
        posting_choices=POSTING_CHOICES,
        reply_choices=REPLY_CHOICES,
        max_mb=MAX_ICON_BYTES // (1024 * 1024),
        max_fields=MAX_FIELDS,
        saved=request.query_params.get("saved") == "1",
    )


async def _save(request: Request, visitor: Visitor, form: FormData) -> Response:
    """Apply the whole form, or nothing: each error is shown next to its field."""
    assert visitor.group is not None
    ctx = app_context(request)
    typed, data = _of_form(form), await _uploaded(form)
    errors: dict[str, UserError] = {}
    async with ctx.sessions() as session:
        group = await get_group(session, visitor.group.name)
        before = {attribute: getattr(group, attribute) for attribute in _WATCHED}
        try:
            set_posting(group, typed.posting or None, typed.announce_replies or None)
        except UserError as error:
            errors["posting"] = error
        if typed.name and typed.name != group.name:
            # What `mutuals group update --rename` does: the handle changes, the URLs stay.
            try:
                await rename_group(session, group, typed.name)
            except UserError as error:
                errors["name"] = error
        icon_url = None
        if data is not None:
            try:
                icon_url = await store_icon(session, ctx.urls, group, data)
            except UserError as error:
                errors["icon"] = error
        try:
            await update_group_profile(
                session,
                ctx,
                group,
                display_name=typed.display_name,
                summary=typed.summary,
                manual_approval=typed.manual_approval,
                fields=typed.pairs,
                icon_url=icon_url,
                place=typed.place,
                coordinates=typed.coordinates,
                topics=typed.topic_list,
                languages=typed.language_list,
                discoverable=typed.discoverable,
            )
        except GroupError as error:  # only the fields can be refused this way
            errors["fields"] = error
        except BadPlace as error:  # only the coordinates can be refused this way
            errors["coordinates"] = error
        except BadTopic as error:
            errors["topics"] = error
        except BadLanguage as error:
            errors["languages"] = error
        except UserError as error:
            errors["display_name"] = error
        if errors:
            await session.rollback()
            return await _page(request, visitor, typed, 400, errors)
        detail = _changes(before, group)
        await audit.record(session, visitor.account.username, "profile updated", group, detail)
        await session.commit()
    return RedirectResponse(f"/admin/groups/{group.name}/profile?saved=1", status_code=303)


async def _drop_icon(request: Request, visitor: Visitor) -> Response:
    """Remove the group's icon, as ``mutuals group update --icon ''`` does, and its file."""
    assert visitor.group is not None
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await get_group(session, visitor.group.name)
        await update_group_profile(session, ctx, group, icon_url="")
        await remove_icon(session, group)
        await audit.record(session, visitor.account.username, "icon removed", group)
        await session.commit()
    return RedirectResponse(f"{request.url.path}?saved=1", status_code=303)


async def profile(request: Request, visitor: Visitor) -> Response:
    """The group's profile and posting policies; organizers change them here."""
    assert visitor.group is not None
    if request.method == "GET":
        return await _page(request, visitor, _of_group(visitor.group))
    form = await request.form()
    try:
        if text_field(form, "action") == "remove-icon":
            return await _drop_icon(request, visitor)
        return await _save(request, visitor, form)
    finally:
        await form.close()  # the uploaded file's temporary file


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/profile", profile, "roles", ["GET", "POST"]),
]
"""The profile page: path, handler, the permission it needs, methods."""
