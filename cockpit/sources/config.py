"""The sources file (data/sources.yaml): which connector reads what, from where, how often."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cockpit.catalog.duration import Duration
from cockpit.sources.registry import connector_names


class SourcesError(ValueError):
    """The sources file is invalid; the message names the file, the source and the field."""


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    interval: str | None = None  # ISO 8601 duration, e.g. PT1H
    cron: str | None = None  # crontab expression, e.g. "15 3 * * *"

    @model_validator(mode="after")
    def _one_of(self):
        if (self.interval is None) == (self.cron is None):
            raise ValueError("give exactly one of 'interval' or 'cron'")
        if self.interval is not None:
            Duration.parse(self.interval)
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"cron needs 5 fields (minute hour day month weekday), got {self.cron!r}")
        return self


class SourceConfig(BaseModel):
    """One source: `location` is a URL or a local path (relative paths are relative to the sources file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    connector: str
    location: str
    schedule: Schedule
    synthetic: bool = False
    enabled: bool = True
    timeout: float = Field(default=30.0, gt=0)
    run_timeout: float = Field(default=600.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)
    options: dict[str, Any] = Field(default_factory=dict)

    def options_for(self, model: type[BaseModel]) -> BaseModel:
        try:
            return model.model_validate(self.options)
        except ValidationError as exc:
            problems = "; ".join(
                f"field '{'.'.join(['options', *(str(p) for p in e['loc'])])}': {e['msg']}" for e in exc.errors()
            )
            raise SourcesError(f"source '{self.id}': {problems}") from None


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[SourceConfig]

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[SourceConfig]):
        ids = [s.id for s in sources]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate source ids: {', '.join(dupes)}")
        return sources


def load_sources(path: Path | str) -> list[SourceConfig]:
    """Read the sources file, resolve relative locations, and check that every connector exists."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SourcesError(f"{path}: the file must hold a mapping with a 'sources' list")
    try:
        parsed = SourcesFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            entry = "sources"
            if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
                items = raw.get("sources") or []
                ident = items[loc[1]].get("id") if loc[1] < len(items) and isinstance(items[loc[1]], dict) else None
                entry = f"sources[{loc[1]}]" + (f" (id '{ident}')" if ident else "")
                loc = loc[2:]
            problems.append(f"{entry}: field '{'.'.join(map(str, loc)) or '(entry)'}': {err['msg']}")
        raise SourcesError(f"{path}: " + "; ".join(problems)) from None
    known = connector_names()
    resolved = []
    for source in parsed.sources:
        if source.connector not in known:
            raise SourcesError(
                f"{path}: source '{source.id}': field 'connector': unknown connector '{source.connector}' "
                f"(known: {', '.join(sorted(known))})"
            )
        location = source.location
        if not location.startswith(("http://", "https://", "mqtt://", "mqtts://")) and not Path(location).is_absolute():
            location = str((path.parent / location).resolve())
        resolved.append(source.model_copy(update={"location": location}))
    return resolved
