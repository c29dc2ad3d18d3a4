"""For instance admins: every account, creating one, disabling one, a password reset link.

The same package functions as ``mutuals account create|disable|reset-password``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import links
from accounts.accounts import create_account, get_account, list_accounts
from documents.errors import UserError
from posts import contacts
from web.forms import text_field
from web.guard import ADMIN, Page, Visitor
from web.pages import render_form
from web.state import app_context


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    async with app_context(request).sessions() as session:
        everyone = await list_accounts(session)
    return render_form(
        request, "admin/accounts.html", status, visitor=visitor, everyone=everyone, **values
    )


async def accounts_page(request: Request, visitor: Visitor) -> Response:
    """Every account; admins create, disable, and make reset links."""
    if request.method == "GET":
        return await _page(request, visitor)
    form = await request.form()
    action, username = text_field(form, "action"), text_field(form, "username")
    by = visitor.account.username
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            if action == "create":
                await create_account(
                    session,
                    username,
                    text_field(form, "password"),
                    by=by,
                    admin=text_field(form, "admin") == "on",
                )
            elif action == "disable":
                account = await get_account(session, username)
                await contacts.disable(session, ctx, account, by=by)
            elif action == "reset":
                token = await links.reset_link(session, await get_account(session, username), by=by)
                await session.commit()
                link = f"{ctx.urls.base}/reset/{token}"
                return await _page(request, visitor, reset_for=username, reset_link=link)
            else:
                raise UserError("unknown action")
        except UserError as error:
            values = {"error": error, "username": username if action == "create" else ""}
            return await _page(request, visitor, 400, **values)
        await session.commit()
    return RedirectResponse(request.url.path, status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/accounts", accounts_page, ADMIN, ["GET", "POST"]),
]
"""The admin's account pages (``web.routes.admin`` serves them)."""
