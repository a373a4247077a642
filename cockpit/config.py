"""Settings from COCKPIT_* environment variables, validated at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cockpit import PROJECT_ROOT


class ConfigError(Exception):
    """A setting is invalid; the message names it."""


class Settings(BaseSettings):
    """All settings; every field is read from the environment variable COCKPIT_<FIELD NAME>."""

    model_config = SettingsConfigDict(env_prefix="COCKPIT_", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{PROJECT_ROOT / 'var' / 'cockpit.db'}")
    catalog: Path = PROJECT_ROOT / "data" / "catalog.yaml"
    sources: Path = PROJECT_ROOT / "data" / "sources.yaml"
    archive_dir: Path = PROJECT_ROOT / "var" / "archive"
    archive_max_mb: int = Field(default=200, ge=1)
    scheduler: bool = True
    load_demo: bool = True
    default_lang: str = "de"
    timezone: str = "Europe/Berlin"
    internal_password: str | None = None
    secret_key: str | None = None
    embed_origins: list[str] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = Field(default=8050, ge=1, le=65535)
    log_level: str = "INFO"
    cache_url: str | None = None  # e.g. redis://127.0.0.1:6379/0: public responses shared by all web workers

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("must start with sqlite: or postgresql: (e.g. postgresql+psycopg://user@host/db)")
        return value

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
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def load_settings(**overrides) -> Settings:
    """Read and validate settings; raise ConfigError naming the environment variable that is wrong."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            problems.append(f"COCKPIT_{field.upper()}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
