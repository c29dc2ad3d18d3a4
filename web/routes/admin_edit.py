"""Changing a status update on the web (as ``mutuals edit``): its text and content warning.

The form calls the package function the command calls, so the same checks refuse the
same input: the form comes back (400) with the message and what was typed. The change
is recorded in the group's log, and the followers receive ``Update{Note}``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from documents.errors import UserError
from sharing import publishing
from web.forms import text_field
from web.guard import Page, Visitor
from web.pages import render_form
from web.state import app_context

TEMPLATE = "admin/edit.html"
FIELDS = ("post", "text", "cw")


def _page(request: Request, visitor: Visitor, status: int = 200, **values: Any) -> Response:
    return render_form(request, TEMPLATE, status, visitor=visitor, **values)


async def edit(request: Request, visitor: Visitor) -> Response:
    """A status update's text and content warning (``?post=UID``), to change and resend."""
    group = visitor.group
    assert group is not None
    ctx = app_context(request)
    if request.method == "GET":
        uid = request.query_params.get("post", "")
        if not uid:
            return _page(request, visitor, typed=None)
        try:
            async with ctx.sessions() as session:
                post = await publishing.status_update(session, group, uid)
        except UserError as error:
            return _page(request, visitor, 404, typed=None, error=error)
        typed = {"post": post.uid, "text": post.source, "cw": post.document.get("summary", "")}
        return _page(request, visitor, typed=typed)
    form = await request.form()
    typed = {name: text_field(form, name) for name in FIELDS}
    try:
        async with ctx.sessions() as session:
            post = await publishing.edit_status_update(
                session, ctx, group, typed["post"], typed["text"], cw=typed["cw"]
            )
            await audit.record(session, visitor.account.username, "edit post", group, post.uid)
            await session.commit()
    except UserError as error:
        return _page(request, visitor, 400, typed=typed, error=error)
    target = f"/admin/groups/{group.name}/posts?sent={post.uid}"
    return RedirectResponse(target, status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/edit", edit, "publish", ["GET", "POST"]),
]
"""The edit page: path, handler, permission, methods (added to ``admin.PAGES``)."""
