"""``/authorize_interaction``: where our WebFinger templates send people from other sites.

People here are groups, so what someone can do from another site's page is have one of
their groups follow an account or group there: organizers and liaisons (the ``liaise``
permission of the Following page), with the same package function, ``follows.actions.
follow``. Anyone else is told how it works; a POST without that permission is refused.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import roles
from accounts.audit import record
from actors.models import Group
from documents.errors import UserError
from follows import actions
from web.forms import text_field
from web.guard import Visitor, form_ok, signed_in
from web.i18n import N_
from web.pages import render_form, render_page
from web.state import app_context

PERMISSION = "liaise"
SIGN_IN_FIRST = N_("Sign in first: only organizers and liaisons of a group here can do this.")
NO_GROUP = N_("Only an organizer or a liaison of a group here can make it follow someone.")
EXPIRED = N_("This form has expired or did not come from this site: reload the page and try again.")
NOT_YOURS = N_("This needs the role %(role)s in %(group)s.")


def _refused(request: Request, reason: str, **values: str) -> Response:
    return render_page(request, "refused.html", 403, reason=reason, values=values)


def _form(
    request: Request, visitor: Visitor, groups: list[Group], status: int = 200, **values: object
) -> Response:
    """The form: which of the visitor's groups should follow ``uri``."""
    return render_form(request, "authorize.html", status, visitor=visitor, groups=groups, **values)


async def _follow(request: Request, visitor: Visitor, groups: list[Group]) -> Response:
    """Make the chosen group follow the form's ``uri``; then to its Following page."""
    form = await request.form()
    name, uri = text_field(form, "group"), text_field(form, "uri").strip()
    group = next((group for group in groups if group.name == name), None)
    if group is None:
        needed = " / ".join(sorted(roles.PERMISSIONS[PERMISSION]))
        return _refused(request, NOT_YOURS, role=needed, group=name[:100])
    ctx = app_context(request)
    async with ctx.sessions() as session:
        try:
            await actions.follow(session, ctx, group, uri)
            await record(session, visitor.account.username, "follow", group, uri)
            await session.commit()
        except UserError as error:
            return _form(request, visitor, groups, 400, uri=uri, chosen=name, error=error)
    return RedirectResponse(f"/admin/groups/{group.name}/following?done=follow", status_code=303)


async def authorize_interaction(request: Request) -> Response:
    """``GET ?uri=``: choose one of your groups to follow it; ``POST``: follow."""
    found = await signed_in(request)
    if found is None:
        if request.method == "POST":
            return _refused(request, SIGN_IN_FIRST)
        uri = request.query_params.get("uri", "").strip()
        here = quote(f"{request.url.path}?{request.url.query}", safe="")
        return render_page(request, "authorize_sign_in.html", uri=uri, next=here)
    login, account = found
    request.state.language = account.locale
    async with app_context(request).sessions() as session:
        groups = await roles.groups_allowing(session, account, PERMISSION)
    if not groups:
        return _refused(request, NO_GROUP)
    visitor = Visitor(account, login)
    if request.method == "GET":
        return _form(request, visitor, groups, uri=request.query_params.get("uri", "").strip())
    # The form is read only once the visitor may send it (as ``web.guard.admit`` does).
    if not await form_ok(request):
        return _refused(request, EXPIRED)
    return await _follow(request, visitor, groups)


routes = [Route("/authorize_interaction", authorize_interaction, methods=["GET", "POST"])]
