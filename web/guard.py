"""Who is signed in, and whether they may do what a route does (``/admin/…``).

Every admin route names a permission (``accounts.roles.PERMISSIONS``, or ``ADMIN`` for
the instance admin's pages). Anonymous visitors are sent to ``/login``; signed-in
accounts without it get 403 with a reason. Every POST must carry the form's CSRF token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import roles, sessions
from accounts.models import Account, LoginSession
from actors.groups import find_group
from actors.models import Group
from web.i18n import N_
from web.pages import render_page
from web.signing import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE
from web.state import app_context, app_signer

ADMIN = "admin"
"""The permission of the instance admin's pages."""


@dataclass
class Visitor:
    """A signed-in account, its session, and (on a group's pages) the group and its roles."""

    account: Account
    login: LoginSession
    group: Group | None = None
    roles: frozenset[str] = frozenset()


def _session_token(request: Request) -> str | None:
    """The token of the request's session cookie, if this instance signed it."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return app_signer(request).unsign(cookie) if cookie else None


async def _live(session: AsyncSession, token: str | None) -> tuple[LoginSession, Account] | None:
    found = await sessions.current(session, token) if token else None
    await session.commit()  # seen_at, at most every few minutes
    return found


async def signed_in(request: Request) -> tuple[LoginSession, Account] | None:
    """The live session of the request's cookie, and its account; None when there is none."""
    token = _session_token(request)
    if token is None:
        return None
    async with app_context(request).sessions() as session:
        return await _live(session, token)


class Refused(Exception):
    """The visitor may not see this page; ``response`` says so."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _refuse(request: Request, reason: str, **values: str) -> Refused:
    """403 with ``reason`` (a catalog text, filled with ``values``) in the visitor's language."""
    return Refused(
        render_page(request, "refused.html", status_code=403, reason=reason, values=values)
    )


async def form_ok(request: Request) -> bool:
    """True when a POSTed form carries the CSRF token of its cookie."""
    form = await request.form()
    field = form.get(CSRF_FIELD)
    return app_signer(request).csrf_ok(
        request.cookies.get(CSRF_COOKIE), field if isinstance(field, str) else None
    )


async def admit(request: Request, permission: str) -> Visitor:
    """The visitor, if allowed ``permission`` (in the group the path names, if any).

    One database session: the login and, on a group's pages, the group and the roles;
    then, for a POST, the form's CSRF token.
    """
    async with app_context(request).sessions() as session:
        found = await _live(session, _session_token(request))
        if found is None:
            target = quote(request.url.path, safe="/")
            raise Refused(RedirectResponse(f"/login?next={target}", status_code=303))
        login, account = found
        request.state.language = account.locale
        visitor = Visitor(account, login)
        name = request.path_params.get("name")
        if permission == ADMIN:
            if not account.admin:
                raise _refuse(request, N_("Only an admin of this instance may do this."))
        elif name is not None:
            group = await find_group(session, name)
            held = await roles.roles_in(session, account, group) if group else set()
            if group is None or not held:
                raise _refuse(request, N_("You have no role in this group."))
            if not roles.allows(held, permission):
                needed = " / ".join(sorted(roles.PERMISSIONS[permission]))
                raise _refuse(
                    request,
                    N_("This needs the role %(role)s in %(group)s."),
                    role=needed,
                    group=group.name,
                )
            visitor.group, visitor.roles = group, frozenset(held)
    # The form (an upload, perhaps) is read only once the visitor may send it.
    if request.method == "POST" and not await form_ok(request):
        raise _refuse(
            request,
            N_(
                "This form has expired or did not come from this site: "
                "reload the page and try again."
            ),
        )
    return visitor


Page = Callable[[Request, Visitor], Awaitable[Response]]


def guarded(permission: str, page: Page) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint running ``page`` for visitors `admit` lets through."""

    async def endpoint(request: Request) -> Response:
        try:
            visitor = await admit(request, permission)
        except Refused as refused:
            return refused.response
        return await page(request, visitor)

    endpoint.__name__ = page.__name__
    endpoint.__doc__ = page.__doc__
    return endpoint
