"""Everything anyone may read about a group, for the privacy tests: its public pages,
feeds and collections, the instance's shared pages, every public post (page, JSON and
replies) and every activity the instance sent. A test then asserts that nothing private
appears in any of it, nor in what a follower's server received."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select

from actors.models import Group
from outbox.models import Activity
from posts.models import Post
from tests.helpers import AP
from tests.instances import Instance

HTML, ANY = "text/html", "*/*"
GROUP_PATHS = (
    ("", HTML), ("", AP), ("/board", HTML), ("/calendar", HTML), ("/volunteers", HTML),
    ("/volunteer", HTML), ("/transparency", HTML), ("/feed.atom", ANY), ("/feed.rss", ANY),
    ("/events.ics", ANY), ("/network.ics", ANY), ("/outbox", AP), ("/outbox?page=true", AP),
    ("/followers", AP), ("/following", AP), ("/featured", AP),
)  # fmt: skip
"""The group's public pages, feeds and collections, after its actor id, and the type asked."""
SITE_PATHS = ("/", "/directory", "/directory.json")


async def public_texts(instance: Instance, group: Group, tags: Sequence[str] = ()) -> list[str]:
    """Every public document of ``group`` (see the module text) as text, the group's page
    first; each answered 200."""
    group_id = instance.ctx.urls.group(group.uid)
    async with instance.ctx.sessions() as session:
        posts = await session.scalars(
            select(Post.document).where(
                Post.group_id == group.id,
                Post.visibility.in_(("public", "unlisted")),
                Post.deleted_at.is_(None),
            )
        )
        post_ids = [doc["id"] for doc in posts.all()]
        sent = (await session.scalars(select(Activity.document))).all()
    wanted = [
        *((group_id + path, accept) for path, accept in GROUP_PATHS),
        *((instance.base_url + path, HTML) for path in SITE_PATHS),
        *((f"{instance.base_url}/tags/{tag}", HTML) for tag in tags),
        *((post, accept) for post in post_ids for accept in (HTML, AP)),
        *((f"{post}/replies", AP) for post in post_ids),
    ]
    texts = []
    async with instance.client() as client:
        for url, accept in wanted:
            answer = await client.get(url, headers={"Accept": accept})
            assert answer.status_code == 200, (url, accept, answer.status_code)
            texts.append(answer.text)
    return texts + [json.dumps(doc) for doc in sent]
