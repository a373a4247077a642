"""A realistic store, generated: 40 districts plus city-wide; 15-minute sensor series (fill levels per district,
bike sharing, electricity), hourly energy per district, daily, monthly and yearly series over 6 years.

At the full size (10 M rows) the fast series span 6 years and more than 1 M rows are city-wide; a smaller
`size` shortens the fast series' span (and, below 1 M rows, thins the districts of the slow ones); a larger one
keeps the 6 years and adds sensor districts (`districts(size)`: 100 M rows = 468 districts, each with a 15-minute
fill-level sensor series).

`CopyLoader` stores frames the fast way for big sizes on PostgreSQL: binary COPY into the (partitioned)
observations table plus the same rollup upsert an ingest does, without validation or key lookups (the bench
measures the real ingest on the first rows and generates the rest)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

FULL_SIZE = 10_000_000
END = pd.Timestamp("2026-11-20T00:00:00Z")
YEARS = 6
DISTRICTS = [f"bench-{i:02d}" for i in range(1, 41)]
CHUNK = 50_000


@dataclass(frozen=True)
class Series:
    indicator: str
    district: str
    freq: str  # pandas offset: 15min, h, D, MS, YS
    low: float
    high: float
    days: int  # span ending at END
    extra: bool = False  # a sensor district above 10 M rows (generated last; COCKPIT_BENCH_STOP_AT may skip it)


SENSOR_ROWS = round(YEARS * 365.25 * 96)  # one 15-minute series over the 6 years


def districts(size: int) -> list[str]:
    """The generated store's districts: 40, and above 10 M rows one more (a 15-minute fill-level sensor series
    over 6 years) per 210,384 rows."""
    extra = max(0, round((size - FULL_SIZE) / SENSOR_ROWS))
    return DISTRICTS + [f"bench-{i:03d}" for i in range(41, 41 + extra)]


def plan(size: int) -> list[Series]:
    fraction = size / FULL_SIZE
    fast_days = max(2, round(YEARS * 365.25 * min(1.0, fraction)))
    slow_days = round(YEARS * 365.25)
    slow_districts = DISTRICTS[:max(1, round(40 * min(1.0, fraction * 10)))]
    series = []
    for indicator, low, high in (("bike-sharing-bikes-available", 100, 900), ("bike-sharing-empty-stations", 0, 30),
                                 ("smart-bin-fill-level", 0, 100), ("renewable-share-electricity", 5, 120),
                                 ("municipal-buildings-electricity", 0.5, 5)):
        series.append(Series(indicator, "", "15min", low, high, fast_days))  # city-wide sensors
    series += [Series("smart-bin-fill-level", d, "15min", 0, 100, fast_days) for d in DISTRICTS]
    series += [Series("municipal-buildings-electricity", d, "h", 0.1, 2, fast_days) for d in DISTRICTS[:8]]
    for district in ["", *slow_districts]:
        series.append(Series("charge-points-per-1000", district, "D", 0.1, 5, slow_days))
        for indicator, low, high in (("public-transport-passengers", 1, 6), ("household-waste-per-inhabitant", 20, 60),
                                     ("residual-waste-per-inhabitant", 5, 30), ("recycling-rate", 40, 70)):
            series.append(Series(indicator, district, "MS", low, high, slow_days))
        for indicator, low, high in (("co2-per-inhabitant", 4, 9), ("renewable-capacity-per-inhabitant", 0.5, 3),
                                     ("final-energy-use", 2000, 4000), ("bev-share", 1, 20)):
            series.append(Series(indicator, district, "YS", low, high, slow_days))
    series += [Series("smart-bin-fill-level", d, "15min", 0, 100, fast_days, extra=True)
               for d in districts(size)[len(DISTRICTS):]]
    return series


def starts(series: Series) -> pd.DatetimeIndex:
    first = END - pd.Timedelta(days=series.days)
    if series.freq in ("MS", "YS"):  # calendar periods start at local midnight
        local = pd.date_range(first.tz_convert("Europe/Berlin").tz_localize(None).normalize(),
                              END.tz_convert("Europe/Berlin").tz_localize(None), freq=series.freq)
        return local.tz_localize("Europe/Berlin").tz_convert("UTC")
    if series.freq == "D":
        local = pd.date_range(first.tz_convert("Europe/Berlin").tz_localize(None).normalize(),
                              END.tz_convert("Europe/Berlin").tz_localize(None), freq="D", inclusive="left")
        return local.tz_localize("Europe/Berlin").tz_convert("UTC")
    return pd.date_range(first, END, freq=series.freq, inclusive="left")


def frames(size: int, seed: int = 7, chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    """The store's rows as parsed frames (indicator, district, period_start, period_end, value, raw), in chunks.
    With COCKPIT_BENCH_STOP_AT (an ISO time) set, the extra sensor districts of sizes above 10 M stop at that time:
    a run on a slow machine then measures the largest store it could generate in time (its size is reported)."""
    rng = np.random.default_rng(seed)
    pending: list[pd.DataFrame] = []
    held = 0
    stop_at = os.environ.get("COCKPIT_BENCH_STOP_AT")
    stop_at = pd.Timestamp(stop_at, tz="UTC") if stop_at else None
    for series in plan(size):
        if series.extra and stop_at is not None and pd.Timestamp.now(tz="UTC") >= stop_at:
            break
        index = starts(series)
        phase = np.arange(len(index)) / max(1, len(index))
        values = series.low + (series.high - series.low) * np.clip(
            0.5 + 0.3 * np.sin(phase * 40) + rng.normal(0, 0.1, len(index)), 0, 1)
        frame = pd.DataFrame({"indicator": series.indicator, "district": series.district,
                              "period_start": index.as_unit("us"),
                              "period_end": pd.Series(pd.NaT, index=range(len(index)), dtype="datetime64[us, UTC]"),
                              "value": values.round(3), "raw": ""})
        for offset in range(0, len(frame), chunk):
            part = frame.iloc[offset:offset + chunk]
            pending.append(part)
            held += len(part)
            if held >= chunk:
                yield pd.concat(pending, ignore_index=True)
                pending, held = [], 0
    if pending:
        yield pd.concat(pending, ignore_index=True)


def total_rows(size: int) -> int:
    return sum(len(starts(s)) for s in plan(size))


class CopyLoader:
    """Frames into a PostgreSQL store by binary COPY, with the rollups and per-source counts kept as an ingest
    keeps them (one write transaction per frame, partitions created for the frame's years); `finish` bumps the
    data version. Each call returns the seconds it took."""

    def __init__(self, store, source: str = "bench-copy"):
        self.store, self.source = store, source
        self.run_id = store.start_run(source)
        self.rows = 0

    def add(self, frame: pd.DataFrame) -> float:
        from cockpit.store import observations, partitions, rollups
        from cockpit.store.schema import utcnow

        started = time.perf_counter()
        new = frame.rename(columns={"indicator": "indicator_id"})[["indicator_id", "district", "period_start",
                                                                   "period_end", "value"]]
        with self.store._write() as conn:
            partitions.ensure_years(conn, set(new["period_start"].dt.year.unique().tolist()))
            observations._insert_new(conn, new, self.source, self.run_id, utcnow())
            rollups.apply_write(conn, new[["indicator_id", "district", "period_start", "value"]],
                                new.iloc[:0][["indicator_id", "district", "period_start"]])
            counts = new["indicator_id"].value_counts(sort=False)
            rollups.adjust_sources(conn, pd.DataFrame({"indicator_id": counts.index.astype(str),
                                                       "source_id": self.source, "n": counts.to_numpy()}))
        self.rows += len(new)
        return time.perf_counter() - started

    def finish(self) -> float:
        from cockpit.store import changes, runs
        from cockpit.store.schema import utcnow

        started = time.perf_counter()
        with self.store._write() as conn:
            runs.finish_run(conn, self.run_id, utcnow(), "ok", rows_read=self.rows, rows_stored=self.rows)
            changes.record_all(conn, runs.bump_data_version(conn))
        return time.perf_counter() - started


def bulk_loader(store):
    """A CopyLoader on PostgreSQL, None on SQLite (every row goes through the ingest there)."""
    return CopyLoader(store) if store.engine.dialect.name == "postgresql" else None


def store_bytes(store) -> int | None:
    """The database's size on disk (PostgreSQL: pg_database_size; SQLite: the file and its WAL)."""
    import os

    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())
    path = store.engine.url.database
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if p and os.path.exists(p)) or None
