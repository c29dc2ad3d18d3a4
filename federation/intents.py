"""Remote interaction: where a person's own server wants them sent to follow or answer.

A server says so in its WebFinger answers, with URL templates: FEP-3b86 Activity
Intents (``rel`` ``https://w3id.org/fep/3b86/Follow`` with ``{object}``, ``…/Create``
with ``{inReplyTo}``, ``…/Object`` with ``{object}``), and the older OStatus subscribe
template (``{uri}``) that Mastodon (``/authorize_interaction?uri={uri}``) and Misskey
(``/authorize-follow?acct={uri}``) publish. Intents come first, as the FEP asks.

Templates are expanded as RFC 6570 level 1: the one variable we know gets the
percent-encoded id, any other ``{…}`` becomes empty. A template is used only if it holds
that variable (a Create intent that only takes ``{content}`` would lose the post).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from federation.origin import OriginError, host_matches, normalize_host, origin_of
from federation.vocab import as_list

SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
INTENTS = "https://w3id.org/fep/3b86/"
FOLLOW_INTENT = INTENTS + "Follow"
CREATE_INTENT = INTENTS + "Create"
OBJECT_INTENT = INTENTS + "Object"


class Action(StrEnum):
    """What the visitor wants to do with one of our ids."""

    FOLLOW = "follow"  # a group
    REPLY = "reply"  # a post
    VOTE = "vote"  # a poll


# Per action, the links to look for, best first: (rel, the variable our id fills).
CHOICES: dict[Action, tuple[tuple[str, str], ...]] = {
    Action.FOLLOW: ((FOLLOW_INTENT, "object"), (SUBSCRIBE, "uri")),
    Action.REPLY: ((CREATE_INTENT, "inReplyTo"), (OBJECT_INTENT, "object"), (SUBSCRIBE, "uri")),
    Action.VOTE: ((OBJECT_INTENT, "object"), (SUBSCRIBE, "uri")),
}

_HANDLE = re.compile(r"@?([\w.+-]{1,100})@([^\s@/?#\\]{1,260})")
_VARIABLE = re.compile(r"\{([^{}]*)\}")


class IntentError(ValueError):
    """No usable place to send the visitor; the kind says why."""


class BadHandle(IntentError):
    """Not a handle: ``@name@server.example`` (a port is allowed)."""


class NoTemplate(IntentError):
    """The server's WebFinger answer has no template for this action."""


class NotSecure(IntentError):
    """The template is not an https URL (plain http only in development)."""


class Elsewhere(IntentError):
    """The template leads to a site other than the handle's server."""

    def __init__(self, host: str) -> None:
        super().__init__(f"the template leads to {host}")
        self.host = host


@dataclass(frozen=True)
class Handle:
    """A fediverse handle: ``user`` at ``hostname`` (normalised), on ``port`` if one is given."""

    user: str
    hostname: str
    port: int | None = None

    @property
    def host(self) -> str:
        """``hostname[:port]``, as the handle names its server."""
        return self.hostname if self.port is None else f"{self.hostname}:{self.port}"

    def __str__(self) -> str:
        return f"@{self.user}@{self.host}"

    def webfinger_url(self, scheme: str) -> str:
        """Where its server answers WebFinger for it."""
        query = urlencode({"resource": f"acct:{self.user}@{self.host}"})
        return f"{scheme}://{self.host}/.well-known/webfinger?{query}"


def parse_handle(text: str) -> Handle:
    """``@name@server.example`` (or ``name@…``, ``acct:name@…``) as a `Handle`."""
    found = _HANDLE.fullmatch(text.strip().removeprefix("acct:"))
    if found is None:
        raise BadHandle(f"{text[:100]!r} is not a handle")
    try:
        parts = urlsplit(f"//{found[2]}")
        port = parts.port
        hostname = normalize_host(parts.hostname or "")
    except (ValueError, OriginError) as exc:  # a bad port, or no plausible host
        raise BadHandle(f"{text[:100]!r} has no usable server") from exc
    return Handle(found[1], hostname, port)


def _template(link: Any, rel: str) -> str | None:
    if not isinstance(link, dict) or link.get("rel") != rel:
        return None
    # FEP-3b86's first drafts put the template in ``href``; servers publish ``template``.
    for key in ("template", "href") if rel != SUBSCRIBE else ("template",):
        if isinstance(link.get(key), str):
            return str(link[key])
    return None


def choose_template(jrd: dict[str, Any], action: Action) -> tuple[str, str]:
    """The best template of ``jrd`` for ``action`` and the variable it takes."""
    links = as_list(jrd.get("links"))
    for rel, variable in CHOICES[action]:
        for link in links:
            template = _template(link, rel)
            if template is not None and f"{{{variable}}}" in template:
                return template, variable
    raise NoTemplate(f"no template to {action} from")


def expand(template: str, variable: str, value: str) -> str:
    """RFC 6570 level 1: ``{variable}`` becomes ``value`` percent-encoded, others empty."""
    return _VARIABLE.sub(lambda m: quote(value, safe="") if m[1] == variable else "", template)


def interaction_url(
    jrd: dict[str, Any], action: Action, object_id: str, *, allow_http: bool, hosts: set[str]
) -> str:
    """Where to send the visitor whose server answered ``jrd`` to ``action`` ``object_id``.

    The URL must be https (unless ``allow_http``) on one of ``hosts`` (normalised host
    names: the handle's server and where its WebFinger answer came from) or a subdomain
    of one: a handle must not make this site an open redirect to anywhere.
    """
    template, variable = choose_template(jrd, action)
    url = expand(template, variable, object_id)
    try:
        origin = origin_of(url)
    except OriginError as exc:
        raise NotSecure(f"{url[:200]!r} is not an http(s) URL") from exc
    if origin.scheme != "https" and not allow_http:
        raise NotSecure(f"{url[:200]!r} is not https")
    if not any(host_matches(origin.host, host) for host in hosts):
        raise Elsewhere(origin.host)
    return url


def published_links(authorize_url: str) -> list[dict[str, str]]:
    """Our own templates, for our WebFinger answers: people here are groups, and what a
    group can do from another site's page is follow (``authorize_url`` lets its organizers
    and liaisons do that)."""
    return [
        {"rel": SUBSCRIBE, "template": f"{authorize_url}?uri={{uri}}"},
        {"rel": FOLLOW_INTENT, "template": f"{authorize_url}?uri={{object}}"},
    ]
