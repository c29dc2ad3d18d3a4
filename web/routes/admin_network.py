"""What came back from the network: answers to a group's shared posts, and the board.

``/admin/groups/{name}/responses?post=ID`` shows, for an offer or need, the replies
(``mutuals responses``); for an event, who is going (``mutuals attendees``) and the
replies; for a poll, its results (``mutuals poll results``). ``/admin/groups/{name}/board``
is ``mutuals board``: the open offers and needs of the group and the groups it follows,
each need with the offers that match it. Same package functions as the commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from actors.models import Group, RemoteActor
from actors.remote import find_actors
from documents.errors import UserError
from posts.notes import get_post
from sharing import board, events, polls
from sharing.models import Event, Offer, Rsvp
from sharing.models import Response as Reply
from sharing.publishing import find_shared, list_responses
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

RSVP_NAMES = {
    "going": N_("Going"),
    "maybe": N_("Maybe"),
    "declined": N_("Not going"),
}
"""An answer to an event (``sharing.events.RSVP_STATES``), as the page names it."""
KINDS = (N_("offer"), N_("need"), N_("event"), N_("poll"))
"""What a shared post is, as the responses page names it (``_(kind)``)."""


@dataclass
class Answers:
    """What came back to one shared post; which parts apply depends on its ``kind``."""

    kind: str
    title: str
    uid: str
    url: str
    replies: list[Reply] = field(default_factory=list)
    attendees: list[Rsvp] = field(default_factory=list)
    rsvp_counts: dict[str, int] = field(default_factory=dict)
    results: polls.Results | None = None
    accounts: dict[str, RemoteActor] = field(default_factory=dict)


async def answers(session: AsyncSession, group: Group, post_uid: str) -> Answers:
    """The replies, attendees or results of one of ``group``'s offers, needs, events or polls.

    A UserError when it is none of these.
    """
    post = await get_post(session, group, post_uid)
    url = str(post.document.get("id", ""))
    if post.type == "Question":
        counted = await polls.poll_results(session, group, post.uid)
        return Answers("poll", counted.poll.question, post.uid, url, results=counted)
    if post.type == "Event":
        event, _post = await find_shared(session, group, Event, post.uid, "an event")
        found = Answers("event", event.title, post.uid, url)
        found.attendees = await events.list_attendees(session, group, post.uid)
        found.rsvp_counts = {
            state: sum(row.state == state for row in found.attendees)
            for state in events.RSVP_STATES
        }
    else:
        offer, _post = await find_shared(
            session, group, Offer, post.uid, "an offer, a need, an event or a poll"
        )
        found = Answers(offer.kind, offer.title, post.uid, url)
    found.replies = await list_responses(session, group, post.uid)
    who = [row.actor_ap_id for row in found.replies] + [row.actor_ap_id for row in found.attendees]
    found.accounts = await find_actors(session, who)
    return found


def _render(request: Request, visitor: Visitor, status: int = 200, **values: object) -> Response:
    return render_form(
        request, "admin/responses.html", status, visitor=visitor, rsvp_names=RSVP_NAMES, **values
    )


async def responses(request: Request, visitor: Visitor) -> Response:
    """Replies to an offer or need, an event's attendees and replies, a poll's results."""
    group = visitor.group
    assert group is not None
    uid = request.query_params.get("post", "").strip()
    if not uid:
        return _render(request, visitor, found=None)
    async with app_context(request).sessions() as session:
        try:
            await get_post(session, group, uid)
        except UserError as missing:
            return _render(request, visitor, 404, found=None, error=missing)
        try:
            found = await answers(session, group, uid)
        except UserError as error:
            return _render(request, visitor, 400, found=None, error=error)
    return _render(request, visitor, found=found)


async def board_page(request: Request, visitor: Visitor) -> Response:
    """The open offers and needs of the group and its network, filtered by skill and area."""
    group = visitor.group
    assert group is not None
    skill = request.query_params.get("skill", "").strip()
    area = request.query_params.get("area", "").strip()
    async with app_context(request).sessions() as session:
        shown = await board.board_of(session, group, skill=skill or None, area=area or None)
    return render_form(
        request,
        "admin/board.html",
        visitor=visitor,
        board=shown,
        skill=skill,
        area=area,
        local=group.name,
        accounts=shown.accounts,
    )


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/responses", responses, "view", ["GET"]),
    ("/admin/groups/{name}/board", board_page, "view", ["GET"]),
]
"""The network pages: path, handler, permission, methods (added to ``admin.PAGES``)."""
