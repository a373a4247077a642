"""One ingest run of one source: fetch, archive, parse, validate, store in one transaction, record the run."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from cockpit.archive import ObservationArchive
from cockpit.catalog import Catalog
from cockpit.jobs.archive import split_archived
from cockpit.jobs.validate import EARLIEST_PLAUSIBLE, FUTURE_TOLERANCE, validate
from cockpit.sources._time import iso_utc, parse_watermark
from cockpit.sources.base import Connector, Document, Payload
from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher
from cockpit.sources.registry import connector_class
from cockpit.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    source_id: str
    run_id: int
    status: str  # ok | partial | failed
    rows_read: int = 0
    stored: int = 0
    rejected: int = 0
    error: str | None = None
    note: str | None = None  # how the payload was read (e.g. which time attribute), kept in the run's message


class Ingestor:
    """Runs sources against a store; never raises for a source's failure, records it instead."""

    def __init__(self, store: Store, catalog: Catalog, archive_max_bytes: int = 200 * 2**20,
                 observation_archive: ObservationArchive | None = None):
        self.store = store
        self.catalog = catalog
        self.archive_max_bytes = archive_max_bytes
        self.observation_archive = observation_archive  # years of raw rows archived: late rows are not stored

    def connector(self, source: SourceConfig) -> Connector:
        fetcher = Fetcher(timeout=source.timeout, retries=source.retries)
        return connector_class(source.connector)(source, fetcher)

    def run(self, source: SourceConfig) -> RunOutcome:
        """Fetch what is new since the source's watermark and store it."""
        run_id = self.store.start_run(source.id, interrupted_after=2 * source.run_timeout)
        try:
            connector = self.connector(source)
            payload = _with_deadline(lambda: connector.fetch(self.store.watermark(source.id)), source.run_timeout,
                                     f"source '{source.id}': fetch timed out after {source.run_timeout:.0f} s")
        except Exception as exc:  # noqa: BLE001 - every failure of a source is recorded, none stops the others
            return self.record_failure(source, run_id, exc)
        return self.store_payload(source, run_id, connector, payload)

    def store_payload(self, source: SourceConfig, run_id: int, connector: Connector, payload: Payload,
                      archive: bool = True, progress_key: tuple[str, str] | None = None) -> RunOutcome:
        """Parse, validate and store a payload under an open run (also used to reprocess archived payloads).

        With `progress_key` (key, value) a backfill's progress is written in the same transaction and the
        source's own watermark is left alone.

        Nothing lost: rows that the catalog validation rejects (range, district, time window: fixable in the
        catalog) hold the watermark just before the earliest of them, so the next run fetches them again; and
        a payload with `problems` (e.g. a missing chunk) makes the run 'partial' and does not move a backfill's
        progress, so that window is fetched again.
        """
        try:
            result = connector.parse(payload)
            rows_read = len(result.frame) + len(result.rejects)
            valid, rejects = validate(result.frame, self.catalog)
            watermark = hold_watermark(result.watermark, result.frame, valid)
            valid, late = split_archived(valid, self.observation_archive)
            rejects += late
            if progress_key:
                marks = [] if result.problems else [progress_key]
            else:
                marks = [(source.id, watermark)] if watermark else []
            message = "; ".join(result.problems) or None
            note = "; ".join(result.notes) or None
            batch = self.store.write_batch(
                source.id, run_id, valid, [*result.rejects, *rejects], rows_read, watermarks=marks,
                payload=payload if archive else None, archive_max_bytes=self.archive_max_bytes, message=message,
                note=note)
        except Exception as exc:  # noqa: BLE001
            if archive:
                self._archive_quietly(source, run_id, payload)
            return self.record_failure(source, run_id, exc)
        log.info("%s: run %s %s, %s read, %s stored, %s rejected", source.id, run_id, batch.status,
                 batch.rows_read, batch.stored, batch.rejected)
        return RunOutcome(source.id, run_id, batch.status, batch.rows_read, batch.stored, batch.rejected, message,
                          note)

    def reprocess(self, source: SourceConfig) -> list[RunOutcome]:
        """Re-parse every archived payload of a source (after a parser fix); each gets a run of its own."""
        connector = self.connector(source)
        outcomes = []
        for _archive_id, _old_run, archived in self.store.archived_payloads(source.id):
            payload = Payload([Document(d.name, d.content, d.content_type) for d in archived.documents],
                              dict(archived.meta))
            run_id = self.store.start_run(source.id)
            outcomes.append(self.store_payload(source, run_id, connector, payload, archive=False))
        return outcomes

    def _archive_quietly(self, source: SourceConfig, run_id: int, payload: Payload) -> None:
        try:
            self.store.archive_failed_payload(source.id, run_id, payload, self.archive_max_bytes)
        except Exception:  # noqa: BLE001 - archiving must not hide the original failure
            log.exception("%s: could not archive the payload of run %s", source.id, run_id)

    def record_failure(self, source: SourceConfig, run_id: int, exc: Exception) -> RunOutcome:
        """Close the run as failed with a message that names the source."""
        message = str(exc) or type(exc).__name__
        if source.id not in message:
            message = f"source '{source.id}': {message}"
        log.error("%s: run %s failed: %s", source.id, run_id, message)
        try:
            self.store.fail_run(run_id, message)
        except Exception:  # noqa: BLE001
            log.exception("%s: could not record the failure of run %s", source.id, run_id)
        return RunOutcome(source.id, run_id, "failed", error=message)


def hold_watermark(watermark: str | None, parsed: pd.DataFrame, valid: pd.DataFrame) -> str | None:
    """The connector's watermark, but never past a parsed row that validation rejected.

    Works for the timestamp watermarks (an ISO timestamp, or a JSON object of them by series): each is held
    at one microsecond before the earliest rejected row. Other watermarks (e.g. a register's date) are kept.
    A row with a time before 2000 (e.g. seconds read as milliseconds: 1970) cannot be fetched again by its time
    and would pin the watermark forever, so it does not hold it (it stays in the quarantine); a row dated in the
    future would push the watermark past every real record to come, so then the watermark goes no further than
    the latest stored row (None = unchanged, if nothing was stored).
    """
    if not watermark or len(parsed) == len(valid):
        return watermark
    key = ["indicator", "district", "period_start"]
    kept = set(map(tuple, valid[key].itertuples(index=False, name=None)))
    latest = pd.Timestamp.now(tz="UTC") + FUTURE_TOLERANCE
    rejected = [row[2] for row in parsed[key].itertuples(index=False, name=None)
                if row not in kept and not pd.isna(row[2])]
    caps = [start.to_pydatetime() - timedelta(microseconds=1)
            for start in rejected if EARLIEST_PLAUSIBLE <= start <= latest]
    if any(start > latest for start in rejected):
        if valid.empty:
            return None
        caps.append(valid["period_start"].max().to_pydatetime())
    if not caps:
        return watermark
    cap = min(caps)
    single = parse_watermark(watermark)
    if single is not None:
        return iso_utc(min(single, cap))
    try:
        marks = json.loads(watermark)
    except ValueError:
        return watermark
    if not isinstance(marks, dict):
        return watermark
    held = {}
    for name, value in marks.items():
        stamp = parse_watermark(value) if isinstance(value, str) else None
        held[name] = iso_utc(min(stamp, cap)) if stamp is not None else value
    return json.dumps(held)


def _with_deadline(func, seconds: float, message: str):
    """Run `func` in a worker thread and give up waiting after `seconds` (the thread is left to finish)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fetch")
    try:
        return pool.submit(func).result(timeout=seconds)
    except FutureTimeout:
        raise TimeoutError(message) from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
