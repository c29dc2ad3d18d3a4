"""Sending a visitor to their own server to follow or answer one of ours ("remote follow").

Their server is asked where (WebFinger, through the SSRF-safe client, with a small size
and time cap: anyone can make us ask); ``federation.intents`` reads the answer.
"""

from __future__ import annotations

from dataclasses import replace

from actors.instance import Context
from federation.fetch import JRD_ACCEPT, fetch_document
from federation.intents import Action, Handle, interaction_url
from federation.origin import host_of

WEBFINGER_BYTES = 64 * 1024
"""A WebFinger answer is a few hundred bytes; Mastodon's biggest are under 2 KiB."""
WEBFINGER_SECONDS = 10.0
"""The visitor is waiting on the page: the whole lookup, redirects included."""


async def remote_interaction(ctx: Context, handle: Handle, action: Action, object_id: str) -> str:
    """The URL on ``handle``'s server where they ``action`` ``object_id`` (one of our ids).

    Raises ``FetchError`` when their server does not answer WebFinger for the handle,
    ``IntentError`` when the answer has no usable template.
    """
    policy = replace(
        ctx.policy,
        max_bytes=min(ctx.policy.max_bytes, WEBFINGER_BYTES),
        total_timeout=min(ctx.policy.total_timeout, WEBFINGER_SECONDS),
    )
    # Development instances run on plain http; production servers are always https.
    url = handle.webfinger_url("http" if ctx.dev else "https")
    answer = await fetch_document(ctx.http, url, policy=policy, accept=JRD_ACCEPT, kind="jrd")
    hosts = {handle.hostname, host_of(answer.final_url)}
    return interaction_url(
        answer.data, action, object_id, allow_http=policy.allow_http, hosts=hosts
    )
