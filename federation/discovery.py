"""WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import quoteattr

from federation.intents import published_links
from federation.vocab import AP_CONTENT_TYPE, AS_CONTEXT

NODEINFO_SCHEMAS = {
    "2.0": "http://nodeinfo.diaspora.software/ns/schema/2.0",
    "2.1": "http://nodeinfo.diaspora.software/ns/schema/2.1",
}


class ResourceError(ValueError):
    """A WebFinger ``resource`` that is not an acct: URI or URL we can read."""


@dataclass(frozen=True)
class Resource:
    """A parsed WebFinger resource: an account (``user``, ``host``) or a URL."""

    user: str | None
    host: str
    url: str | None


def parse_resource(resource: str) -> Resource:
    """Parse ``acct:user@host`` (or a bare ``user@host``) or an http(s) URL."""
    value = unquote(resource.strip())
    if value.startswith(("https://", "http://")):
        parts = urlsplit(value)
        if not parts.netloc:
            raise ResourceError("resource URL has no host")
        return Resource(user=None, host=parts.netloc.lower(), url=value)
    value = value.removeprefix("acct:").lstrip("@")
    user, sep, host = value.rpartition("@")
    if not sep or not user or not host or "/" in host:
        raise ResourceError("resource must be acct:user@host or an https URL")
    return Resource(user=user.lower(), host=host.lower(), url=None)


def webfinger_document(
    subject: str, actor_id: str, profile_url: str, authorize_url: str
) -> dict[str, Any]:
    """The JRD Mastodon resolves: subject, aliases, a ``self`` link and a profile page;
    then the templates other sites send people to, to follow from here (``authorize_url``)."""
    return {
        "subject": subject,
        "aliases": [actor_id] if profile_url == actor_id else [actor_id, profile_url],
        "links": [
            {"rel": "self", "type": AP_CONTENT_TYPE, "href": actor_id},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": profile_url,
            },
            *published_links(authorize_url),
        ],
    }


def server_actor_document(origin: str, actor_id: str) -> dict[str, Any]:
    """The JRD that names the server's own actor, asked for by the server's origin
    (FEP-d556: ``resource=https://host/``): a ``self`` link typed as ActivityStreams,
    and the same as an ``Application``, the instance actor's type."""
    return {
        "subject": origin,
        "links": [
            {"rel": "self", "type": AP_CONTENT_TYPE, "href": actor_id},
            {"rel": f"{AS_CONTEXT}#Application", "type": AP_CONTENT_TYPE, "href": actor_id},
        ],
    }


def host_meta_xrd(base_url: str) -> str:
    """host-meta as XRD, pointing at our WebFinger endpoint."""
    template = quoteattr(f"{base_url}/.well-known/webfinger?resource={{uri}}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/xrd+xml" template={template}/>\n'
        "</XRD>\n"
    )


def host_meta_json(base_url: str) -> dict[str, Any]:
    """host-meta as JSON (JRD)."""
    return {
        "links": [
            {
                "rel": "lrdd",
                "type": "application/jrd+json",
                "template": f"{base_url}/.well-known/webfinger?resource={{uri}}",
            }
        ]
    }


def nodeinfo_links(base_url: str) -> dict[str, Any]:
    """The ``/.well-known/nodeinfo`` discovery document (2.1 first)."""
    return {
        "links": [
            {"rel": NODEINFO_SCHEMAS[v], "href": f"{base_url}/nodeinfo/{v}"} for v in ("2.1", "2.0")
        ]
    }


@dataclass(frozen=True)
class NodeUsage:
    """Counts NodeInfo publishes."""

    groups: int
    active_month: int
    local_posts: int


def nodeinfo_document(
    version: str,
    *,
    software_version: str,
    usage: NodeUsage,
    node_name: str,
    group_names: list[str],
) -> dict[str, Any]:
    """A NodeInfo 2.0 or 2.1 document (the same fields serve both)."""
    if version not in NODEINFO_SCHEMAS:
        raise ValueError(f"unsupported NodeInfo version {version}")
    return {
        "version": version,
        "software": {"name": "mutuals", "version": software_version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {
            "users": {
                "total": usage.groups,
                "activeMonth": usage.active_month,
                "activeHalfyear": usage.active_month,
            },
            "localPosts": usage.local_posts,
        },
        "metadata": {"nodeName": node_name, "groups": group_names},
    }
