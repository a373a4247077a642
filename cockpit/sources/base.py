"""The connector interface: fetch a payload, parse it into an observation frame plus rejected records."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict

from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher
from cockpit.sources.payload import Document, Payload, PayloadError, gunzip_if_needed

CITYWIDE = ""
FRAME_COLUMNS = ("indicator", "district", "period_start", "period_end", "value", "raw")


@dataclass(frozen=True)
class Reject:
    """A record that could not be used, with the reason; it goes to the quarantine."""

    raw: str
    reason: str


@dataclass
class ParseResult:
    """Parsed observations (FRAME_COLUMNS), rejected records, and the new watermark (None = unchanged).

    `problems` name parts of the payload that could not be read this time (e.g. a chunk listed in an index but
    missing): the run is then 'partial' with these messages, and the watermark must not pass them. `notes` are
    facts about how the payload was read (e.g. which time attribute was used) kept in the run's message
    without changing its status.
    """

    frame: pd.DataFrame
    rejects: list[Reject] = field(default_factory=list)
    watermark: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Connector(ABC):
    """One connector per published format. `name` selects it in the sources file; `Options` validates its options."""

    name: ClassVar[str]
    Options: ClassVar[type[BaseModel]] = NoOptions

    def __init__(self, source: SourceConfig, fetcher: Fetcher):
        self.source = source
        self.fetcher = fetcher
        self.options = source.options_for(self.Options)

    @abstractmethod
    def fetch(self, watermark: str | None) -> Payload:
        """Fetch what is new since `watermark` (None = everything the source offers)."""

    @abstractmethod
    def parse(self, payload: Payload) -> ParseResult:
        """Turn a payload into observations; raise PayloadError if the payload as a whole is unusable."""

    supports_backfill: ClassVar[bool] = False

    def fetch_window(self, start: datetime, end: datetime) -> Payload:
        """Fetch the history in [start, end) for `backfill`; only sources with a history API implement it."""
        raise NotImplementedError(f"connector '{self.name}' has no history API: backfill is not possible")


def make_frame(rows: list[dict]) -> pd.DataFrame:
    """Build an observation frame with the canonical columns and types from row dicts."""
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame["indicator"] = frame["indicator"].astype("str")
    frame["district"] = frame["district"].fillna(CITYWIDE).astype("str")
    frame["period_start"] = pd.to_datetime(frame["period_start"], utc=True, format="ISO8601")
    frame["period_end"] = pd.to_datetime(frame["period_end"], utc=True, format="ISO8601")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["raw"] = frame["raw"].fillna("").astype("str")
    return frame


def raw_text(record: Any, limit: int = 2000) -> str:
    """A compact text form of a source record for the quarantine (JSON where possible), bounded in size."""
    try:
        text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(record)
    return text if len(text) <= limit else text[:limit] + f"… [{len(text)} characters]"


def load_json(document: Document, source_id: str) -> Any:
    """Decode a JSON document, failing with a message that names the source and what was wrong."""
    where = f"source '{source_id}', {document.name}"
    body = gunzip_if_needed(document.content, where)
    if not body or not body.strip():
        raise PayloadError(f"{where}: empty response")
    head = body.lstrip()[:200].lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        raise PayloadError(f"{where}: got an HTML/XML page instead of JSON (an error page?)")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"{where}: not UTF-8 encoded JSON ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        cut_short = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        kind = "truncated JSON" if cut_short else "invalid JSON"
        raise PayloadError(f"{where}: {kind} at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def require_unique(keys: list, message: str) -> None:
    """Options that list one thing twice are refused: ValueError(message), reported by pydantic as invalid."""
    if len(keys) != len(set(keys)):
        raise ValueError(message)


def require_keys(obj: Any, keys: tuple[str, ...], where: str) -> dict:
    """Check that a decoded JSON object has the keys of its schema; PayloadError otherwise."""
    if not isinstance(obj, dict):
        raise PayloadError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise PayloadError(f"{where}: wrong schema, missing {', '.join(repr(k) for k in missing)}")
    return obj
