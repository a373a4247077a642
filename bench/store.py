"""The bench's store: the project's catalog with the generator's districts, ingest as the ingestor does it, the raw
insert baseline, the 9-row run that stands for new data, and the climate pathway demo for /klimapfad."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import yaml

from bench import generate
from cockpit import PROJECT_ROOT

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
    """The same rows into a bare table with the observation key: executemany on SQLite, COPY on PostgreSQL."""
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
    if is_pg:
        rows = list(zip(frame["indicator"], frame["district"], frame["period_start"].dt.to_pydatetime(),
                        [None] * len(frame), frame["value"].tolist(), ["bench"] * len(frame), [None] * len(frame),
                        [now.to_pydatetime()] * len(frame), strict=True))
    else:
        stamps = frame["period_start"].dt.tz_localize(None).astype(str).tolist()
        rows = list(zip(frame["indicator"], frame["district"], stamps, [None] * len(frame), frame["value"].tolist(),
                        ["bench"] * len(frame), [None] * len(frame), [str(now.tz_localize(None))] * len(frame),
                        strict=True))
    columns = "indicator_id, district, period_start, period_end, value, source_id, run_id, ingested_at"
    started = time.perf_counter()
    with engine.begin() as conn:
        if is_pg:
            cursor = conn.connection.dbapi_connection.cursor()
            with cursor.copy(f"COPY bench_raw ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            conn.exec_driver_sql(f"INSERT INTO bench_raw ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_raw")
    return seconds


_tick = [0]


def small_run(cockpit) -> float:
    """9 new quarter-hours of 9 city-wide/district sensor series, as one run; seconds."""
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
