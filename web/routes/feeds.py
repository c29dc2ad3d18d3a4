"""Atom and RSS feeds: a group's latest public posts, and this instance's posts with a tag.

Feed readers poll: each feed is served from the page cache with ``ETag`` and
``Last-Modified`` (`web.conditional`), so an unchanged feed costs them a 304.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from actors.models import Group
from actors.urls import Urls
from documents import feeds
from documents.feed_entry import Author, Entry, post_entry
from federation.content import plain_text
from federation.markdown import is_hashtag_name, normalize_hashtag
from posts.models import Post
from posts.tags import tagged_posts
from posts.timeline import public_posts
from store.db import utcnow
from web.conditional import cached_response
from web.negotiation import error_response
from web.routes.public_network import tag_url
from web.state import app_context, app_settings

Builder = Callable[[feeds.Feed, Sequence[Entry]], bytes]
FORMATS: dict[str, tuple[Builder, str]] = {
    "atom": (feeds.atom, f"{feeds.ATOM_TYPE}; charset=utf-8"),
    "rss": (feeds.rss, f"{feeds.RSS_TYPE}; charset=utf-8"),
}


def _author(urls: Urls, group: Group) -> Author:
    return Author(group.display_name or group.name, urls.group(group.uid))


def _entries(urls: Urls, rows: Sequence[tuple[Post, Group]]) -> list[Entry]:
    return [post_entry(post.document, _author(urls, group)) for post, group in rows]


def _respond(kind: str, feed: feeds.Feed, entries: Sequence[Entry]) -> Response:
    build, content_type = FORMATS[kind]
    return Response(build(feed, entries), headers={"Content-Type": content_type})


def _no_such_format(kind: str) -> Response | None:
    if kind in FORMATS:
        return None
    return error_response(404, "no such feed: use feed.atom or feed.rss")


async def _group_feed(request: Request, uid: str, kind: str) -> Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, uid)
        if group is None:
            return error_response(404, "no such group")
        posts = (await public_posts(session, group)).posts
    entries = _entries(ctx.urls, [(post, group) for post in posts])
    page = ctx.urls.group(group.uid)
    feed = feeds.Feed(
        title=group.display_name or group.name,
        description=" ".join(plain_text(group.summary_html).split()),
        page_url=page,
        atom_url=f"{page}/feed.atom",
        rss_url=f"{page}/feed.rss",
        updated=max([group.updated_at, *(e.updated for e in entries)]),
        icon=group.icon_url,
    )
    return _respond(kind, feed, entries)


async def group_feed(request: Request) -> Response:
    """The group's latest public posts (a page's worth), newest first."""
    uid, kind = request.path_params["uid"], request.path_params["format"]
    if (refusal := _no_such_format(kind)) is not None:
        return refusal
    return await cached_response(
        request, ("group feed", uid, kind), lambda: _group_feed(request, uid, kind)
    )


async def _tag_feed(request: Request, key: str, kind: str) -> Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        page, groups = await tagged_posts(session, key)
    entries = _entries(ctx.urls, [(post, groups[post.group_id]) for post in page.posts])
    url = tag_url(ctx.urls, key)
    title = f"#{key}"
    feed = feeds.Feed(
        title=f"{title} · {app_settings(request).instance_name}",
        description=f"Public posts tagged {title} on {ctx.host}",
        page_url=url,
        atom_url=f"{url}/feed.atom",
        rss_url=f"{url}/feed.rss",
        updated=max((e.updated for e in entries), default=utcnow()),
    )
    return _respond(kind, feed, entries)


async def tag_feed(request: Request) -> Response:
    """The latest public posts of this instance's groups with the hashtag, newest first."""
    name, kind = request.path_params["name"], request.path_params["format"]
    if (refusal := _no_such_format(kind)) is not None:
        return refusal
    if not is_hashtag_name(name):
        return error_response(404, "not a hashtag: a tag is letters, digits and _")
    key = normalize_hashtag(name)
    return await cached_response(
        request, ("tag feed", key, kind), lambda: _tag_feed(request, key, kind)
    )


routes = [
    Route("/groups/{uid}/feed.{format:str}", group_feed, methods=["GET"]),
    Route("/tags/{name}/feed.{format:str}", tag_feed, methods=["GET"]),
]
