"""Settings from COCKPIT_* environment variables, validated at start."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cockpit import PROJECT_ROOT


class ConfigError(Exception):
    """A setting is invalid; the message names it."""


# The cockpit's local time zone: goals are judged on its calendar years, rollups bucket by its days and months,
# pages show its time (data is stored in UTC). Every layer takes it from here.
LOCAL_TZ_NAME = "Europe/Berlin"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)


class Settings(BaseSettings):
    """All settings; every field is read from the environment variable COCKPIT_<FIELD NAME>."""

    model_config = SettingsConfigDict(env_prefix="COCKPIT_", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{PROJECT_ROOT / 'var' / 'cockpit.db'}")
    # a streaming replica of the PostgreSQL primary for page and API reads (docs/operations.md); unset = none
    database_read_url: str | None = None
    database_read_wait: float = Field(default=0.2, ge=0, le=10)  # seconds a read waits for a replica behind
    catalog: Path = PROJECT_ROOT / "data" / "catalog.yaml"
    sources: Path = PROJECT_ROOT / "data" / "sources.yaml"
    peers: Path | None = PROJECT_ROOT / "data" / "peers" / "peers.yaml"  # peer comparison (SDG-Portal); None = off
    archive_dir: Path = PROJECT_ROOT / "var" / "archive"
    archive_max_mb: int = Field(default=200, ge=1)
    scheduler: bool = True
    load_demo: bool = True
    default_lang: str = "de"
    timezone: str = LOCAL_TZ_NAME
    internal_password: str | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8050, ge=1, le=65535)
    log_level: str = "INFO"
    cache_url: str | None = None  # e.g. redis://127.0.0.1:6379/0: public responses shared by all web workers
    alerts: Path | None = None  # --- measures: alert rules and channels (YAML); unset = no alert job
    report_schedules: Path | None = None  # council reports on a schedule (YAML, docs/reports.md); unset = none

    # --- accounts: sessions, proxies, production server, single sign-on (docs/accounts.md)
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)  # absolute session lifetime
    session_idle_minutes: float = Field(default=120.0, gt=0)  # idle timeout
    cookie_secure: bool = False  # Secure cookies also over plain HTTP requests (always when the request is HTTPS)
    trusted_proxies: int = Field(default=0, ge=0, le=5)  # reverse proxies in front (X-Forwarded-For/-Proto/-Host)
    hsts_seconds: int = Field(default=0, ge=0)  # Strict-Transport-Security max-age; 0 = no header
    workers: int = Field(default=1, ge=1, le=64)  # gunicorn worker processes of `serve`
    threads: int = Field(default=8, ge=1, le=256)  # threads per worker
    max_query_length: int = Field(default=2048, ge=256, le=65536)  # longer query strings get 414
    access_log: str | None = None  # gunicorn's access log of `serve`: a file or '-' (stderr), fields escaped; off
    # --- serve: the built-in nginx in front of gunicorn (docs/security.md)
    proxy: bool = True  # `serve` starts nginx in front (buffers whole requests); false only behind a buffering proxy
    client_timeout: int = Field(default=10, ge=1, le=300)  # seconds for a request's headers / between body reads
    connections_per_address: int = Field(default=64, ge=1, le=10000)  # requests in progress per client address
    login_rate: int = Field(default=30, ge=1, le=10000)  # POST /login per client address and minute (nginx)
    oidc_issuer: str | None = None  # e.g. https://login.example.org/realms/city (single sign-on when set)
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_role_claim: str = "groups"  # claim holding group/role names (a string or a list)
    oidc_roles: dict[str, str] = Field(default_factory=dict)  # claim value -> staff|admin, JSON
    oidc_department_claim: str = "department"  # claim holding the department id
    oidc_departments: dict[str, str] = Field(default_factory=dict)  # claim value -> catalog department id, JSON

    @field_validator("oidc_roles")
    @classmethod
    def _oidc_roles(cls, value: dict[str, str]) -> dict[str, str]:
        wrong = sorted(v for v in value.values() if v not in ("staff", "admin"))
        if wrong:
            raise ValueError(f"roles must be 'staff' or 'admin', got {', '.join(map(repr, wrong))}")
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _oidc_issuer(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("must be an https:// URL (http only for 127.0.0.1/localhost)")
        return value.rstrip("/") if value else value

    # --- embed: public embeds, open data, legal links
    embed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    public_url: str | None = None  # the cockpit's public address for snippets and DCAT links; default: request
    imprint_url: str | None = None  # Impressum
    privacy_url: str | None = None  # Datenschutzerklärung
    accessibility_url: str | None = None  # Erklärung zur Barrierefreiheit; default: the built-in page
    feedback_email: str | None = None  # "Feedback" mailto link
    api_rate_limit: int = Field(default=300, ge=0)  # API requests per client and window; 0 = no limit
    api_rate_window: int = Field(default=60, ge=1, le=86400)  # seconds
    opendata_licence: str = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"  # DCAT licence when a source names none
    opendata_publisher: str | None = None  # DCAT publisher name; default: "Stadt <city>"
    opendata_contributor_id: str = "http://dcat-ap.de/def/contributors/stadtGera"  # dcatde:contributorID

    @field_validator("embed_origins", mode="before")
    @classmethod
    def _embed_origins(cls, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"not a JSON list of origins: {exc.msg}") from None
            else:
                value = [part for part in value.split(",") if part]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError('must be a list of origins, e.g. ["https://www.gera.de"]')
        return [_origin(v) for v in value]

    @field_validator("public_url", "imprint_url", "privacy_url", "accessibility_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if _UNSAFE.search(value) or not re.match(r"^(https?://[^/\s]+(/.*)?|/[^/].*|/)$", value):
            raise ValueError(f"{value!r} is not an http(s) address or a path on this site")
        return value.rstrip("/") if value.startswith("http") and value.count("/") == 2 else value

    @field_validator("feedback_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.fullmatch(r"[^@\s<>\"'?&;]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("opendata_licence", "opendata_contributor_id")
    @classmethod
    def _uri(cls, value: str) -> str:
        if _UNSAFE.search(value) or not re.match(r"^https?://[^/\s]+/", value):
            raise ValueError(f"{value!r} is not an http(s) URI")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("must start with sqlite: or postgresql: (e.g. postgresql+psycopg://user@host/db)")
        return value

    @field_validator("database_read_url")
    @classmethod
    def _replica_backend(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("postgresql:", "postgresql+psycopg:")):
            raise ValueError("must be a postgresql: URL of a streaming replica (e.g. postgresql+psycopg://user@replica/db)")
        return value

    @model_validator(mode="after")
    def _replica_of_postgresql(self):
        if self.database_read_url and not self.database_url.startswith("postgresql"):
            raise ValueError("COCKPIT_DATABASE_READ_URL needs a PostgreSQL primary in COCKPIT_DATABASE_URL "
                             "(SQLite has no replicas)")
        return self

    @field_validator("catalog", "sources")
    @classmethod
    def _file_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    @field_validator("default_lang")
    @classmethod
    def _supported_lang(cls, value: str) -> str:
        if value not in ("de", "en"):
            raise ValueError("must be 'de' or 'en'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()


_UNSAFE = re.compile(r"[\s;'\"<>`]")
_HTTPS_ORIGIN = re.compile(r"^https://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
                           r"(:[0-9]{1,5})?$")
_LOCAL_ORIGIN = re.compile(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?$")


def _origin(value: str) -> str:
    """One embed origin: https://host[:port], or http://localhost[:port] (also 127.0.0.1, [::1]) for testing.
    No wildcard, path, query, semicolon, whitespace or newline (each would widen or break frame-ancestors)."""
    origin = value[:-1] if value.endswith("/") and not value.endswith("//") else value
    if origin == "*" or "*" in origin:
        raise ValueError(f"{value!r}: wildcards are not allowed, list each origin")
    if _UNSAFE.search(value):
        raise ValueError(f"{value!r}: whitespace, newlines, quotes and semicolons are not allowed")
    if not (_HTTPS_ORIGIN.match(origin) or _LOCAL_ORIGIN.match(origin)):
        raise ValueError(f"{value!r} is not an origin like https://www.example.de[:port] (no path; plain http "
                         "only for localhost)")
    return origin.lower()


def load_settings(**overrides) -> Settings:
    """Read and validate settings; raise ConfigError naming the environment variable that is wrong."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if not err["loc"]:  # a rule across settings names its variables itself
                problems.append(err["msg"].removeprefix("Value error, "))
                continue
            field = str(err["loc"][0])
            problems.append(f"COCKPIT_{field.upper()}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
