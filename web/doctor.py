"""``mutuals doctor``'s checks: is this instance set up, alive and reachable from outside?

Each check is a small async function returning a `Result` (name, ok, detail, fix).
The worker-heartbeat rule (`workers_problem`) is shared with ``/readyz``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from actors.groups import list_groups
from actors.urls import Urls
from federation.fetch_errors import FetchError
from federation.safe_client import build_client
from store.db import make_engine, make_sessionmaker, utcnow
from store.heartbeats import last_seen
from web.migrate import current_revisions
from web.runtime import fetch_policy
from web.schema import head_revisions, schema_state
from web.settings import Settings, sqlite_path
from web.workers import LOOPS

SEEN_WITHIN = dt.timedelta(minutes=1)
"""How recent every worker loop's heartbeat must be (they write every 15 s)."""
RUN_WORKERS = "run `mutuals worker` (or MUTUALS_RUN_WORKERS=1)"
MAX_SKEW = dt.timedelta(seconds=30)
"""Largest clock difference tolerated: we refuse signatures beyond 12 h, peers far sooner."""
ACTIVITY_JSON = "application/activity+json"


@dataclass(frozen=True)
class Result:
    """One check's outcome; ``fix`` says what to do when it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    skipped: bool = False

    def lines(self) -> list[str]:
        """How ``mutuals doctor`` prints it: a ✓/✗ line, and the fix under a failure."""
        if self.skipped:
            return [f"- {self.name}: skipped ({self.detail})"]
        lines = [f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"]
        if not self.ok and self.fix:
            lines.append(f"    fix: {self.fix}")
        return lines


def workers_problem(seen: dict[str, dt.datetime], now: dt.datetime) -> str | None:
    """Why not every worker loop was seen within `SEEN_WITHIN` (``/readyz``'s words), or None."""
    late = [name for name in LOOPS if name not in seen or now - seen[name] > SEEN_WITHIN]
    if not late:
        return None
    within = f"in the last {SEEN_WITHIN.total_seconds():g} s"
    if len(late) == len(LOOPS):
        return f"no worker seen {within}: {RUN_WORKERS}"
    last = ", ".join(
        f"{name} (last {seen[name].isoformat(timespec='seconds')})" if name in seen else name
        for name in late
    )
    return f"no heartbeat {within} from {last}"


async def check_base_url(settings: Settings) -> Result:
    """MUTUALS_BASE_URL is a bare origin, and https outside development mode."""
    name, url = "base URL", settings.base_url
    parts = urlsplit(url)
    example = "set MUTUALS_BASE_URL to the public origin, e.g. https://groups.example.org"
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return Result(name, False, f"{url!r} is not a URL", example)
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return Result(name, False, f"{url} is not a bare origin", f"{example} (no path)")
    if parts.scheme != "https" and not settings.dev:
        return Result(
            name,
            False,
            f"{url} is not https:// outside development mode",
            f"{example}, served over TLS by your proxy (MUTUALS_DEV=1 only on your laptop)",
        )
    mode = " (development mode)" if settings.dev else ""
    return Result(name, True, f"{url}{mode}")


_WHERE = "check MUTUALS_DATABASE_URL (a relative SQLite path is taken from MUTUALS_DATA_DIR)"


async def check_database(settings: Settings) -> Result:
    """The database answers (an SQLite file is not created by looking for it)."""
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        folder = path.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return Result(
                "database",
                False,
                f"unreachable: {folder} is not a folder this user can write",
                _WHERE,
            )
        return Result(
            "database",
            False,
            f"no database file at {path}",
            f"run `mutuals migrate` to create it; if it should exist, {_WHERE}",
        )
    try:
        await current_revisions(settings.database_url)
    except Exception as exc:  # whatever the driver raises, it is the answer here
        return Result(
            "database",
            False,
            f"unreachable: {_first_line(exc)}",
            "check MUTUALS_DATABASE_URL and that the database server is running",
        )
    return Result("database", True, "reachable")


async def check_schema(settings: Settings) -> Result:
    """The database is at this version's newest migrations."""
    current = await current_revisions(settings.database_url)
    expected = ", ".join(sorted(head_revisions()))
    state = schema_state(current)
    if state == "current":
        return Result("schema", True, f"current ({expected})")
    found = ", ".join(sorted(current)) or "no migration"
    if state == "newer":
        return Result(
            "schema",
            False,
            f"database at {found}, newer than this version of Mutuals ({expected})",
            "upgrade Mutuals to the version that migrated this database",
        )
    return Result("schema", False, f"database at {found}, code expects {expected}", _MIGRATE)


_MIGRATE = "run `mutuals migrate` (after `mutuals backup FILE`)"


async def check_workers(settings: Settings) -> Result:
    """Every worker loop recorded a heartbeat within `SEEN_WITHIN`."""
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            problem = workers_problem(await last_seen(session), utcnow())
    except Exception as exc:  # no heartbeat table before migration 0007
        return Result("workers", False, f"cannot read heartbeats: {_first_line(exc)}", _MIGRATE)
    finally:
        await engine.dispose()
    if problem is None:
        return Result("workers", True, f"every loop seen in the last {SEEN_WITHIN.seconds} s")
    return Result(
        "workers",
        False,
        problem.removesuffix(f": {RUN_WORKERS}"),
        f"{RUN_WORKERS}; if one runs, read its log",
    )


@dataclass(frozen=True)
class Answer:
    """What the public URL answered: the document, and when it said (and we saw) it was."""

    document: Any
    date: str | None
    seen_at: dt.datetime


class PublicCheck:
    """The checks through the public URL: WebFinger, actor, TLS and clock.

    They share one fetch of each document with the instance's SSRF-safe client (which
    fetches loopback and plain http only in development mode).
    """

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.urls = Urls(settings.base_url)
        self.error: Exception | None = None
        self.answer: Answer | None = None

    async def _get(self, url: str, accept: str) -> Answer:
        response = await self.client.get(url, headers={"Accept": accept})
        seen_at = utcnow()
        if response.status_code != 200:
            raise _Refused(f"GET {url} answered {response.status_code}, not 200")
        try:
            document = response.json()
        except ValueError as exc:
            raise _Refused(f"GET {url} answered no JSON") from exc
        if not isinstance(document, dict):
            raise _Refused(f"GET {url} answered JSON that is not an object")
        self.answer = Answer(document, response.headers.get("date"), seen_at)
        return self.answer

    async def _attempt(self, check: str, work: Callable[[], Awaitable[str]]) -> Result:
        if self.error is not None:
            return Result(check, False, "the public URL did not answer", skipped=True)
        try:
            return Result(check, True, await work())
        except _Refused as exc:
            self.error = exc
            return Result(check, False, str(exc), _PROXY_FIX)
        except (httpx.HTTPError, FetchError, OSError) as exc:
            self.error = exc
            return Result(check, False, f"cannot fetch: {_describe(exc)}", _fetch_fix(exc))

    async def webfinger(self, group: tuple[str, str] | None) -> Result:
        """``acct:GROUP@host`` resolves to the group's actor (or /actor answers: no group)."""

        async def work() -> str:
            if group is None:
                return "no group yet: only the instance actor is checked"
            name, actor_id = group
            resource = f"acct:{name}@{self.settings.host}"
            url = f"{self.settings.base_url}/.well-known/webfinger?resource={resource}"
            links = (await self._get(url, "application/jrd+json")).document.get("links", [])
            if not any(
                link.get("rel") == "self" and link.get("href") == actor_id for link in links
            ):
                raise _Refused(f"WebFinger for {resource} does not point at {actor_id}")
            return f"{resource} → {actor_id}"

        return await self._attempt("webfinger", work)

    async def actor(self, actor_id: str) -> Result:
        """The actor answers ``application/activity+json`` with its own ``id``."""

        async def work() -> str:
            document = (await self._get(actor_id, ACTIVITY_JSON)).document
            if document.get("id") != actor_id:
                raise _Refused(f"{actor_id} answered the id {document.get('id')!r}")
            return f"{actor_id} answers with its id"

        return await self._attempt("actor", work)

    def tls(self) -> Result:
        """The certificate was verified by the fetches above (httpx verifies https)."""
        if not self.settings.base_url.startswith("https://"):
            return Result("TLS", True, "the base URL is not https://", skipped=True)
        if self.error is not None and _certificate_error(self.error) is not None:
            return Result(
                "TLS",
                False,
                f"certificate refused: {_certificate_error(self.error)}",
                f"serve a valid certificate for {self.settings.host}, whole chain included, "
                "from your proxy (check with `curl -v` from another machine)",
            )
        if self.answer is None:
            return Result("TLS", False, "the public URL did not answer", skipped=True)
        return Result("TLS", True, f"certificate of {self.settings.host} verified")

    def clock(self) -> Result:
        """Our clock agrees with the ``Date`` our own answer carried."""
        if self.answer is None:
            return Result("clock", False, "the public URL did not answer", skipped=True)
        return clock_result(self.answer.date, self.answer.seen_at)


class _Refused(Exception):
    """The public URL answered, but not what peers need."""


_PROXY_FIX = (
    "check that your proxy passes every path (/.well-known/ included) and the Host header "
    "to `mutuals serve`, and that MUTUALS_BASE_URL is the address it serves"
)


def clock_result(date: str | None, now: dt.datetime) -> Result:
    """Compare ``now`` with an HTTP ``Date`` header: a skew over `MAX_SKEW` fails."""
    if date is None:
        return Result("clock", False, "the answer had no Date header", _PROXY_FIX)
    try:
        them = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return Result("clock", False, f"unreadable Date header {date!r}", _PROXY_FIX)
    skew = abs((now - them).total_seconds())
    # Date has whole seconds: allow the one lost to truncation.
    if skew > MAX_SKEW.total_seconds() + 1:
        return Result(
            "clock",
            False,
            f"this server's clock and the Date header ({date}) differ by {skew:.0f} s",
            "synchronise the clocks of this server and of your proxy "
            "(e.g. `timedatectl set-ntp true`, or chrony): peers refuse skewed signatures",
        )
    return Result("clock", True, f"within {skew:.0f} s of the Date header")


async def _first_group(settings: Settings) -> tuple[str, str] | None:
    """The first group's name and actor id; None without one (or a readable database)."""
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            groups = await list_groups(session)
    except Exception:  # the database checks report why
        return None
    finally:
        await engine.dispose()
    if not groups:
        return None
    return groups[0].name, Urls(settings.base_url).group(groups[0].uid)


async def check_public(settings: Settings, *, database: bool) -> list[Result]:
    """WebFinger, actor, TLS and clock, through the public URL.

    Without a usable ``database`` (its check failed) no group is looked up in it.
    """
    group = await _first_group(settings) if database else None
    # Under authorized fetch an unsigned GET of a group gets 401; /actor stays public.
    actor_id = Urls(settings.base_url).instance_actor
    if group is not None and not settings.authorized_fetch:
        actor_id = group[1]
    async with build_client(fetch_policy(settings)) as client:
        public = PublicCheck(settings, client)
        results = [await public.webfinger(group), await public.actor(actor_id)]
    return [*results, public.tls(), public.clock()]


async def run_checks(settings: Settings) -> list[Result]:
    """Every check, in order; those needing the database are skipped when it failed."""
    database = await check_database(settings)
    results = [await check_base_url(settings), database]
    if database.ok:
        results += [await check_schema(settings), await check_workers(settings)]
    else:
        results += [Result(n, False, "no database to check", skipped=True) for n in _DB_CHECKS]
    results += await check_public(settings, database=database.ok)
    return results


_DB_CHECKS = ("schema", "workers")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _certificate_error(exc: BaseException) -> str | None:
    for error in _chain(exc):
        if isinstance(error, ssl.SSLCertVerificationError):
            return error.verify_message or str(error)
        # httpcore's mapping keeps only the text: "[SSL: …] certificate verify failed: …"
        found = _VERIFY_FAILED.search(str(error))
        if found is not None:
            return found.group(1)
    return None


_VERIFY_FAILED = re.compile(r"CERTIFICATE_VERIFY_FAILED\] (.+?)(?: \(_ssl\.c:\d+\))?$", re.M)


def _describe(exc: BaseException) -> str:
    return _certificate_error(exc) or _first_line(exc)


def _fetch_fix(exc: BaseException) -> str:
    if _certificate_error(exc) is not None:
        return "see the TLS line below"
    if isinstance(exc, httpx.TimeoutException):
        return "check that the proxy forwards to `mutuals serve` and that it is running"
    return (
        "check that MUTUALS_BASE_URL is this instance's public address, that its DNS name "
        "resolves to your proxy, and that the proxy and `mutuals serve` are running"
    )
