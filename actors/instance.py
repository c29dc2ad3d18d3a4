"""The running instance as the packages see it: URLs, database sessions, HTTP client, keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actors.keys import generate_key_pair, load_private_key
from actors.models import Group, InstanceKey
from actors.urls import Urls
from federation.delivery_client import DeliveryClient
from federation.failure_memory import FailureMemory
from federation.httpsig import PrivateKey, SchemeMemory
from federation.safe_client import FetchPolicy
from store.heartbeats import Heartbeats
from store.pacing import Pacer
from store.queue import DEFAULT_LEASE, insert_ignoring_conflicts
from store.retention import Retention

INSTANCE_KEY_ID = 1
"""The one row of ``instance_keys`` (migration 0007 refuses any other id)."""


OUTREACH_EVERY = 10.0
"""Seconds between two looks for networks due a read (``networks.outreach``)."""


BLOCKLISTS_EVERY = 60.0
"""Seconds between two looks for subscribed blocklists due a read (``moderation.subscriptions``)."""


@dataclass(frozen=True)
class PostingLimits:
    """Abuse limits on members posting through a group (see ``forum.policy``)."""

    per_hour: int = 20
    """Posts of one account a group announces in an hour; more wait for a moderator."""
    mentions: int = 10
    """A post that mentions more accounts than this waits for a moderator."""


@dataclass
class Context:
    """Everything inbox, outbox and actor code needs from the running instance.

    Built once by the composition root (``web``) and passed explicitly.
    """

    urls: Urls
    host: str
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    """Fetches (documents, keys, WebFinger) through ``federation.safe_client``."""
    delivery: DeliveryClient
    """Deliveries: signed POSTs to inboxes (``federation.delivery_client``)."""
    policy: FetchPolicy
    schemes: SchemeMemory
    dev: bool
    instance_private_pem: str
    instance_public_pem: str
    failures: FailureMemory = field(default_factory=FailureMemory)
    """Recently failed fetches: a flood naming a dead key or actor is not a flood of fetches."""
    federation: str = "open"
    """``open``, or ``allowlist``: federate only with domains listed by ``domain allow``."""
    lease: dt.timedelta = DEFAULT_LEASE
    """How long a worker holds claimed queue rows between heartbeats (see ``store.queue``)."""
    posting: PostingLimits = field(default_factory=PostingLimits)
    heartbeats: Heartbeats = field(default_factory=Heartbeats)
    """This process's worker heartbeats (``store.heartbeats``), read by ``/readyz``."""
    retention: Retention = field(default_factory=Retention)
    """How long finished queue rows are kept, and this process's pruning schedule."""
    outreach: Pacer = field(default_factory=lambda: Pacer(OUTREACH_EVERY))
    """When this process last looked for networks whose members the directory should read."""
    blocklists: Pacer = field(default_factory=lambda: Pacer(BLOCKLISTS_EVERY))
    """When this process last looked for subscribed blocklists due a read."""
    _keys: dict[str, PrivateKey] = field(default_factory=dict)

    @property
    def instance_key_id(self) -> str:
        """Key id of the instance actor."""
        return self.urls.instance_actor + "#main-key"

    def private_key(self, pem: str) -> PrivateKey:
        """Parse a PEM private key once and keep it (parsing RSA keys is slow)."""
        key = self._keys.get(pem)
        if key is None:
            key = self._keys[pem] = load_private_key(pem)
        return key

    def group_signer(self, group: Group) -> tuple[str, PrivateKey]:
        """(key id, private key) a group signs its deliveries with."""
        return self.urls.group_key(group.uid), self.private_key(group.private_key_pem)

    def instance_signer(self) -> tuple[str, PrivateKey]:
        """(key id, private key) of the instance actor, for signed GETs."""
        return self.instance_key_id, self.private_key(self.instance_private_pem)


async def instance_key_pair(session: AsyncSession) -> tuple[str, str]:
    """The instance actor's (private PEM, public PEM), created on first use.

    Web and worker processes starting at once on an empty database may each make a
    key; each inserts its own only if the row is still absent and then reads the row
    back, so all of them sign with the one key ``/actor`` publishes.
    """
    row = await _stored_key(session)
    if row is None:
        private_pem, public_pem = generate_key_pair()
        values = {
            "id": INSTANCE_KEY_ID,
            "private_key_pem": private_pem,
            "public_key_pem": public_pem,
        }
        await session.execute(insert_ignoring_conflicts(session, InstanceKey).values(values))
        await session.commit()
        row = await _stored_key(session)
        if row is None:
            raise RuntimeError("the instance key vanished as it was created")
    return row.private_key_pem, row.public_key_pem


async def _stored_key(session: AsyncSession) -> InstanceKey | None:
    # The lowest id: before migration 0007 a race could leave several rows, and the
    # migration keeps the lowest (the one an unordered select found, hence published).
    query = select(InstanceKey).order_by(InstanceKey.id).limit(1)
    return (await session.execute(query)).scalar_one_or_none()
