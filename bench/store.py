"""The bench's store: the project's catalog with the generator's districts, ingest as the ingestor does it, the raw
insert baseline, the 9-row run that stands for new data, and the climate pathway demo for /klimapfad."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from bench import generate
from bench.figures import Figure
from bench.reuse import generated_when
from cockpit import PROJECT_ROOT
from cockpit.roles import Role

SAMPLE_ROWS = 200_000  # rows of the ingest comparison (the first rows of the generated store)


def bench_catalog(folder: Path, size: int = generate.FULL_SIZE) -> Path:
    """The project's catalog with the generator's 40 districts (and district-level series allowed)."""
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    raw["districts"] = raw.get("districts", []) + [
        {"id": d, "name": d, "population": 5000} for d in generate.districts(size)]
    for indicator in raw["indicators"]:
        indicator["spatial"] = "district"
    path = folder / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def open_bench_cockpit(url: str, catalog_path: Path):
    from cockpit.config import load_settings
    from cockpit.runtime import open_cockpit

    return open_cockpit(load_settings(database_url=url, catalog=catalog_path, load_demo=False, scheduler=False))


def ingest(cockpit, frame: pd.DataFrame, source: str = "bench") -> float:
    """Validate and store one parsed frame as one run, as the ingestor does; seconds taken."""
    from cockpit.jobs.validate import validate

    started = time.perf_counter()
    valid, rejects = validate(frame, cockpit.catalog)
    store = cockpit.store
    run_id = store.start_run(source)
    store.write_batch(source, run_id, valid, rejects, len(frame))
    if rejects:
        raise RuntimeError(f"bench data rejected: {rejects[0].reason}")
    return time.perf_counter() - started


def raw_insert_seconds(store, frame: pd.DataFrame) -> float:
    """The same rows into a bare table with the observation key: one executemany of prepared tuples on SQLite, a
    binary COPY with the store's own encoder on PostgreSQL (encoding included, as in the ingest)."""
    engine = store.engine
    is_pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_raw")
        conn.exec_driver_sql(
            "CREATE TABLE bench_raw (id " + ("BIGSERIAL" if is_pg else "INTEGER") + " PRIMARY KEY, "
            "indicator_id VARCHAR(64) NOT NULL, district VARCHAR(64) NOT NULL, period_start "
            + ("TIMESTAMPTZ" if is_pg else "DATETIME") + " NOT NULL, period_end " + ("TIMESTAMPTZ" if is_pg else
                                                                                       "DATETIME")
            + ", value FLOAT NOT NULL, source_id VARCHAR(64) NOT NULL, run_id INTEGER, ingested_at "
            + ("TIMESTAMPTZ" if is_pg else "DATETIME") + " NOT NULL, UNIQUE (indicator_id, district, period_start))")
    now = pd.Timestamp.now(tz="UTC")
    columns = "indicator_id, district, period_start, period_end, value, source_id, run_id, ingested_at"
    if is_pg:
        from cockpit.store.observations import _copy_binary

        new = frame.rename(columns={"indicator": "indicator_id"})
        started = time.perf_counter()
        with engine.begin() as conn:  # the store's own binary COPY encoder: the fastest raw path it has
            cursor = conn.connection.dbapi_connection.cursor()
            with cursor.copy(f"COPY bench_raw ({columns}) FROM STDIN (FORMAT binary)") as copy:
                for chunk in _copy_binary(new, "bench", None, now.to_pydatetime()):
                    copy.write(chunk)
    else:
        stamps = frame["period_start"].dt.tz_localize(None).astype(str).tolist()
        rows = list(zip(frame["indicator"], frame["district"], stamps, [None] * len(frame), frame["value"].tolist(),
                        ["bench"] * len(frame), [None] * len(frame), [str(now.tz_localize(None))] * len(frame),
                        strict=True))
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO bench_raw ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_raw")
    return seconds


def generate_store(backend: str, cockpit, empty, size: int, folder: Path) -> dict:
    """Generate the bench store (the first rows through the real ingest, on PostgreSQL the rest by COPY + rollups,
    `generate.CopyLoader`), the raw insert baseline of the same first rows into `empty`, and the climate pathway
    demo; the generation record (bench/reuse.py: what the run measured)."""
    rows, seconds, sample, sample_seconds = 0, 0.0, [], 0.0
    loader = generate.bulk_loader(cockpit.store)
    for frame in generate.frames(size):
        if loader and rows >= min(SAMPLE_ROWS, size // 2):
            seconds += loader.add(frame)
        else:
            took = ingest(cockpit, frame)
            if rows < SAMPLE_ROWS:
                sample.append(frame)
                sample_seconds += took
            seconds += took
        rows += len(frame)
        print(f"  {backend}: {rows:,} rows stored ({rows / seconds:,.0f} rows/s)", file=sys.stderr, end="\r")
    if loader:
        seconds += loader.finish()
    print(file=sys.stderr)
    sample_frame = pd.concat(sample, ignore_index=True)
    raw_seconds = raw_insert_seconds(empty.store, sample_frame)
    seed_pathway(cockpit, folder)  # the climate balance and the demo measures for /klimapfad
    return dict(size=size, rows=rows, seconds=seconds, copy_rows=loader.rows if loader else 0,
                sample_rows=len(sample_frame), sample_seconds=sample_seconds, raw_seconds=raw_seconds,
                bytes=generate.store_bytes(cockpit.store), generated_at=pd.Timestamp.now(tz="UTC").isoformat(),
                backend=backend)


def ingest_comparison(url: str, catalog_path: Path, size: int) -> dict:
    """The ingest comparison of a generating run, measured again now: the generated store's first rows through the
    real ingest into the empty store at `url`, then the same rows by raw insert (`raw_insert_seconds`) - both in
    this run, so a kept store's ingest ratio compares like with like."""
    cockpit = open_bench_cockpit(url, catalog_path)
    try:
        sample, seconds = [], 0.0
        for frame in generate.frames(size):
            if sum(map(len, sample)) >= min(SAMPLE_ROWS, size // 2):
                break
            seconds += ingest(cockpit, frame)
            sample.append(frame)
        frame = pd.concat(sample, ignore_index=True)
        return dict(sample_rows=len(frame), sample_seconds=seconds, raw_seconds=raw_insert_seconds(cockpit.store,
                                                                                                     frame))
    finally:
        cockpit.store.engine.dispose()


def ingest_figures(backend: str, record: dict, reused: bool, bytes_now: int | None) -> list[Figure]:
    """The ingest rows of a generation record; for a kept store (`reused`) the whole-store rows say that they are
    the generating run's, and when it was, while the first row (ingest beside raw insert) is measured again in
    this run (`ingest_comparison`)."""
    then = f"; generating run of {generated_when(record)}" if reused else ""
    rows, copy_rows = record["rows"], record["copy_rows"]
    raw = "raw executemany" if backend == "sqlite" else "raw binary COPY"
    return [
        Figure(backend, f"bulk ingest, first {record['sample_rows']:,} rows (validate + store + rollups" + (
            "; into an empty store, this run" if reused else "") + ")",
               record["sample_rows"] / record["sample_seconds"], "rows/s",
               record["sample_rows"] / record["raw_seconds"], raw, ">= 50 %"),
        Figure(backend, f"bulk ingest, whole store ({rows:,} rows" + (
            f"; {copy_rows:,} of them by COPY + rollups, no validation" if copy_rows else "") + f"{then})",
            rows / record["seconds"], "rows/s"),
        Figure(backend, "store size" + (f" (rows stored by the generating run of {generated_when(record)})"
                                        if reused else ""), rows, "rows"),
        Figure(backend, "store size on disk (database incl. indexes and rollups" + (", now" if reused else "")
               + ")", (bytes_now or 0) / 2**30, "GiB"),
    ]


_tick = [0]


def small_run(cockpit) -> float:
    """9 new quarter-hours of 9 city-wide/district sensor series, as one run; seconds. In a kept store (bench
    --reuse) the quarter-hours follow those of earlier runs (new rows, not revisions)."""
    latest = cockpit.store.latest(Role.ADMIN, 1, ["smart-bin-fill-level"])  # one index seek, not timed
    if not latest.empty:
        stored = pd.Timestamp(latest["period_start"].max())
        _tick[0] = max(_tick[0], int((stored - generate.END) / pd.Timedelta(minutes=15)))
    _tick[0] += 1
    start = generate.END + pd.Timedelta(minutes=15 * _tick[0])
    records = [dict(indicator="smart-bin-fill-level", district=d, period_start=start, period_end=pd.NaT,
                    value=50.0 + _tick[0] % 7, raw="") for d in ["", *generate.DISTRICTS[:8]]]
    frame = pd.DataFrame(records)
    frame["period_start"] = pd.to_datetime(frame["period_start"], utc=True)
    frame["period_end"] = pd.to_datetime(frame["period_end"], utc=True)
    return ingest(cockpit, frame, source="bench-small")


def seed_pathway(cockpit, folder: Path) -> None:
    """The demo balance (2010 up to the last published year) and the demo measures with their effects."""
    from cockpit.demo.pathway import load_demo_pathway
    from cockpit.measures.demo import load_demo_measures

    load_demo_measures(cockpit.store, cockpit.catalog)
    load_demo_pathway(cockpit.store, cockpit.catalog, generate.END.date(), folder / "demo")
