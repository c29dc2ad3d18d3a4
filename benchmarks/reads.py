"""Benchmark 4, reads: actor JSON, WebFinger, an outbox page, a group's page and a post's
page from the real app.

The reference, in the same run and on the same port, is a bare Starlette app that
answers each URL (and Accept) with the bytes the real app served, precomputed.

    .venv/bin/python -m benchmarks.reads [--postgres URL] [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import create_group, get_group
from actors.urls import Urls
from benchmarks.common import (
    CLIENT_CPU,
    Database,
    Server,
    closed_loop,
    free_port,
    pin,
    real_app,
    row,
    settings,
)
from posts.notes import publish_note
from store.db import make_engine, make_sessionmaker
from web.runtime import open_context

AP = "application/activity+json"
TARGETS = {  # name: (path and query, Accept, target ratio)
    "actor": ("/groups/demo", AP, 0.8),
    "webfinger": ("/.well-known/webfinger?resource=acct:demo@{host}", "application/jrd+json", 0.8),
    "outbox page": ("/groups/demo/outbox?page=true", AP, 0.7),
    "group page": ("/groups/demo", "text/html", 0.7),
    "post page": ("/groups/demo/posts/{post}", "text/html", 0.7),
}


def request(port: int, target: str, accept: str, post: str) -> bytes:
    host = f"127.0.0.1:{port}"
    path = target.format(host=host, post=post)
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\n\r\n".encode()


async def populate(database_url: str, port: int) -> str:
    """The group ``demo`` with 25 public posts (so the outbox page is full); the last's uid."""
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        await create_group(session, "demo", Urls(f"http://127.0.0.1:{port}"), summary="A group.")
        await session.commit()
    await engine.dispose()
    async with open_context(settings(port, database_url)) as ctx, ctx.sessions() as session:
        group = await get_group(session, "demo")
        for n in range(25):
            post = await publish_note(session, ctx, group, f"Post number {n}: the hall is open.")
        await session.commit()
    return post.uid


async def fetch(port: int, raw: bytes) -> tuple[bytes, str]:
    """The body and content type the server answers ``raw`` with."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    ctype = next(
        line.split(b": ", 1)[1].decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-type:")
    )
    return body, ctype


def reference_app(answers: dict[tuple[str, str], tuple[bytes, str]]) -> Starlette:
    """Precomputed bytes per path and Accept (a process target)."""

    async def endpoint(request: Request) -> Response:
        body, ctype = answers[request.url.path, request.headers["accept"]]
        return Response(body, media_type=ctype)

    return Starlette(routes=[Route(path, endpoint) for path in {path for path, _ in answers}])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run")
    args = parser.parse_args()
    pin(CLIENT_CPU)
    port = free_port()
    async with Database(args.postgres) as db:
        post = await populate(db.url, port)
        raws = {
            name: request(port, target, accept, post)
            for name, (target, accept, _) in TARGETS.items()
        }
        print(f"reads: {args.seconds:g} s per URL, 32 connections, {db.kind}, server on one core")
        app: dict[str, float] = {}
        answers: dict[tuple[str, str], tuple[bytes, str]] = {}
        with Server(real_app, (port, db.url), port):
            for name, raw in raws.items():
                path = raw.split(b" ")[1].split(b"?")[0].decode()
                answers[path, TARGETS[name][1]] = await fetch(port, raw)
                app[name] = (await closed_loop(port, [raw], duration=args.seconds)).rate
        with Server(reference_app, (answers,), port):
            ref = {
                name: (await closed_loop(port, [raw], duration=args.seconds)).rate
                for name, raw in raws.items()
            }
    row("", "real req/s", "ref req/s", "ratio", "target")
    for name, (_, _, target) in TARGETS.items():
        goal = f">= {target}x" if target else "-"
        row(name, f"{app[name]:.0f}", f"{ref[name]:.0f}", f"{app[name] / ref[name]:.2f}x", goal)


if __name__ == "__main__":
    asyncio.run(main())
