"""The store: the only place with SQL. Every read takes the viewer's role and filters in SQL."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from cockpit.catalog import Catalog
from cockpit.roles import Role, visible_levels
from cockpit.store import migrate, observations, rollups, runs
from cockpit.store.engine import make_engine
from cockpit.store.schema import job_runs as job_runs_table
from cockpit.store.schema import observations as observations_table
from cockpit.store.schema import utcnow

__all__ = ["BatchResult", "Store"]

WRITE_LOCK_KEY = 0x636F636B  # "cock": the advisory lock id that serializes writers on PostgreSQL


@dataclass(frozen=True)
class BatchResult:
    status: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int

    @property
    def stored(self) -> int:
        return self.inserted + self.updated


class Store:
    """Data access for the cockpit, bound to one engine (SQLite file in WAL mode, or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(make_engine(url))

    # ------------------------------------------------------------------ schema and catalog
    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def sync_catalog(self, catalog: Catalog) -> None:
        with self._write() as conn:
            observations.sync_indicators(conn, catalog, utcnow())

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(observations_table.c.id).limit(1)).first() is None

    @contextmanager
    def _write(self):
        """One write transaction; writers are serialized so that concurrent runs of sources sharing keys
        neither fail nor double a row: BEGIN IMMEDIATE on SQLite, a transaction-scoped advisory lock on PostgreSQL."""
        with self.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
            yield conn

    def _read(self) -> Connection:
        return self.engine.connect()

    # ------------------------------------------------------------------ ingest
    def start_run(self, source_id: str, interrupted_after: float | None = None) -> int:
        """Open a run; with `interrupted_after` (seconds), older runs of the source still 'running' are closed
        as failed first (their process was killed: their writes were never committed)."""
        with self._write() as conn:
            now = utcnow()
            if interrupted_after is not None:
                runs.close_interrupted(conn, source_id, now - timedelta(seconds=interrupted_after), now)
            return runs.start_run(conn, source_id, now)

    def fail_run(self, run_id: int, error: str, rows_read: int = 0) -> None:
        with self._write() as conn:
            runs.finish_run(conn, run_id, utcnow(), "failed", rows_read=rows_read, error=error)

    def write_batch(self, source_id: str, run_id: int, frame: pd.DataFrame, rejects, rows_read: int,
                    watermarks: list[tuple[str, str]] = (), payload=None, archive_max_bytes: int = 200 * 2**20,
                    ) -> BatchResult:
        """Store a run's valid rows, quarantine its rejects, move watermarks and close the run: all or nothing.

        `watermarks` are (key, value) pairs: the source's own (key = source id) or e.g. a backfill's progress.
        """
        with self._write() as conn:
            now = utcnow()
            counts = observations.upsert(conn, frame, source_id, run_id, now)
            runs.add_quarantine(conn, source_id, run_id, rejects, now)
            for key, value in watermarks:
                runs.set_watermark(conn, key, value, now)
            if payload is not None:
                runs.archive_payload(conn, source_id, run_id, payload, now, archive_max_bytes)
            status = "partial" if rejects else "ok"
            runs.finish_run(conn, run_id, now, status, rows_read=rows_read, rows_stored=counts.stored,
                            rows_rejected=len(rejects))
        return BatchResult(status, rows_read, counts.inserted, counts.updated, counts.unchanged, len(rejects))

    def archive_failed_payload(self, source_id: str, run_id: int, payload, max_bytes: int) -> None:
        with self._write() as conn:
            runs.archive_payload(conn, source_id, run_id, payload, utcnow(), max_bytes)

    def watermark(self, source_id: str) -> str | None:
        with self._read() as conn:
            return runs.get_watermark(conn, source_id)

    def archived_payloads(self, source_id: str):
        with self._read() as conn:
            return runs.read_archive(conn, source_id)

    # ------------------------------------------------------------------ operations (internal views)
    def runs(self, source_id: str | None = None, limit: int = 50) -> pd.DataFrame:
        with self._read() as conn:
            return runs.read_runs(conn, source_id, limit)

    def last_runs(self) -> pd.DataFrame:
        with self._read() as conn:
            return runs.read_last_runs(conn)

    def quarantine(self, source_id: str | None = None, run_id: int | None = None) -> pd.DataFrame:
        with self._read() as conn:
            return runs.read_quarantine(conn, source_id, run_id)

    # ------------------------------------------------------------------ role-filtered reads
    def observations(self, role: Role | str, indicator_ids: list[str] | None = None, district: str | None = "",
                     start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        """Observations the viewer may see; district "" = city-wide, None = all districts too."""
        with self._read() as conn:
            return observations.read_observations(conn, visible_levels(role), indicator_ids, district, start, end)

    def latest(self, role: Role | str, count: int = 2) -> pd.DataFrame:
        """The latest `count` city-wide observations of each indicator the viewer may see."""
        with self._read() as conn:
            return observations.read_latest(conn, visible_levels(role), count)

    def monthly(self, role: Role | str, indicator_ids: list[str] | None = None,
                since: datetime | None = None) -> pd.DataFrame:
        """City-wide monthly aggregates (aggregated in the database) of the indicators the viewer may see."""
        with self._read() as conn:
            return observations.read_monthly(conn, visible_levels(role), indicator_ids, since)

    def aggregates(self, role: Role | str, grain: str, indicator_ids: list[str] | None = None,
                   district: str | None = "", since: datetime | None = None,
                   until: datetime | None = None) -> pd.DataFrame:
        """Aggregates per indicator, district and local calendar bucket (grain 'year', 'month' or 'day') of the
        indicators the viewer may see: columns indicator, district, bucket (Europe/Berlin start), n, sum, min,
        max, last_value, last_start (UTC), value (the indicator's own aggregation). district "" = city-wide,
        None = all. The contract every screen reads; never raw observations."""
        with self._read() as conn:
            return observations.read_aggregates(conn, visible_levels(role), grain, indicator_ids, district,
                                                since, until)

    def indicator_sources(self, role: Role | str) -> pd.DataFrame:
        """(indicator, source_id) pairs: which source delivered data of which visible indicator."""
        with self._read() as conn:
            return observations.read_indicator_sources(conn, visible_levels(role))

    def data_version(self) -> int:
        """A number that changes whenever observations change (for caching views): the latest run that stored
        rows. Cheap: it reads the small job_runs table, never the observations."""
        with self._read() as conn:
            return int(conn.execute(select(func.coalesce(func.max(job_runs_table.c.id), 0)).where(
                job_runs_table.c.rows_stored > 0)).scalar_one())

    # --- perf
    def rebuild_rollups(self) -> int:
        """Recompute every rollup and the per-source counts from the observations; returns the rollup rows."""
        with self._write() as conn:
            return rollups.rebuild(conn)
