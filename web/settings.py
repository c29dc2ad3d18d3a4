"""Instance configuration, read from ``MUTUALS_*`` environment variables (and ``.env``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from documents.errors import UserError

DEFAULT_DATA_DIR = "var"
"""``MUTUALS_DATA_DIR`` when unset, taken from the working directory when settings load."""
DATABASE_FILE = "mutuals.db"
"""The SQLite database in the data folder, used when ``MUTUALS_DATABASE_URL`` is unset."""
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
SECRET_VARIABLES = ("MUTUALS_SECRET_KEY", "MUTUALS_DATABASE_URL")
"""Settings that may instead come from a file named by the same name plus ``_FILE``."""
TILE_EXAMPLE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_PLACEHOLDERS = {"z", "x", "y", "s", "r"}
"""What Leaflet fills in a tile URL: zoom, column, row, and the optional subdomain and
``@2x`` of high-density screens; it stops on any other ``{name}``."""


class SettingsError(UserError):
    """A setting is missing or wrong; the message says what to set."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _number(values: Mapping[str, str], name: str, default: float) -> float:
    text = values.get(name, "").strip()
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number") from None


def _read_secret_files(values: Mapping[str, str]) -> dict[str, str]:
    """``values`` with each ``NAME_FILE`` of ``SECRET_VARIABLES`` read into ``NAME``.

    For Docker secrets and the like: the file's content, stripped, is the value. An empty
    variable counts as unset; giving both ``NAME`` and ``NAME_FILE`` is an error.
    """
    resolved = dict(values)
    for name in SECRET_VARIABLES:
        file_name = f"{name}_FILE"
        path = resolved.pop(file_name, "").strip()
        if not path:
            continue
        if resolved.get(name, "").strip():
            raise SettingsError(f"set {name} or {file_name}, not both (environment and .env)")
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise SettingsError(f"{file_name}={path!r} cannot be read: {reason}") from None
        except UnicodeDecodeError:
            raise SettingsError(f"{file_name}={path!r} is not UTF-8 text") from None
        if not value:
            raise SettingsError(f"{file_name}={path!r} is empty")
        resolved[name] = value
    return resolved


def sqlite_path(database_url: str) -> Path | None:
    """The file an SQLite URL names; None for other databases and in-memory or ``file:`` ones."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise SettingsError(
            "MUTUALS_DATABASE_URL is not a database URL such as "
            "postgresql+asyncpg://user:password@host:5432/dbname"
        ) from None
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def sqlite_url(path: Path) -> str:
    """The URL of the SQLite database file at ``path`` (absolute).

    The path goes in as it is: SQLAlchemy 2.0 reads an SQLite path verbatim, so
    percent-encoding it would name another file there.
    """
    return f"sqlite+aiosqlite:///{path}"


def describe_database(database_url: str) -> str:
    """The database for messages: an SQLite file's path, or the URL without its password."""
    path = sqlite_path(database_url)
    if path is not None:
        return str(path)
    return make_url(database_url).render_as_string(hide_password=True)


def _absolute_database_url(database_url: str) -> str:
    """``database_url`` with a relative SQLite path made absolute from the working directory.

    So that every error names the file the process really opens, and a command run from
    elsewhere is not silently given a new, empty database.
    """
    path = sqlite_path(database_url)
    if path is None or path.is_absolute():
        return database_url
    scheme, _, rest = database_url.partition(":///")
    return f"{scheme}:///{Path.cwd()}/{rest}"


@dataclass(frozen=True)
class Settings:
    """Everything an instance needs to know about itself."""

    base_url: str
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR}/{DATABASE_FILE}"
    """SQLAlchemy URL; ``load_settings`` makes an SQLite path absolute."""
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    """Folder of the default SQLite database; ``load_settings`` makes it absolute."""
    secret_key: str = ""
    dev: bool = False
    authorized_fetch: bool = False
    federation: str = "open"
    run_workers: bool = False
    instance_name: str = "Mutuals"
    queue_lease: float = 300.0
    connect_timeout: float = 5.0
    request_timeout: float = 30.0
    inbox_rate: float = 10.0
    """Activities a second each remote host may sustain on the inboxes."""
    inbox_burst: int = 300
    """Activities a remote host may send at once before ``inbox_rate`` applies."""
    posts_per_hour: int = 20
    """Posts of one member a group announces in an hour before holding the rest."""
    max_mentions: int = 10
    """A member's post mentioning more accounts than this is held for a moderator."""
    log_level: str = "INFO"
    """Lowest level logged by ``mutuals serve`` and ``worker``: DEBUG … CRITICAL."""
    log_format: str = "text"
    """``text`` (one readable line a record) or ``json`` (one JSON object a line)."""
    retention_days: float = 7.0
    """Days finished queue rows (inbox items, deliveries, fan-out jobs) are kept; 0 keeps all."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies (addresses or networks, comma-separated, or ``*``) whose X-Forwarded-For
    and X-Forwarded-Proto ``mutuals serve`` believes, so the inbox rate limit and the
    logs see the real client address behind the reverse proxy."""
    map_tiles: str = ""
    """URL template of the tile server behind the directory's map (``{z}/{x}/{y}``); empty:
    no map library, the directory draws its points itself."""
    map_attribution: str = ""
    """Plain text the map shows for its tiles, as their server asks (``© OpenStreetMap …``)."""
    blocklist_public: bool = False
    """Publish every domain rule made here that has a reason at ``/blocklist.json`` and
    ``/blocklist.csv``, not only those blocked with ``--public``."""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        """The host (and port, when not the default) that names accounts: ``name@host``."""
        return urlsplit(self.base_url).netloc

    def validate(self) -> Settings:
        """Refuse unsafe production settings; return self when they are fine."""
        parts = urlsplit(self.base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise SettingsError(
                f"MUTUALS_BASE_URL={self.base_url!r} is not a URL; "
                "set it to the public address, e.g. https://groups.example.org"
            )
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise SettingsError(
                "MUTUALS_BASE_URL must be a bare origin such as https://groups.example.org"
            )
        if self.federation not in {"open", "allowlist"}:
            raise SettingsError("MUTUALS_FEDERATION must be 'open' or 'allowlist'")
        if self.inbox_rate <= 0 or self.inbox_burst < 1:
            raise SettingsError("MUTUALS_INBOX_RATE and MUTUALS_INBOX_BURST must be positive")
        if self.posts_per_hour < 0 or self.max_mentions < 0:
            raise SettingsError("MUTUALS_POSTS_PER_HOUR and MUTUALS_MAX_MENTIONS must be 0 or more")
        if min(self.queue_lease, self.connect_timeout, self.request_timeout) <= 0:
            raise SettingsError(
                "MUTUALS_QUEUE_LEASE, MUTUALS_CONNECT_TIMEOUT and MUTUALS_REQUEST_TIMEOUT "
                "must be positive numbers of seconds"
            )
        if not 0 <= self.retention_days < 100_000:
            raise SettingsError(
                "MUTUALS_RETENTION_DAYS must be a number of days, 0 or more (0 keeps everything)"
            )
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"MUTUALS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if self.log_format not in LOG_FORMATS:
            raise SettingsError("MUTUALS_LOG_FORMAT must be 'text' or 'json'")
        self._check_map()
        if self.dev:
            return self
        if parts.scheme != "https":
            raise SettingsError(
                "MUTUALS_BASE_URL must start with https:// in production; "
                "set MUTUALS_DEV=1 only for local development"
            )
        if len(self.secret_key) < 16:
            raise SettingsError(
                "MUTUALS_SECRET_KEY is missing or shorter than 16 characters; "
                'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        if self.map_tiles and urlsplit(self.map_tiles).scheme != "https":
            raise SettingsError(
                "MUTUALS_MAP_TILES must start with https:// in production: "
                "browsers refuse plain http images on an https page"
            )
        return self

    def _check_map(self) -> None:
        if not self.map_tiles:
            return
        try:
            parts = urlsplit(self.map_tiles)
        except ValueError:  # such as a malformed [IPv6] host
            parts = urlsplit("")
        names = set(re.findall(r"\{([^{}]*)\}", self.map_tiles))
        template = parts.scheme in {"http", "https"} and parts.netloc and {"z", "x", "y"} <= names
        if not template:
            raise SettingsError(
                f"MUTUALS_MAP_TILES={self.map_tiles!r} is not a tile URL template; "
                f"set it to one with {{z}}, {{x}} and {{y}}, e.g. {TILE_EXAMPLE}"
            )
        if unknown := names - TILE_PLACEHOLDERS:
            raise SettingsError(
                f"MUTUALS_MAP_TILES has {{{sorted(unknown)[0]}}}: only {{z}}, {{x}}, {{y}}, "
                "{s} and {r} are filled in"
            )
        if not self.map_attribution.strip():
            raise SettingsError(
                "MUTUALS_MAP_ATTRIBUTION is missing: tile servers ask that their map says whose "
                "it is, e.g. MUTUALS_MAP_ATTRIBUTION='© OpenStreetMap contributors'"
            )


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Build settings from the environment, with values from ``.env`` as defaults."""
    values: dict[str, str] = {}
    path = env_file if env_file is not None else Path(".env")
    if path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    values = _read_secret_files(values)
    dev = _flag(values.get("MUTUALS_DEV"))
    default_base = "http://127.0.0.1:8000" if dev else ""
    data_dir = Path(values.get("MUTUALS_DATA_DIR", "").strip() or DEFAULT_DATA_DIR)
    data_dir = data_dir.expanduser().resolve()
    database_url = values.get("MUTUALS_DATABASE_URL", "").strip()
    settings = Settings(
        base_url=values.get("MUTUALS_BASE_URL", default_base).rstrip("/"),
        database_url=_absolute_database_url(database_url or sqlite_url(data_dir / DATABASE_FILE)),
        data_dir=data_dir,
        secret_key=values.get("MUTUALS_SECRET_KEY", ""),
        dev=dev,
        authorized_fetch=_flag(values.get("MUTUALS_AUTHORIZED_FETCH")),
        federation=values.get("MUTUALS_FEDERATION", "open").strip().lower(),
        run_workers=_flag(values.get("MUTUALS_RUN_WORKERS", "1" if dev else "0")),
        instance_name=values.get("MUTUALS_INSTANCE_NAME", "Mutuals"),
        queue_lease=_number(values, "MUTUALS_QUEUE_LEASE", 300.0),
        connect_timeout=_number(values, "MUTUALS_CONNECT_TIMEOUT", 5.0),
        request_timeout=_number(values, "MUTUALS_REQUEST_TIMEOUT", 30.0),
        inbox_rate=_number(values, "MUTUALS_INBOX_RATE", 10.0),
        inbox_burst=int(_number(values, "MUTUALS_INBOX_BURST", 300)),
        posts_per_hour=int(_number(values, "MUTUALS_POSTS_PER_HOUR", 20)),
        max_mentions=int(_number(values, "MUTUALS_MAX_MENTIONS", 10)),
        log_level=values.get("MUTUALS_LOG_LEVEL", "INFO").strip().upper(),
        log_format=values.get("MUTUALS_LOG_FORMAT", "text").strip().lower(),
        retention_days=_number(values, "MUTUALS_RETENTION_DAYS", 7.0),
        forwarded_allow_ips=values.get("MUTUALS_FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1",
        map_tiles=values.get("MUTUALS_MAP_TILES", "").strip(),
        map_attribution=values.get("MUTUALS_MAP_ATTRIBUTION", "").strip(),
        blocklist_public=_flag(values.get("MUTUALS_BLOCKLIST_PUBLIC")),
    )
    return settings.validate()
