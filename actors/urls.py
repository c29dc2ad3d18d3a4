"""Every URL the instance publishes, built from its public base URL in one place."""

from __future__ import annotations

from dataclasses import dataclass

from federation.origin import same_origin


@dataclass(frozen=True)
class Urls:
    """Builds the stable, absolute ids of local actors, objects and collections."""

    base: str

    @property
    def instance_actor(self) -> str:
        """The instance actor (an ``Application``) that signs our GETs."""
        return f"{self.base}/actor"

    @property
    def authorize_interaction(self) -> str:
        """Our subscribe template's page: an organizer makes one of their groups follow."""
        return f"{self.base}/authorize_interaction"

    @property
    def shared_inbox(self) -> str:
        """The shared inbox of the whole instance."""
        return f"{self.base}/inbox"

    def group(self, uid: str) -> str:
        """The actor id of a group."""
        return f"{self.base}/groups/{uid}"

    def group_key(self, uid: str) -> str:
        """The key id of a group's signing key."""
        return f"{self.group(uid)}#main-key"

    def group_collection(self, uid: str, name: str) -> str:
        """One of a group's collections: inbox, outbox, followers, following, featured."""
        return f"{self.group(uid)}/{name}"

    def group_uid(self, url: str) -> str | None:
        """The uid of the group whose actor id is ``url``, or None when it is not one."""
        prefix = self.group("")
        uid = url.removeprefix(prefix) if url.startswith(prefix) else ""
        return uid if uid and "/" not in uid else None

    def post(self, group_uid: str, post_uid: str) -> str:
        """The id of a group's post."""
        return f"{self.group(group_uid)}/posts/{post_uid}"

    def activity(self, group_uid: str, activity_uid: str) -> str:
        """The id of an activity a group sent."""
        return f"{self.group(group_uid)}/activities/{activity_uid}"

    def tag(self, name: str) -> str:
        """The page of a hashtag."""
        return f"{self.base}/tags/{name.lower()}"

    def is_local(self, url: str) -> bool:
        """True when the URL is on our origin, however it is spelled.

        Compared as normalised origins (case, IDNA, trailing dot, default port), so
        ``HTTPS://Groups.Example.org.:443/x`` is ours too: nothing remote may claim it.
        """
        return same_origin(url, self.base)
