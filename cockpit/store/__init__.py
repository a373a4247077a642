"""The store: the only place with SQL. Every read takes the viewer's role and filters in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, select

from cockpit.catalog import Catalog
from cockpit.measures.model import Measure, Report
from cockpit.roles import Role, Viewer, visible_levels
from cockpit.store import (
    changes,
    explore_reads,
    migrate,
    observations,
    partitions,
    rollups,
    runs,
    series,
    standards,
)
from cockpit.store import measures as store_measures
from cockpit.store import pathway as store_pathway
from cockpit.store.accounts_store import AccountsStore
from cockpit.store.base import StoreBase
from cockpit.store.engine import make_engine
from cockpit.store.opendata_store import OpenDataStore
from cockpit.store.raw_years import RawYearsStore
from cockpit.store.reports_store import ReportsStore
from cockpit.store.review_store import ReviewStore
from cockpit.store.schema import observations as observations_table
from cockpit.store.schema import utcnow
from cockpit.store.wall_store import WallStore

__all__ = ["BatchResult", "Store"]

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


class Store(AccountsStore, OpenDataStore, WallStore, ReportsStore, ReviewStore, RawYearsStore, StoreBase):
    """Data access for the cockpit, bound to one engine (SQLite file in WAL mode, or PostgreSQL). The façade:
    connections and transactions in `StoreBase`, accounts, open data and wall tokens in their own classes, the
    ingest and the role-filtered reads here; the SQL of every area in its own module."""

    @classmethod
    def from_url(cls, url: str, read_url: str | None = None, read_wait: float = 0.2) -> Store:
        """The store on `url`; with `read_url` (a streaming replica) page and API reads go there when fresh."""
        read_engine = make_engine(read_url, application_name="cockpit-read") if read_url else None
        return cls(make_engine(url), read_engine, read_wait)

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
    def reading(self) -> Iterator[Store]:
        """This store with all its reads through one connection (one pool checkout and one transaction; on
        SQLite one consistent state), for a caller that reads several things at once. For reads only."""
        engine = self._reads_engine()
        with engine.connect() as conn:
            yield _SharedConnection(self, conn, on_primary=engine is self._version_engine)

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
                    message: str | None = None, note: str | None = None) -> BatchResult:
        """Store a run's valid rows, quarantine its rejects, move watermarks and close the run: all or nothing.

        `watermarks` are (key, value) pairs: the source's own (key = source id) or e.g. a backfill's progress.
        A `message` (e.g. a chunk that was missing) makes the run 'partial' and is kept as its error text; a
        `note` (how the payload was read) is kept there too without changing the status.
        """
        with self._write() as conn:
            now = utcnow()
            counts = observations.upsert(conn, frame, source_id, run_id, now)
            runs.add_quarantine(conn, source_id, run_id, rejects, now)
            for key, value in watermarks:
                runs.set_watermark(conn, key, value, now)
            if payload is not None:
                runs.archive_payload(conn, source_id, run_id, payload, now, archive_max_bytes)
            status = "partial" if rejects or message else "ok"
            text = "; ".join(t for t in (message, note) if t) or None
            runs.finish_run(conn, run_id, now, status, rows_read=rows_read, rows_stored=counts.stored,
                            rows_rejected=len(rejects), error=text)
            if counts.stored:
                changes.record(conn, frame["indicator"], runs.bump_data_version(conn))
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
        with self._replica_read() as conn:
            return observations.read_observations(conn, visible_levels(role), indicator_ids, district, start, end)

    def standard_observations(self, role: Role | str,
                              selection: standards.ObservationSelection) -> tuple[list[dict], int | None]:
        """Observations of visible indicators for the outward standards (SensorThings, NGSI-LD, GeoJSON)."""
        with self._replica_read() as conn:
            return standards.read_observations(conn, visible_levels(role), selection)

    def stream_spans(self, role: Role | str, streams: list[tuple[str, str]]) -> dict:
        """(first, last) phenomenon start per visible (indicator, district) stream with data."""
        with self._replica_read() as conn:
            return standards.read_stream_spans(conn, visible_levels(role), streams)

    def latest(self, role: Role | str, count: int = 2, indicator_ids: list[str] | None = None) -> pd.DataFrame:
        """The latest `count` city-wide observations of each indicator the viewer may see (of `indicator_ids`
        only, when given)."""
        with self._replica_read() as conn:
            return observations.read_latest(conn, visible_levels(role), count, indicator_ids)

    def monthly(self, role: Role | str, indicator_ids: list[str] | None = None,
                since: datetime | None = None) -> pd.DataFrame:
        """City-wide monthly aggregates (aggregated in the database) of the indicators the viewer may see."""
        with self._replica_read() as conn:
            return observations.read_monthly(conn, visible_levels(role), indicator_ids, since)

    def aggregates(self, role: Role | str, grain: str, indicator_ids: list[str] | None = None,
                   district: str | None = "", since: datetime | None = None,
                   until: datetime | None = None) -> pd.DataFrame:
        """Aggregates per indicator, district and local calendar bucket (grain 'year', 'month' or 'day') of the
        indicators the viewer may see: columns indicator, district, bucket (Europe/Berlin start), n, sum, min,
        max, last_value, last_start (UTC), value (the indicator's own aggregation). district "" = city-wide,
        None = all. The contract every screen reads; never raw observations."""
        with self._replica_read() as conn:
            return observations.read_aggregates(conn, visible_levels(role), grain, indicator_ids, district,
                                                since, until)

    def indicator_sources(self, role: Role | str) -> pd.DataFrame:
        """(indicator, source_id) pairs: which source delivered data of which visible indicator."""
        with self._replica_read() as conn:
            return observations.read_indicator_sources(conn, visible_levels(role))

    def indicator_versions(self, role: Role | str) -> dict[str, int]:
        """Indicator id -> the data version of the latest write that stored its rows (visible indicators; an
        indicator missing has not changed since the store was upgraded). With `data_version`: an indicator whose
        version is <= V has not changed since version V."""
        with self._replica_read() as conn:
            return changes.read_versions(conn, visible_levels(role))

    def data_version(self) -> int:
        """A number that grows whenever what the pages show changes (for caching views): bumped in the write
        transaction that stores rows, measures or a progress report. Cheap: one primary-key row."""
        with self._version_engine.connect() as conn:
            version = runs.read_data_version(conn)
        if self.replica is not None:
            self.replica.saw_primary(version)
        return version

    def replica_status(self) -> dict:
        """The read replica for the health endpoint: {"configured": False}, or its state ("ok", "behind",
        "unreachable", "not-a-replica"), data versions, versions behind, replay lag in seconds, and how many reads
        went to it or fell back to the primary in this process."""
        if self.replica is None:
            return {"configured": False}
        return self.replica.status(self.data_version())

    # --- measures
    def import_measures(self, items: list[Measure], author: str = "import",
                        now: datetime | None = None) -> tuple[int, int]:
        """Insert or replace measure definitions (reports are kept); (inserted, updated). A changed effect or cost
        is recorded in the measure's history with `author` and `now` (default: the current time)."""
        with self._write() as conn:
            runs.bump_data_version(conn)
            return store_measures.upsert_measures(conn, items, now or utcnow(), author)

    def measures(self, who: Viewer | Role | str, ids: list[str] | None = None) -> list[Measure]:
        """The measures the viewer may see (visibility filtered in SQL), ordered by id."""
        with self._replica_read() as conn:
            return store_measures.read_measures(conn, visible_levels(who), ids)

    def measure(self, who: Viewer | Role | str, measure_id: str) -> Measure | None:
        found = self.measures(who, [measure_id])
        return found[0] if found else None

    def record_report(self, report: Report) -> int:
        """Keep a progress report (history) and apply its status and milestone to the measure."""
        with self._write() as conn:
            runs.bump_data_version(conn)
            return store_measures.add_report(conn, report)

    def measure_reports(self, who: Viewer | Role | str, measure_id: str | None = None) -> list[Report]:
        with self._replica_read() as conn:
            return store_measures.read_reports(conn, visible_levels(who), measure_id)

    def last_reports(self, who: Viewer | Role | str) -> dict[str, datetime]:
        with self._replica_read() as conn:
            return store_measures.read_last_reports(conn, visible_levels(who))

    def alert_states(self) -> dict[str, store_measures.AlertState]:
        with self._read() as conn:
            return store_measures.read_alert_states(conn)

    def record_alert(self, state: store_measures.AlertState, event: str | None = None, message: str = "",
                     channels: dict[str, str] | None = None) -> None:
        """Save an alert state; with `event` (fired | recovered) also log the notification and its delivery."""
        with self._write() as conn:
            store_measures.save_alert_state(conn, state)
            if event:
                store_measures.add_alert_log(conn, state.rule_id, state.subject, event, message, channels or {},
                                             state.changed_at)

    def alert_log(self, limit: int = 100) -> list[dict]:
        with self._read() as conn:
            return store_measures.read_alert_log(conn, limit)

    # --- climate pathway (cockpit/store/pathway.py)
    def import_balance(self, frame: pd.DataFrame, population: dict[int, float], source: str) -> int:
        """Replace the balance of the years in `frame` (and their population); rows written."""
        with self._write() as conn:
            written = store_pathway.write_balance(conn, frame, population, source, utcnow())
            runs.bump_data_version(conn)
            return written

    def balance_inputs(self) -> tuple[pd.DataFrame, dict[int, float], list[str]]:
        """The published balance (public like the CO2 indicator): rows, population per year, sources."""
        with self._replica_read() as conn:
            return store_pathway.read_balance(conn)

    def set_factor_override(self, year: int, carrier: str, t_per_mwh: float, reason: str, author: str) -> None:
        with self._write() as conn:
            store_pathway.set_factor_override(conn, year, carrier, t_per_mwh, reason, author, utcnow())
            runs.bump_data_version(conn)

    def delete_factor_override(self, year: int, carrier: str) -> int:
        with self._write() as conn:
            removed = store_pathway.delete_factor_override(conn, year, carrier)
            runs.bump_data_version(conn)
            return removed

    def factor_overrides(self) -> list[dict]:
        with self._replica_read() as conn:
            return store_pathway.read_factor_overrides(conn)

    def effect_records(self, who: Viewer | Role | str) -> dict[str, dict]:
        """Who recorded the effects and cost of each measure the viewer may see, and when."""
        with self._replica_read() as conn:
            return store_pathway.read_effect_records(conn, visible_levels(who))

    def effect_changes(self, who: Viewer | Role | str, measure_id: str) -> list[dict]:
        """Every change of the measure's effects and cost, in the order made; none if the viewer may not see it."""
        with self._read() as conn:
            return store_pathway.read_effect_changes(conn, visible_levels(who), measure_id)

    # --- explorer
    def series(self, role: Viewer | Role | str, grain: str, indicator_ids: list[str] | None = None,
               districts: str | list[str] | None = "", since: datetime | None = None,
               until: datetime | None = None) -> pd.DataFrame:
        """Chart aggregates per indicator, district and bucket (hour, day, week, month or year) of the indicators
        the viewer may see; columns as `aggregates`. Year, month and day are `aggregates`; a week is summed from
        day rollups when the range starts and ends at local midnights; hours (and other weeks) are aggregated in
        SQL from the observations over a bounded range. `districts`: "" = city-wide, a list = those, None = all."""
        if grain == "week" and indicator_ids is not None:  # from the day rollups when the range allows it
            wanted = {i: None if districts is None else ((districts,) if isinstance(districts, str)
                                                         else tuple(districts)) for i in indicator_ids}
            with self._replica_read() as conn:
                return explore_reads.read_series(conn, visible_levels(role), grain, wanted, since, until)
        if grain in series.SQL_GRAINS:
            with self._replica_read() as conn:
                return series.read_fine_buckets(conn, visible_levels(role), grain, indicator_ids, districts,
                                                since, until)
        district = districts if isinstance(districts, str) else None
        frame = self.aggregates(role, grain, indicator_ids, district, since, until)
        if isinstance(districts, list | tuple | set | frozenset):
            frame = frame[frame["district"].isin(list(districts))].reset_index(drop=True)
        return frame

    # --- perf
    def rebuild_rollups(self) -> int:
        """Recompute every rollup and the per-source counts from the observations; returns the rollup rows.
        Every indicator counts as changed (cached pages and snapshots read them again)."""
        with self._write() as conn:
            count = rollups.rebuild(conn)
            changes.record_all(conn, runs.bump_data_version(conn))
            return count

    # --- partitions (PostgreSQL; cockpit/store/partitions.py)
    def ensure_partitions(self, ahead: int = 1) -> dict:
        """The observation partitions of this and the next `ahead` UTC years exist and the DEFAULT partition is
        drained (the scheduled job; nothing on SQLite). Returns {"created": [years], "drained": {year: rows}}."""
        with self._write() as conn:
            return partitions.ensure_ahead(conn, utcnow(), ahead)

    def drop_raw_year(self, indicator_id: str, year: int) -> int:
        """Remove an indicator's raw observations of one UTC calendar year (after the archive verified them); a
        partition drop where no other indicator has rows in that year. Rollups stay. Returns the rows removed."""
        with self._write() as conn:
            return partitions.drop_raw_year(conn, indicator_id, year)

    # --- explorer (several indicators in one read)
    def explore_series(self, role: Viewer | Role | str, grain: str, wanted: dict[str, tuple[str, ...] | None],
                       since: datetime | None = None, until: datetime | None = None,
                       last_only: bool = False) -> pd.DataFrame:
        """Chart aggregates (columns as `aggregates`) of the visible indicators in `wanted`, each in its own
        districts ({indicator: districts, "" = city-wide, None = all}), in one query per call; `last_only`: only
        the rows of the latest bucket (year, month, day). See `explore_reads`."""
        with self._replica_read() as conn:
            return explore_reads.read_series(conn, visible_levels(role), grain, wanted, since, until, last_only)


class _SharedConnection(Store):
    """A store whose page reads share one open connection (see `Store.reading`); on the primary, its other reads
    too."""

    def __init__(self, store: Store, conn: Connection, on_primary: bool):
        self.__dict__.update(store.__dict__)
        self._conn, self._on_primary = conn, on_primary

    @contextmanager
    def _replica_read(self):
        yield self._conn

    @contextmanager
    def _read(self):
        if not self._on_primary:
            with self.engine.connect() as conn:
                yield conn
            return
        yield self._conn
