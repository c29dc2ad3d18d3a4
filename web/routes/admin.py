"""The organizers' pages: ``/admin/``, a group's dashboard, its team, its log, one's sessions.

Each route names the permission it needs (`ROUTES`); ``web.guard`` enforces it, and a
test walks every one with each kind of visitor.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import audit, links, roles, sessions, totp
from accounts.accounts import get_account
from accounts.models import Account
from actors.groups import get_group, list_groups
from documents.errors import UserError
from posts import contacts
from web.dashboard import group_numbers
from web.forms import text_field
from web.guard import Page, Visitor, guarded
from web.i18n import LANGUAGES
from web.pages import render_form
from web.routes import (
    admin_accounts,
    admin_compose,
    admin_distribution,
    admin_edit,
    admin_following,
    admin_forum,
    admin_instance,
    admin_moderation,
    admin_needs,
    admin_network,
    admin_posts,
    admin_profile,
    admin_queue,
    admin_reports,
    admin_surveys,
    admin_transparency,
    admin_volunteers,
)
from web.state import app_context


async def home(request: Request, visitor: Visitor) -> Response:
    """The groups the account has a role in."""
    async with app_context(request).sessions() as session:
        held = await roles.groups_of(session, visitor.account)
        groups = [
            (group, sorted(held[group.id]))
            for group in await list_groups(session)
            if group.id in held
        ]
    return render_form(request, "admin/home.html", visitor=visitor, groups=groups)


async def dashboard(request: Request, visitor: Visitor) -> Response:
    """A group's numbers: followers, what waits for people, delivery health."""
    assert visitor.group is not None
    async with app_context(request).sessions() as session:
        numbers = await group_numbers(session, visitor.group)
    return render_form(request, "admin/dashboard.html", visitor=visitor, numbers=numbers)


async def _team_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    assert visitor.group is not None
    async with app_context(request).sessions() as session:
        members = await roles.members(session, visitor.group)
    return render_form(
        request,
        "admin/team.html",
        status,
        visitor=visitor,
        members=members,
        roles=roles.ROLES,
        **values,
    )


async def team(request: Request, visitor: Visitor) -> Response:
    """Who holds which role in the group; organizers grant, revoke and invite."""
    if request.method == "GET":
        return await _team_page(request, visitor)
    assert visitor.group is not None
    form = await request.form()
    action, role = text_field(form, "action"), text_field(form, "role")
    username = text_field(form, "username")
    by = visitor.account.username
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            if action == "invite":
                token = await links.invite(session, visitor.group, role, by=by)
                await session.commit()
                link = f"{ctx.urls.base}/invite/{token}"
                return await _team_page(request, visitor, invited=link, invited_role=role)
            if action not in ("grant", "revoke"):
                raise UserError("unknown action")
            account = await get_account(session, username)
            handle = text_field(form, "handle") or None
            # This session's copy of the group: a new liaison changes its profile
            group = await get_group(session, visitor.group.name)
            await contacts.change_role(
                session, ctx, group, account, role,
                by=by, take=action == "revoke", handle=handle,
            )  # fmt: skip
            await session.commit()
    except UserError as error:
        kept = {"username": username, "role": role, "handle": text_field(form, "handle")}
        return await _team_page(request, visitor, 400, error=error, **kept)
    return RedirectResponse(request.url.path, status_code=303)


async def log(request: Request, visitor: Visitor) -> Response:
    """Who did what and when in the group."""
    async with app_context(request).sessions() as session:
        entries = await audit.entries(session, visitor.group)
    return render_form(request, "admin/log.html", visitor=visitor, entries=entries)


async def _account_page(
    request: Request,
    visitor: Visitor,
    status: int = 200,
    *,
    error: UserError | None = None,
    secret: str | None = None,
) -> Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        listed = await sessions.sessions_of(session, visitor.account)
    uri = totp.setup_uri(secret, visitor.account.username, ctx.host) if secret else None
    return render_form(
        request,
        "admin/account.html",
        status,
        visitor=visitor,
        sessions=listed,
        error=error,
        secret=secret,
        uri=uri,
    )


async def account(request: Request, visitor: Visitor) -> Response:
    """The browsers the account is signed in on (ending one), and two-step sign-in."""
    if request.method == "GET":
        return await _account_page(request, visitor)
    form = await request.form()
    action = text_field(form, "action")
    if action == "totp-start":
        return await _account_page(request, visitor, secret=totp.new_secret())
    async with app_context(request).sessions() as session:
        me = await session.get(Account, visitor.account.id)
        assert me is not None
        try:
            if action == "end-session" and text_field(form, "session").isdigit():
                await sessions.revoke_session(session, me, int(text_field(form, "session")))
            elif action == "totp-confirm":
                await totp.turn_on(
                    session, me, text_field(form, "secret"), text_field(form, "code")
                )
            elif action == "totp-off":
                await totp.turn_off(session, me, text_field(form, "password"))
            elif action == "language":
                chosen = text_field(form, "language")
                me.locale = chosen if chosen in LANGUAGES else None
        except UserError as refused:
            secret = text_field(form, "secret") if action == "totp-confirm" else None
            return await _account_page(request, visitor, 400, error=refused, secret=secret)
        await session.commit()
    return RedirectResponse(request.url.path, status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/", home, "view", ["GET"]),
    ("/admin/account", account, "view", ["GET", "POST"]),
    ("/admin/groups/{name}/", dashboard, "view", ["GET"]),
    ("/admin/groups/{name}/team", team, "roles", ["GET", "POST"]),
    ("/admin/groups/{name}/log", log, "audit", ["GET"]),
    *admin_accounts.PAGES,
    *admin_following.PAGES,
    *admin_compose.PAGES,
    *admin_posts.PAGES,
    *admin_moderation.PAGES,
    *admin_reports.PAGES,
    *admin_forum.PAGES,
    *admin_profile.PAGES,
    *admin_instance.PAGES,
    *admin_edit.PAGES,
    *admin_network.PAGES,
    *admin_needs.PAGES,
    *admin_distribution.PAGES,
    *admin_queue.PAGES,
    *admin_volunteers.PAGES,
    *admin_transparency.PAGES,
    *admin_surveys.PAGES,
]
"""Every admin page: path, handler, the permission it needs, methods."""

routes = [
    Route(path, guarded(permission, page), methods=methods)
    for path, page, permission, methods in PAGES
]
