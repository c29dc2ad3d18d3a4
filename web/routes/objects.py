"""A group's posts and activities at their ids: JSON for peers, a page for browsers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from actors.models import Group
from actors.verification import verify_signed_request
from documents import activities
from documents.collections import ordered_collection
from documents.context import object_context
from federation.httpsig import SignatureError
from follows.queries import has_followers_on
from forum.messages import public_replies
from forum.threads import reply_thread
from outbox.models import Activity
from posts.models import Post
from posts.notes import create_id, is_public
from sharing.showcase import post_details
from web.negotiation import activity_response, error_response, wants_activity_json
from web.pages import cached_page, render_page
from web.signed_fetch import request_url, require_signature
from web.state import app_context

NOT_FOUND = "no such post"


def _signed(request: Request) -> bool:
    return "signature" in request.headers or "signature-input" in request.headers


async def _signed_by_follower(request: Request, session: AsyncSession, group: Group) -> bool:
    """True when the request is signed by an actor on a server where the group has followers.

    Server-wide, because Mastodon fetches with its instance actor's key and delivers
    followers-only posts to a server's shared inbox anyway.
    """
    if not _signed(request):
        return False
    ctx = app_context(request)
    try:
        signer = await verify_signed_request(
            ctx, session, "GET", request_url(request), request.headers, None
        )
    except SignatureError:
        return False
    await session.commit()
    return await has_followers_on(session, group, signer.domain)


async def _find_post(session: AsyncSession, request: Request) -> tuple[Group, Post] | None:
    group = await find_group_by_uid(session, request.path_params["uid"])
    if group is None:
        return None
    post = await session.scalar(
        select(Post).where(Post.group_id == group.id, Post.uid == request.path_params["post"])
    )
    return None if post is None else (group, post)


def _gone(request: Request, obj_id: str, former_type: str, post: Post) -> Response:
    assert post.deleted_at is not None
    tomb = activities.with_context(activities.tombstone(obj_id, former_type, post.deleted_at))
    if not wants_activity_json(request) and "text/html" in request.headers.get("accept", ""):
        return error_response(410, "this post was deleted")
    return activity_response(request, tomb, status_code=410)


async def _readable(request: Request, session: AsyncSession, group: Group, post: Post) -> bool:
    if post.visibility == "direct":
        return False  # delivered to its addressees; nobody fetches it
    return is_public(post.visibility) or await _signed_by_follower(request, session, group)


async def _serve_post(
    request: Request,
    tombstone_of: Callable[[Post], tuple[str, str]],
    respond: Callable[[Request, Group, Post], Awaitable[Response]],
) -> Response:
    """``respond`` with the requested post, or 404 when it is missing or the requester may not
    read it; once deleted, 410 with a Tombstone of the id and type ``tombstone_of`` names.
    """
    ctx = app_context(request)
    async with ctx.sessions() as session:
        found = await _find_post(session, request)
        if found is None:
            return error_response(404, NOT_FOUND)
        group, post = found
        if post.deleted_at is not None:
            obj_id, former_type = tombstone_of(post)
            return _gone(request, obj_id, former_type, post)
        if not await _readable(request, session, group, post):
            return error_response(404, NOT_FOUND)
        return await respond(request, group, post)


async def _page(request: Request, group: Group, post: Post) -> Response:
    """The post's page: what it carries with its answers counted, and its replies."""
    ctx = app_context(request)
    async with ctx.sessions() as session:
        details = await post_details(session, post, ctx.urls.tag)
        replies = await reply_thread(session, post.document["id"])
    return render_page(
        request, "post.html", group=group, post=post, details=details, replies=replies
    )


async def _note_or_page(request: Request, group: Group, post: Post) -> Response:
    if not wants_activity_json(request):
        return await _page(request, group, post)
    if (refusal := await require_signature(request)) is not None:
        return refusal
    note = activities.with_context(post.document, object_context(post.document))
    return activity_response(request, note)


async def _create(request: Request, group: Group, post: Post) -> Response:
    if (refusal := await require_signature(request)) is not None:
        return refusal
    actor = app_context(request).urls.group(group.uid)
    doc = activities.create(create_id(post.document["id"]), actor, post.document)
    return activity_response(request, doc)


async def post_page(request: Request) -> Response:
    """A post as a Note (ActivityPub) or an HTML page; 410 with a Tombstone once deleted."""
    if wants_activity_json(request) or _signed(request):
        return await _any_post(request)
    # Unsigned, so only public posts are readable: the page is the same for everyone.
    return await _public_post_page(request)


async def _any_post(request: Request) -> Response:
    return await _serve_post(request, lambda post: (post.document["id"], post.type), _note_or_page)


_public_post_page = cached_page(_any_post)


async def post_create(request: Request) -> Response:
    """The ``Create`` that published a post, rendered from the post as it is now."""
    return await _serve_post(
        request, lambda post: (create_id(post.document["id"]), "Create"), _create
    )


async def _replies(request: Request, group: Group, post: Post) -> Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        items = await public_replies(session, post.document["id"])
    collection_id = activities.replies_id(post.document["id"])
    return activity_response(request, ordered_collection(collection_id, len(items), None, items))


async def post_replies(request: Request) -> Response:
    """The public replies to a post that its group keeps, as Mastodon fetches a thread."""
    return await _serve_post(
        request,
        lambda post: (activities.replies_id(post.document["id"]), "OrderedCollection"),
        _replies,
    )


async def activity(request: Request) -> Response:
    """Any other public activity a group sent (Update, Delete, Update{Group}…)."""
    ctx = app_context(request)
    ap_id = ctx.urls.activity(request.path_params["uid"], request.path_params["activity"])
    async with ctx.sessions() as session:
        row = await session.scalar(select(Activity).where(Activity.ap_id == ap_id))
    if row is None or not row.public:
        return error_response(404, "no such activity")
    if (refusal := await require_signature(request)) is not None:
        return refusal
    doc: dict[str, Any] = row.document
    return activity_response(request, doc)


routes = [
    Route("/groups/{uid}/posts/{post}", post_page, methods=["GET"]),
    Route("/groups/{uid}/posts/{post}/activity", post_create, methods=["GET"]),
    Route("/groups/{uid}/posts/{post}/replies", post_replies, methods=["GET"]),
    Route("/groups/{uid}/activities/{activity}", activity, methods=["GET"]),
]
