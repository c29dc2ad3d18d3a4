"""The liaison's page: the groups and accounts this group follows, following and unfollowing.

The same package functions as ``mutuals follow``, ``unfollow`` and ``following``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts.audit import record
from documents.errors import UserError
from follows import actions, queries
from web.forms import text_field
from web.guard import Page, Visitor
from web.pages import render_form
from web.state import app_context


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    assert visitor.group is not None
    async with app_context(request).sessions() as session:
        rows = await queries.list_following(session, visitor.group)
    return render_form(
        request, "admin/following.html", status, visitor=visitor, following=rows, **values
    )


async def following(request: Request, visitor: Visitor) -> Response:
    """Whom the group follows; follow a group or account by handle or URL, or stop."""
    if request.method == "GET":
        return await _page(request, visitor)
    assert visitor.group is not None
    form = await request.form()
    action, account = text_field(form, "action"), text_field(form, "account").strip()
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            if action == "follow":
                await actions.follow(session, ctx, visitor.group, account)
            elif action == "unfollow":
                await actions.unfollow(session, ctx, visitor.group, account)
            else:
                raise UserError("unknown action")
            await record(session, visitor.account.username, action, visitor.group, account)
            await session.commit()
        except UserError as error:
            return await _page(request, visitor, 400, error=error, account=account)
    return RedirectResponse(request.url.path, status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/following", following, "liaise", ["GET", "POST"]),
]
"""The liaison's pages (``web.routes.admin`` serves them)."""
