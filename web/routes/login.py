"""Signing in and out, accepting an invitation, choosing a new password."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import links, logins, sessions
from accounts.models import Account
from accounts.passwords import MIN_LENGTH
from actors.models import Group
from documents.errors import UserError
from web.forms import text_field
from web.guard import form_ok, signed_in
from web.i18n import N_
from web.pages import render_form
from web.signing import CSRF_COOKIE, SESSION_COOKIE
from web.state import app_context, app_signer

EXPIRED = N_("This form has expired: it was open too long or came from elsewhere. Try again.")


def _next(request: Request) -> str:
    """Where to go after signing in: a path on this site only, else the admin home."""
    target = request.query_params.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else "/admin/"


async def _signed_in_response(request: Request, account_id: int, target: str) -> Response:
    """Open a new session (never one the browser brought: no fixation) and go to ``target``."""
    ctx = app_context(request)
    address = request.client.host if request.client else ""
    async with ctx.sessions() as session:
        account = await session.get(Account, account_id)
        assert account is not None
        token = await sessions.open_session(
            session, account, address=address, user_agent=request.headers.get("user-agent", "")
        )
        await session.commit()
    response = RedirectResponse(target, status_code=303)
    signer = app_signer(request)
    signer.set_cookie(response, SESSION_COOKIE, signer.sign(token), max_age=None)
    response.delete_cookie(CSRF_COOKIE)  # a new form token after signing in
    return response


async def login(request: Request) -> Response:
    """``GET`` the sign-in form; ``POST`` it."""
    if request.method == "GET":
        if await signed_in(request) is not None:
            return RedirectResponse(_next(request), status_code=303)
        return render_form(request, "login.html", next=_next(request))
    form = await request.form()
    username = text_field(form, "username")
    if not await form_ok(request):
        return render_form(request, "login.html", 400, error=EXPIRED, username=username)
    address = request.client.host if request.client else ""
    async with app_context(request).sessions() as session:
        try:
            account = await logins.sign_in(
                session, username, text_field(form, "password"), address, text_field(form, "code")
            )
        except logins.LoginRefused as refused:
            await session.commit()  # the failure counts
            return render_form(
                request,
                "login.html",
                400,
                error=refused,
                username=username,
                next=_next(request),
            )
        await session.commit()
    return await _signed_in_response(request, account.id, _next(request))


async def logout(request: Request) -> Response:
    """``POST``: end this browser's session."""
    found = await signed_in(request)
    if found is not None and await form_ok(request):
        login_session, account = found
        async with app_context(request).sessions() as session:
            await sessions.revoke_session(session, account, login_session.id)
            await session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _new_password(form: FormData) -> tuple[str, UserError | None]:
    """The password typed twice, and an error when the two differ."""
    password = text_field(form, "password")
    if password != text_field(form, "again"):
        return password, UserError("The two passwords differ.")
    return password, None


async def invitation(request: Request) -> Response:
    """``GET`` the form of an invitation link; ``POST`` it to create the account and sign in."""
    token = request.path_params["token"]
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            link = await links.open_link(session, token, links.INVITE)
        except links.LinkError as gone:
            return render_form(request, "link_gone.html", 404, reason=gone)
        group = await session.get(Group, link.group_id)
    values: dict[str, Any] = {"group": group, "role": link.role, "min_length": MIN_LENGTH}
    if request.method == "GET":
        return render_form(request, "invite.html", **values)
    form = await request.form()
    username = text_field(form, "username")
    if not await form_ok(request):
        return render_form(request, "invite.html", 400, error=EXPIRED, username=username, **values)
    password, error = _new_password(form)
    if error is None:
        async with ctx.sessions() as session:
            try:
                account = await links.accept_invitation(session, token, username, password)
                await session.commit()
            except UserError as refused:
                error = refused
    if error is not None:
        return render_form(request, "invite.html", 400, error=error, username=username, **values)
    assert group is not None
    return await _signed_in_response(request, account.id, f"/admin/groups/{group.name}/")


async def reset(request: Request) -> Response:
    """``GET`` the form of a reset link; ``POST`` it to set the password."""
    token = request.path_params["token"]
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            await links.open_link(session, token, links.RESET)
        except links.LinkError as gone:
            return render_form(request, "link_gone.html", 404, reason=gone)
    if request.method == "GET":
        return render_form(request, "reset.html", min_length=MIN_LENGTH)
    form = await request.form()
    if not await form_ok(request):
        return render_form(request, "reset.html", 400, error=EXPIRED, min_length=MIN_LENGTH)
    password, error = _new_password(form)
    if error is None:
        async with ctx.sessions() as session:
            try:
                await links.reset_password(session, token, password)
                await session.commit()
            except UserError as refused:
                error = refused
    if error is not None:
        return render_form(request, "reset.html", 400, error=error, min_length=MIN_LENGTH)
    return RedirectResponse("/login?reset=1", status_code=303)


routes = [
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/invite/{token}", invitation, methods=["GET", "POST"]),
    Route("/reset/{token}", reset, methods=["GET", "POST"]),
]
