"""A need followed through, on the web: ``/admin/groups/{name}/needs/{id}``.

The page shows the need's state, urgency, what was given and who helps (private to
the group's team), with forms for what ``mutuals need help|give|close`` do: assign a
helper ("they agreed" to be thanked publicly), record a quantity given, close it
fulfilled, partly or unmet, thanking the helpers who agreed. Same package functions.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from actors.instance import Context
from actors.models import Group
from actors.remote import find_actors
from documents.errors import UserError
from sharing import needs
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

OUTCOMES = {"fulfilled": N_("Fulfilled"), "partly": N_("Partly fulfilled"), "unmet": N_("Unmet")}
"""How a need may close (``sharing.needs.OUTCOMES``), as the page names it."""
STAGES = {
    "open": N_("Open"),
    "helping": N_("Someone is helping"),
    **OUTCOMES,
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
}
URGENCIES = {"urgent": N_("Urgent"), "week": N_("This week"), "whenever": N_("Whenever")}
SOURCES = {"reply": N_("replied"), "organizer": N_("assigned")}


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    need_id = request.path_params["need"]
    async with app_context(request).sessions() as session:
        try:
            row, post = await needs.find_need(session, group, need_id)
        except UserError as error:
            return render_form(request, "admin/need.html", 404, visitor=visitor, row=None,
                               error=error)  # fmt: skip
        progress = await needs.progress_row(session, group, row)
        helpers = await needs.helpers_of(session, row)
        accounts = await find_actors(session, [h.actor_ap_id for h in helpers if h.actor_ap_id])
    return render_form(
        request, "admin/need.html", status, visitor=visitor, row=row, post=post,
        progress=progress, helpers=helpers, accounts=accounts, outcomes=OUTCOMES,
        stage_names=STAGES, urgency_names=URGENCIES, source_names=SOURCES,
        done=request.query_params.get("done", ""), **values,
    )  # fmt: skip


def _amount(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise needs.NeedError("write the quantity given as a whole number")
    return int(text)


async def _act(request: Request, ctx: Context, group: Group, visitor: Visitor) -> str:
    form = await request.form()
    action, need_id = text_field(form, "action"), request.path_params["need"]
    async with ctx.sessions() as session:
        if action == "help":
            who = text_field(form, "helper")
            agreed = form.get("agreed") == "on"
            await needs.assign_helper(session, ctx, group, need_id, who, agreed=agreed)
        elif action == "give":
            await needs.record_given(
                session, ctx, group, need_id, _amount(text_field(form, "amount"))
            )
        elif action == "close":
            thank = form.get("thank") == "on"
            outcome = text_field(form, "outcome")
            await needs.close_need(session, ctx, group, need_id, outcome, thank=thank)
        else:
            raise UserError("unknown action %(action)r", action=action)
        await audit.record(session, visitor.account.username, f"need {action}", group, need_id)
        await session.commit()
    return action


async def need_page(request: Request, visitor: Visitor) -> Response:
    """A need's progress and helpers; assign a helper, record what was given, close it."""
    if request.method == "GET":
        return await _page(request, visitor)
    group = visitor.group
    assert group is not None
    try:
        action = await _act(request, app_context(request), group, visitor)
    except UserError as error:
        return await _page(request, visitor, 400, error=error)
    return RedirectResponse(f"{request.url.path}?done={action}", status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/needs/{need}", need_page, "publish", ["GET", "POST"]),
]
"""The need page: path, handler, permission, methods (added to ``admin.PAGES``)."""
