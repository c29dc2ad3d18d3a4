"""The moderators' page about remote accounts: followers and follow requests, blocks (the
reports pages are in ``web.routes.admin_reports``).

Each action calls what the matching ``mutuals`` command calls (``follows.actions`` through
the command's own helper, ``moderation.blocks``) and is recorded
in the group's log. A done action redirects back with a fixed notice (``?done=…``); a
refused one shows the page again, 400, with the reason and what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from actors.instance import Context
from actors.models import Follower, Group
from actors.remote import find_actor
from documents.errors import UserError
from follows import actions, queries
from moderation.blocks import block_account, blocked_accounts, unblock_account
from moderation.targets import known_actor, remote_account_id
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

FOLLOWER_NOTICES = {
    "approve": N_("Request approved: the account now follows the group and was sent an Accept."),
    "reject": N_("Request refused: the account was sent a Reject."),
    "remove": N_("Follower removed: their server was told with a Reject."),
    "block": N_("Account blocked: follows both ways removed, and a Block sent to its server."),
    "block-unsent": N_(
        "Account blocked here; its server could not be reached, so it was not told."
    ),
    "block-again": N_("That account was already blocked."),
    "unblock": N_("Block lifted: its server was sent an Undo of the Block."),
}
"""What ``?done=KEY`` says on the followers page (never text from the request)."""

Settle = Callable[[AsyncSession, Context, Group, Follower], Awaitable[None]]
FOLLOW_ACTIONS: dict[str, tuple[Settle, str | None]] = {
    "approve": (actions.accept_follower, N_("%(account)s already follows %(group)s")),
    "reject": (
        actions.reject_follower,
        N_("%(account)s already follows %(group)s: remove them instead"),
    ),
    "remove": (actions.remove_follower, None),
}
"""Follow actions: what settles the follower, and the error for one already accepted."""


def done(request: Request, key: str) -> Response:
    """Back to the page the form was on, saying ``key``'s notice."""
    return RedirectResponse(f"{request.url.path}?done={key}", status_code=303)


def notice(request: Request, notices: dict[str, str]) -> str | None:
    """The notice ``?done=`` names, if it is one of ``notices``."""
    return notices.get(request.query_params.get("done", ""))


async def _followers_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    async with app_context(request).sessions() as session:
        pending = await queries.list_followers(session, group, pending=True)
        accepted = await queries.list_followers(session, group)
        blocks = await blocked_accounts(session, group.id)
    return render_form(
        request,
        "admin/followers.html",
        status,
        visitor=visitor,
        pending=pending,
        accepted=accepted,
        blocks=blocks,
        notice=notice(request, FOLLOWER_NOTICES),
        **values,
    )


async def _block(session: AsyncSession, ctx: Context, group: Group, account: str) -> str:
    """Block ``account`` as ``mutuals block`` does; the notice to show."""
    actor_id = await remote_account_id(ctx, account)
    actor, _why = await known_actor(ctx, session, actor_id)
    outcome = await block_account(ctx, session, group, actor_id, actor)
    if not outcome.created:
        return "block-again"
    return "block" if outcome.sent else "block-unsent"


async def _unblock(session: AsyncSession, ctx: Context, group: Group, account: str) -> str:
    """Lift a block as ``mutuals unblock`` does; the notice to show."""
    actor_id = await remote_account_id(ctx, account)
    actor = await find_actor(session, actor_id)
    if not await unblock_account(ctx, session, group, actor_id, actor):
        raise UserError(
            "%(account)s is not blocked by %(group)s", account=actor_id, group=group.name
        )
    return "unblock"


async def _follow_action(
    session: AsyncSession, ctx: Context, group: Group, action: str, account: str
) -> str:
    """Approve, reject or remove the follower ``account`` as the commands do; the notice."""
    settle, already = FOLLOW_ACTIONS[action]
    error = UserError(already, account=account, group=group.name) if already else None
    await actions.settle_follower(session, ctx, group, account, settle, error)
    return action


async def followers(request: Request, visitor: Visitor) -> Response:
    """Followers and follow requests: approve, reject, remove; blocking and unblocking."""
    if request.method == "GET":
        return await _followers_page(request, visitor)
    group = visitor.group
    assert group is not None
    form = await request.form()
    action, account = text_field(form, "action"), text_field(form, "account").strip()
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            if action in FOLLOW_ACTIONS:
                key = await _follow_action(session, ctx, group, action, account)
            elif action == "block":
                key = await _block(session, ctx, group, account)
            elif action == "unblock":
                key = await _unblock(session, ctx, group, account)
            else:
                raise UserError("unknown action")
            what = f"{action} follower" if action in FOLLOW_ACTIONS else action
            await audit.record(session, visitor.account.username, what, group, account)
            await session.commit()
    except UserError as error:
        return await _followers_page(
            request, visitor, 400, error=error, error_at=action, account=account
        )
    return done(request, key)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/followers", followers, "moderate", ["GET", "POST"]),
]
"""The page about remote accounts: path, handler, permission, methods."""
