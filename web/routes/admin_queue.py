"""The instance admin's pages for the whole instance: its work queues, and its groups.

``/admin/queue`` is ``mutuals queue`` (and ``queue retry [--hosts]``) with the same
functions (``web.queues``); ``/admin/groups`` is ``mutuals group list`` and ``group
create`` (``actors.groups``). Every change is in the audit log.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit, roles
from accounts.models import Account
from actors.groups import POSTING_POLICIES, create_group, find_group, list_groups
from documents.errors import UserError
from web.forms import text_field
from web.guard import ADMIN, Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.queues import COLUMNS, overview, retry_failed
from web.state import app_context

QUEUE_NAMES = (N_("inbox"), N_("fan-out"), N_("delivery"))
COLUMN_NAMES = {
    "pending": N_("Waiting"),
    "in_flight": N_("Sending"),
    "retrying": N_("Retrying"),
    "failed": N_("Failed"),
}
"""How the queue page names each queue and each of ``web.queues.COLUMNS``."""
POSTING_NAMES = {
    "open": N_("Open: the group shares its followers' posts"),
    "approval": N_("Approval: a moderator approves each follower's post first"),
    "organizers": N_("Organizers only: the group shares no follower's posts"),
}
"""The posting policies (``actors.groups.POSTING_POLICIES``) as the groups form offers them."""
POLICY_WORDS = (N_("approval"), N_("organizers"))
"""The posting policies as the groups list shows them (``_(group.posting)``; "open" too)."""


async def _queue_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    async with app_context(request).sessions() as session:
        shown = await overview(session)
    return render_form(
        request,
        "admin/queue.html",
        status,
        visitor=visitor,
        shown=shown,
        columns=COLUMNS,
        column_names=COLUMN_NAMES,
        **values,
    )


async def queue_page(request: Request, visitor: Visitor) -> Response:
    """The queues' counts and the hosts held back; put failed rows (and hosts) back."""
    if request.method == "GET":
        return await _queue_page(request, visitor)
    form = await request.form()
    hosts = text_field(form, "hosts") == "on"
    async with app_context(request).sessions() as session:
        retried = await retry_failed(session, hosts=hosts)
        detail = ", ".join(f"{name}: {count}" for name, count in retried.rows.items())
        if retried.hosts is not None:
            detail += f"; hosts: {retried.hosts}"
        await audit.record(session, visitor.account.username, "queue retry", None, detail)
        await session.commit()
    return await _queue_page(request, visitor, retried=retried)


async def _groups_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    async with app_context(request).sessions() as session:
        groups = await list_groups(session)
        created = await find_group(session, request.query_params.get("created", ""))
        mine = await roles.groups_of(session, visitor.account)
    return render_form(
        request,
        "admin/groups.html",
        status,
        visitor=visitor,
        groups=groups,
        created=created,
        mine=mine,
        policies=POSTING_POLICIES,
        policy_names=POSTING_NAMES,
        **values,
    )


async def groups_page(request: Request, visitor: Visitor) -> Response:
    """Every group of the instance; create one (the creator becomes organizer if asked)."""
    if request.method == "GET":
        return await _groups_page(request, visitor)
    form = await request.form()
    typed = {
        field: text_field(form, field)
        for field in ("name", "display_name", "summary", "posting", "manual_approval", "organizer")
    }
    ctx = app_context(request)
    by = visitor.account.username
    try:
        async with ctx.sessions() as session:
            group = await create_group(
                session,
                typed["name"].strip(),
                ctx.urls,
                display_name=typed["display_name"],
                summary=typed["summary"],
                manual_approval=typed["manual_approval"] == "on",
                posting=typed["posting"] or "approval",
            )
            await audit.record(session, by, "group create", group, f"@{group.name}@{ctx.host}")
            if typed["organizer"] == "on":
                me = await session.get(Account, visitor.account.id)
                assert me is not None
                await roles.grant(session, me, group, roles.ORGANIZER, by=by)
            await session.commit()
    except UserError as error:
        return await _groups_page(request, visitor, 400, error=error, typed=typed)
    return RedirectResponse(f"{request.url.path}?created={group.name}", status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/queue", queue_page, ADMIN, ["GET", "POST"]),
    ("/admin/groups", groups_page, ADMIN, ["GET", "POST"]),
]
"""The instance admin's queue and groups pages: path, handler, permission, methods."""
