"""Observations partitioned by UTC year on PostgreSQL (cockpit/store/partitions.py, migration 0015): rows land in
their year's partition, an ingest across New Year, upserts across partitions, the scheduled job that creates
partitions ahead and drains the DEFAULT partition, dropping an archived year, and the online conversion of an
existing unpartitioned store (interrupted and resumed) keeping every row. SQLite keeps its plain table."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text

from cockpit.jobs.partitions import JOB_ID, add_partition_job, ensure_partitions
from cockpit.sources.base import make_frame
from cockpit.store import migrate, partitions
from tests.conftest import migrated_store

SENSOR = "bike-sharing-bikes-available"
OTHER = "smart-bin-fill-level"


def quarter_hours(start: str, count: int, indicator: str = SENSOR, district: str = "", base: float = 100.0):
    stamps = pd.date_range(start, periods=count, freq="15min", tz="UTC")
    return make_frame([dict(indicator=indicator, district=district, period_start=s.isoformat(), period_end=None,
                            value=base + n, raw="") for n, s in enumerate(stamps)])


def write(store, frame, source="test-source"):
    run = store.start_run(source)
    return store.write_batch(source, run, frame, [], len(frame))


def placement(store) -> list[tuple[str, datetime]]:
    """(partition holding the row, period start) of every stored observation, in time order."""
    with store.engine.connect() as conn:
        return [(name, start) for name, start in conn.execute(text(
            "SELECT tableoid::regclass::text, period_start FROM observations ORDER BY period_start, indicator_id"))]


def stored_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, indicator_id, district, period_start, period_end, value, source_id, run_id, ingested_at "
            "FROM observations ORDER BY id"))]


@pytest.fixture
def pg_store(postgres_url, catalog):
    store = migrated_store(postgres_url, catalog)
    yield store
    store.engine.dispose()


@pytest.mark.postgres
def test_an_ingest_across_new_year_puts_each_row_into_its_year_partition(pg_store):
    result = write(pg_store, quarter_hours("2024-12-31T23:00:00Z", 8))  # 23:00 .. 00:45 UTC
    assert result.inserted == 8
    placed = placement(pg_store)
    assert [name for name, _ in placed] == ["observations_y2024"] * 4 + ["observations_y2025"] * 4
    assert all(name == f"observations_y{start.astimezone(UTC).year}" for name, start in placed)
    with pg_store.engine.connect() as conn:
        assert partitions.is_partitioned(conn)
        assert {2024, 2025} <= partitions.years(conn)
        assert conn.execute(text("SELECT count(*) FROM observations_default")).scalar_one() == 0
    # the rows read back as one series, across both partitions
    assert list(pg_store.observations("public", [SENSOR])["value"]) == [100.0 + n for n in range(8)]


@pytest.mark.postgres
def test_upserts_across_partitions_dedup_and_keep_revisions(pg_store):
    frame = quarter_hours("2025-12-31T23:30:00Z", 4)
    write(pg_store, frame)
    again = write(pg_store, frame)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    changed = frame.copy()
    changed.loc[[0, 3], "value"] = [7.5, 8.5]  # one row in 2025, one in 2026
    result = write(pg_store, changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 2)
    stored = pg_store.observations("public", [SENSOR])
    assert list(stored["value"]) == [7.5, 101.0, 102.0, 8.5]
    assert [name for name, _ in placement(pg_store)] == ["observations_y2025"] * 2 + ["observations_y2026"] * 2
    with pg_store.engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT value FROM observation_revisions")).scalars()) == [100.0, 103.0]
    days = pg_store.aggregates("public", "day", [SENSOR], district="")
    assert days["n"].sum() == 4  # rollups counted each key once


@pytest.mark.postgres
def test_the_job_creates_partitions_ahead_and_drains_the_default_partition(pg_store, caplog):
    this_year = datetime.now(UTC).year
    first = ensure_partitions(pg_store)
    with pg_store.engine.connect() as conn:
        assert {this_year, this_year + 1} <= partitions.years(conn)
    assert ensure_partitions(pg_store) == {"created": [], "drained": {}}  # idempotent
    with pg_store.engine.begin() as conn:  # a row that reached no partition (written around the store)
        conn.execute(text("INSERT INTO observations (indicator_id, district, period_start, value, source_id, "
                          "ingested_at) VALUES (:i, '', '2041-03-01T00:00:00Z', 1.5, 'x', now())"), {"i": SENSOR})
        assert conn.execute(text("SELECT count(*) FROM observations_default")).scalar_one() == 1
    done = ensure_partitions(pg_store)
    assert done == {"created": [2041], "drained": {2041: 1}}
    assert "observations_default" in caplog.text and "2041" in caplog.text
    assert placement(pg_store) == [("observations_y2041", datetime(2041, 3, 1, tzinfo=UTC))]
    with pg_store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM observations_default")).scalar_one() == 0
    assert first["drained"] == {}


def test_the_job_is_scheduled_on_postgresql_only(database_url, catalog):
    store = migrated_store(database_url, catalog)
    scheduler = BackgroundScheduler()
    added = add_partition_job(scheduler, store)
    assert added == (store.engine.dialect.name == "postgresql")
    assert (scheduler.get_job(JOB_ID) is not None) == added
    assert ensure_partitions(store)["drained"] == {}
    store.engine.dispose()


def test_dropping_an_archived_year_removes_raw_rows_and_keeps_rollups(database_url, catalog):
    store = migrated_store(database_url, catalog)
    write(store, quarter_hours("2023-06-01T00:00:00Z", 4))
    write(store, quarter_hours("2023-06-01T00:00:00Z", 4, indicator=OTHER, district=""))
    write(store, quarter_hours("2024-06-01T00:00:00Z", 2))
    months = store.aggregates("public", "month", [SENSOR, OTHER], district="")
    assert store.drop_raw_year(SENSOR, 2023) == 4  # OTHER still has rows in 2023: a DELETE
    assert store.drop_raw_year(OTHER, 2023) == 4  # the year holds nothing else now: the partition goes
    left = store.observations("public", [SENSOR, OTHER])
    assert list(left["period_start"].dt.year) == [2024, 2024]
    pd.testing.assert_frame_equal(store.aggregates("public", "month", [SENSOR, OTHER], district=""), months)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            assert 2023 not in partitions.years(conn) and 2024 in partitions.years(conn)
    store.engine.dispose()


@pytest.mark.postgres
def test_an_existing_store_is_converted_online_resumed_after_an_interruption_keeping_every_row(postgres_url,
                                                                                                 catalog):
    from cockpit.store import Store

    store = Store.from_url(postgres_url)
    migrate.upgrade(store.engine, "0014_effect_history")  # the store as it was before partitioning
    store.sync_catalog(catalog)
    write(store, quarter_hours("2022-12-31T22:00:00Z", 16))
    write(store, quarter_hours("2023-12-31T23:00:00Z", 12, indicator=OTHER, district=""))
    changed = quarter_hours("2022-12-31T22:00:00Z", 16)
    changed.loc[1, "value"] = 55.0
    write(store, changed)  # one revision
    with store.engine.connect() as conn:
        assert not partitions.is_partitioned(conn)

    assert partitions.convert(store.engine, batch_rows=5, max_batches=2) is False  # stopped after 10 ids
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT copied_id, batches FROM observations_partition_progress")).one() == (10, 2)
    # writers go on meanwhile: a copied row changes, new rows arrive (one in a year with no partition yet)
    again = quarter_hours("2022-12-31T22:00:00Z", 16)
    again.loc[[1, 2], "value"] = [56.0, 57.0]
    write(store, again)
    write(store, quarter_hours("2031-01-01T00:00:00Z", 3))  # no partition for 2031 yet: DEFAULT after the swap
    before = stored_rows(store.engine)
    assert len(before) == 31

    migrate.upgrade(store.engine)  # migration 0015 continues the conversion and swaps the tables
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert stored_rows(store.engine) == before
    with store.engine.connect() as conn:
        assert partitions.is_partitioned(conn)
        assert conn.execute(text("SELECT to_regclass('observations_partition_progress')")).scalar() is None
        assert conn.execute(text("SELECT count(*) FROM observation_revisions")).scalar_one() == 3
    placed = placement(store)
    assert [name for name, start in placed if start.year == 2031] == ["observations_default"] * 3
    assert all(name == f"observations_y{start.astimezone(UTC).year}" for name, start in placed if start.year < 2031)
    assert ensure_partitions(store)["drained"] == {2031: 3}  # the job moves them into their year
    assert all(name == f"observations_y{start.astimezone(UTC).year}" for name, start in placement(store))
    # the converted store takes writes: ids go on from the same sequence, upserts still find their keys
    result = write(store, quarter_hours("2022-12-31T22:00:00Z", 17))
    assert (result.inserted, result.updated) == (1, 2)
    assert max(r[0] for r in stored_rows(store.engine)) > max(r[0] for r in before)
    assert len(stored_rows(store.engine)) == 32
    store.engine.dispose()


@pytest.mark.postgres
def test_the_bench_copy_loader_stores_what_the_ingest_stores(postgres_url, postgres_server, catalog):
    """`python -m bench` generates big PostgreSQL stores by COPY (bench/generate.py): the rows, their partitions,
    rollups and per-source counts equal those of the same frames written through the store's ingest."""
    from bench import generate, pg

    loaded = migrated_store(postgres_url, catalog)
    ingested = migrated_store(pg.create_database(postgres_server, prefix="cockpit"), catalog)
    frames = list(generate.frames(3000, chunk=4000))
    loader = generate.CopyLoader(loaded, source="bench")
    for frame in frames:
        loader.add(frame)
        write(ingested, frame, source="bench")
    loader.finish()
    assert loader.rows == sum(len(f) for f in frames) > 8000

    def content(store):
        with store.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT tableoid::regclass::text, indicator_id, district, period_start, value FROM observations "
                "ORDER BY 2, 3, 4")).all()
            sums = conn.execute(text("SELECT * FROM rollups ORDER BY 1, 2, 3, 4")).all()
            sources = conn.execute(text("SELECT * FROM indicator_sources ORDER BY 1, 2")).all()
        return rows, sums, sources

    assert content(loaded) == content(ingested)
    assert loaded.data_version() > 0 and len(content(loaded)[1]) > 100
    assert generate.store_bytes(loaded) > 0
    loaded.engine.dispose()
    ingested.engine.dispose()
