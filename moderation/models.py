"""Tables of moderation: account blocks per group, domain rules, shared blocklists, reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class Block(Base):
    """A remote account a local group refuses to hear from or talk to.

    Keyed by the account's ActivityPub id (not a ``remote_actors`` row), so an account
    can be blocked before it was ever fetched and stays blocked if its row goes away.
    """

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("group_id", "actor_ap_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor_ap_id: Mapped[str] = mapped_column(String(2000))
    # The Block activity we sent, so unblocking can Undo it by id (None: none was sent).
    activity_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DomainBlock(Base):
    """An instance-wide rule about a domain and all its subdomains.

    ``suspend``: nothing from it is accepted and nothing is sent to it. Otherwise the
    domain is limited: ``silence`` keeps its content out of anything public, and
    ``reject_media`` stops its media from being fetched or stored. Its reason, whether
    it is published and where it came from are in its `DomainRuleNote`, if any.
    """

    __tablename__ = "domain_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    suspend: Mapped[bool] = mapped_column(Boolean, default=True)
    silence: Mapped[bool] = mapped_column(Boolean, default=False)
    reject_media: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DomainRuleNote(Base):
    """What else is known of the `DomainBlock` of the same ``domain``; none: a private
    rule made here, without a reason.

    A table of its own (keyed by domain, not a foreign key) because ``domain_blocks`` is
    made on another branch of the migrations than the one that added this (0017).
    ``source`` is None for a rule made here; else the URL of the subscribed blocklist
    that brought the rule (``moderation.subscriptions``), which rewrites it at each read.
    """

    __tablename__ = "domain_rule_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    """Published at ``/blocklist.json`` and ``/blocklist.csv`` (with its reason)."""
    source: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class BlocklistSubscription(Base):
    """An ally's published blocklist this instance follows (``mutuals domain subscribe``).

    ``read_at`` is the last read, good or refused; ``error`` why the last one was
    refused (None when it was good); ``good_at`` when the copy in force was read.
    """

    __tablename__ = "blocklist_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    limit_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    good_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class BlocklistEntry(Base):
    """One rule of the last good copy of a subscribed blocklist, as the list says it."""

    __tablename__ = "blocklist_entries"
    __table_args__ = (UniqueConstraint("subscription_id", "domain"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("blocklist_subscriptions.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(255), index=True)
    suspend: Mapped[bool] = mapped_column(Boolean, default=True)
    silence: Mapped[bool] = mapped_column(Boolean, default=False)
    reject_media: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")


class DomainAllow(Base):
    """A domain (with its subdomains) this instance federates with in allowlist mode."""

    __tablename__ = "domain_allows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """A report about remote accounts or posts: received as a ``Flag``, or made here.

    ``direction`` is ``received`` (a Flag from another server, for the group's
    organizers) or ``sent`` (made with ``mutuals report``; ``forwarded`` when a Flag
    went to the account's server). ``target_ids`` holds the account id first, then
    any post ids, as in a Flag's ``object``.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), nullable=True, index=True
    )
    direction: Mapped[str] = mapped_column(String(10))
    reporter_ap_id: Mapped[str] = mapped_column(String(2000))
    target_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    content: Mapped[str] = mapped_column(Text, default="")
    activity_ap_id: Mapped[str | None] = mapped_column(String(2000), unique=True, nullable=True)
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportCase(Base):
    """Where the grievance process stands for one `Report` (``moderation.grievances``).

    ``status`` is ``open``, ``mediation`` (a mediator is assigned), ``resolved`` or
    ``dismissed`` (both closed, with an ``outcome`` written for the people involved).
    The mediator is a local account holding a moderating role in the group, or the
    ``mediator_ally`` domain the report was forwarded to (``forwarded_to`` is the inbox
    its ``Flag`` went to). ``notify_ap_id`` is the fediverse account told by private
    message at each status change (None: nobody asked).

    A table of its own, keyed by the report's id without a foreign key, because
    ``reports`` is made on another branch of the migrations (0002_moderation) than the
    one that added this (0018); ``group_id`` (the report's) removes it with its group.
    """

    __tablename__ = "report_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(Integer, unique=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(12), default="open")
    mediator_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    mediator_ally: Mapped[str | None] = mapped_column(String(255), nullable=True)
    notify_ap_id: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    forwarded_to: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportNote(Base):
    """A private note on a report, for the group's moderators and organizers only."""

    __tablename__ = "report_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("report_cases.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
