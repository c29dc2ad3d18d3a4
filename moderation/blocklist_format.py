"""Blocklists as other servers write them: Mastodon's CSV and its public API's JSON.

The CSV is what Mastodon's admin export writes and its import reads
(``app/controllers/admin/export_domain_blocks_controller.rb``): a header
``#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate``, then one
line a rule, ``severity`` one of ``suspend``, ``silence``, ``noop``, flags ``true`` or
``false``. Like Mastodon's import, a column left out takes its default (``suspend``,
``false``, no comment) and unknown columns are ignored; ``#domain`` must come first
(``app/validators/admin_import_validator.rb``).

The JSON is the shape of Mastodon's ``GET /api/v1/instance/domain_blocks``
(``app/serializers/rest/domain_block_serializer.rb``): an array of ``{domain, digest,
severity, comment}``, plus ``reject_media``, which Mastodon's API leaves out. Mastodon
shows an obfuscated domain there with ``*`` in it: no rule can be made of that, so such
an entry is skipped. We publish domains whole.

Everything here is pure: parsing raises ``BlocklistError`` with the line at fault.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from federation.origin import parent_domains
from moderation.checks import ModerationError, normalize_domain

HEADER = (
    "#domain",
    "#severity",
    "#reject_media",
    "#reject_reports",
    "#public_comment",
    "#obfuscate",
)
SEVERITIES = ("suspend", "silence", "noop")
MAX_LINES = 100_000
"""A list longer than this is refused whole (Mastodon imports at most 20,000 rows)."""
MAX_REASON = 1000
_BOOLEANS = {"true": True, "false": False, "": False}


class BlocklistError(ModerationError):
    """A blocklist cannot be read or is refused; the message says why."""


@dataclass(frozen=True)
class ListedRule:
    """One rule of a blocklist: ``severity`` as Mastodon names it, and its reason."""

    domain: str
    severity: str
    reject_media: bool = False
    reason: str = ""

    @property
    def enforced(self) -> bool:
        """Whether it does anything here (a ``noop`` may only stop reports, which we lack)."""
        return self.severity != "noop" or self.reject_media


def parse_blocklist(body: bytes) -> list[ListedRule]:
    """The rules of a blocklist in either format (JSON when it starts with ``[``)."""
    lines = body.count(b"\n")
    if lines > MAX_LINES:
        raise BlocklistError(
            "the list has %(lines)d lines, more than %(most)d", lines=lines, most=MAX_LINES
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BlocklistError("the list is not UTF-8 text") from exc
    if text.lstrip().startswith("["):
        return parse_json(text)
    return parse_csv(text)


def parse_csv(text: str) -> list[ListedRule]:
    """The rules of Mastodon's domain-block CSV; ``BlocklistError`` names the bad line."""
    rows = _csv_rows(text)
    header = next(rows, None)
    if header is None or not header or header[0].strip() != "#domain":
        raise BlocklistError(
            "not Mastodon's domain-block CSV: the first line must be its header, %(header)s",
            header=",".join(HEADER),
        )
    names = [name.strip() for name in header]
    found: dict[str, ListedRule] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(names, row, strict=False))
        rule = _rule(cells, number)
        found[rule.domain] = rule
    return [rule for rule in found.values() if rule.enforced]


def parse_json(text: str) -> list[ListedRule]:
    """The rules of a JSON list shaped like Mastodon's ``/api/v1/instance/domain_blocks``."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BlocklistError("the list is not valid JSON: %(error)s", error=str(exc)) from exc
    if not isinstance(data, list):
        raise BlocklistError("the JSON list is not an array")
    found: dict[str, ListedRule] = {}
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("domain"), str):
            raise BlocklistError("entry %(number)d has no domain", number=number)
        if "*" in item["domain"]:  # obfuscated by Mastodon: nothing to match
            continue
        cells = {
            "#domain": item["domain"],
            "#severity": _string(item.get("severity")),
            "#reject_media": "true" if item.get("reject_media") is True else "false",
            "#public_comment": _string(item.get("comment")),
        }
        rule = _rule(cells, number, what="entry")
        found[rule.domain] = rule
    return [rule for rule in found.values() if rule.enforced]


def render_csv(rules: Iterable[ListedRule]) -> str:
    """Mastodon's export: the header, then one line a rule (``\\n`` line ends, as Ruby's CSV)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for rule in rules:
        writer.writerow(
            [rule.domain, rule.severity, _flag(rule.reject_media), "false", rule.reason, "false"]
        )
    return out.getvalue()


def render_json(rules: Iterable[ListedRule]) -> list[dict[str, Any]]:
    """Mastodon's public API shape, with ``reject_media`` added."""
    return [
        {
            "domain": rule.domain,
            "digest": hashlib.sha256(rule.domain.encode()).hexdigest(),
            "severity": rule.severity,
            "comment": rule.reason,
            "reject_media": rule.reject_media,
        }
        for rule in rules
    ]


def severity_of(suspend: bool, silence: bool) -> str:
    """Mastodon's name for a rule of ours."""
    return "suspend" if suspend else "silence" if silence else "noop"


def _csv_rows(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), strict=True)
    except csv.Error as exc:
        raise BlocklistError("not a readable CSV file: %(error)s", error=str(exc)) from exc


def _rule(cells: dict[str, str], number: int, what: str = "line") -> ListedRule:
    where = f"{what} {number}"
    try:
        domain = normalize_domain(cells.get("#domain", ""))
    except ModerationError as exc:
        raise BlocklistError(
            "%(where)s: %(domain)r is not a domain name", where=where, domain=cells.get("#domain")
        ) from exc
    severity = (cells.get("#severity") or "suspend").strip().lower()
    if severity not in SEVERITIES:
        raise BlocklistError(
            "%(where)s: severity %(severity)r is not suspend, silence or noop",
            where=where,
            severity=severity,
        )
    media = cells.get("#reject_media", "").strip().lower()
    if media not in _BOOLEANS:
        raise BlocklistError(
            "%(where)s: reject_media %(value)r is not true or false", where=where, value=media
        )
    reason = " ".join(cells.get("#public_comment", "").split())[:MAX_REASON]
    return ListedRule(domain, severity, _BOOLEANS[media], reason)


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _flag(value: bool) -> str:
    return "true" if value else "false"


def check_protected(rules: Iterable[ListedRule], protected: Iterable[str]) -> None:
    """``BlocklistError`` when a rule covers one of the ``protected`` domains (ours, the
    list's own, our allies'): a list doing so is hostile or broken."""
    covering = {parent: name for name in protected for parent in parent_domains(name)}
    for rule in rules:
        if rule.domain in covering:
            raise BlocklistError(
                "the list blocks %(domain)s, which covers %(protected)s",
                domain=rule.domain,
                protected=covering[rule.domain],
            )
