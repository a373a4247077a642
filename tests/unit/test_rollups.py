"""Rollups stay exact: after random inserts, revisions and re-deliveries they equal a from-scratch aggregation of
the stored observations, on SQLite and PostgreSQL; the reads built on them keep their contracts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select

from cockpit.roles import Role
from cockpit.sources.base import make_frame
from cockpit.store.schema import observations as observations_table

BERLIN = ZoneInfo("Europe/Berlin")
# (indicator, its aggregation): one of each kind, a public and an internal one
INDICATORS = {"renewable-share-electricity": "mean", "municipal-buildings-electricity": "sum",
              "charge-points-per-1000": "last", "bike-sharing-bikes-available": "mean"}
DISTRICTS = ["", "lusan", "stadtmitte"]
# around the DST changes and a year's end, where a UTC day and a Berlin day differ
ANCHORS = [datetime(2025, 3, 29, 20, tzinfo=UTC), datetime(2025, 10, 25, 20, tzinfo=UTC),
           datetime(2025, 12, 31, 21, tzinfo=UTC), datetime(2026, 5, 31, 21, 30, tzinfo=UTC)]


def write(store, records, source):
    frame = make_frame(records)
    run = store.start_run(source)
    return store.write_batch(source, run, frame, [], len(frame))


def random_batch(rng: random.Random, known: dict, size: int) -> list[dict]:
    """New keys near the anchors, plus re-deliveries (same value) and revisions (new value) of known keys."""
    records = []
    for _ in range(size):
        roll = rng.random()
        if known and roll < 0.25:
            key = rng.choice(sorted(known))
            value = known[key]  # re-delivery
        elif known and roll < 0.5:
            key = rng.choice(sorted(known))
            value = round(rng.uniform(-50, 150), 3)  # revision
        else:
            start = rng.choice(ANCHORS) + timedelta(minutes=15 * rng.randrange(-200, 200))
            key = (rng.choice(list(INDICATORS)), rng.choice(DISTRICTS), start)
            value = round(rng.uniform(-50, 150), 3)
        records.append(dict(indicator=key[0], district=key[1], period_start=key[2], period_end=None, value=value,
                            raw=""))
    return records


def expected_aggregates(raw: pd.DataFrame, grain: str) -> pd.DataFrame:
    """From scratch: bucket each observation by its Berlin calendar day/month/year with zoneinfo, row by row."""
    def bucket(ts: pd.Timestamp) -> pd.Timestamp:
        local = ts.to_pydatetime().astimezone(BERLIN)
        day = {"year": local.replace(month=1, day=1), "month": local.replace(day=1), "day": local}[grain]
        return pd.Timestamp(datetime(day.year, day.month, day.day), tz=BERLIN)

    raw = raw.assign(bucket=[bucket(ts) for ts in raw["period_start"]]).sort_values("period_start")
    grouped = raw.groupby(["indicator", "district", "bucket"])
    frame = grouped["value"].agg(n="count", sum="sum", min="min", max="max", last_value="last").reset_index()
    frame["last_start"] = grouped["period_start"].max().to_numpy()
    kind = frame["indicator"].map(INDICATORS)
    frame["value"] = frame["last_value"].where(kind == "last", frame["sum"].where(kind == "sum",
                                                                                    frame["sum"] / frame["n"]))
    return frame


def assert_rollups_exact(store):
    raw = store.observations(Role.INTERNAL, district=None)
    for grain in ("year", "month", "day"):
        got = store.aggregates(Role.INTERNAL, grain, district=None)
        want = expected_aggregates(raw, grain)
        key = ["indicator", "district", "bucket"]
        got = got.sort_values(key).reset_index(drop=True)
        want = want.sort_values(key).reset_index(drop=True)
        assert got[key].astype(str).values.tolist() == want[key].astype(str).values.tolist(), grain
        assert got["n"].tolist() == want["n"].tolist()
        for column in ("min", "max", "last_value"):
            assert got[column].tolist() == want[column].tolist(), (grain, column)
        assert got["last_start"].tolist() == want["last_start"].tolist()
        for column in ("sum", "value"):
            assert got[column].tolist() == pytest.approx(want[column].tolist(), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_from_scratch_aggregation_after_random_writes(store, seed):
    rng = random.Random(seed)
    known: dict = {}
    for step in range(6):
        records = random_batch(rng, known, rng.randrange(1, 60))
        write(store, records, source=f"source-{step % 2}")
        for r in records:
            known[(r["indicator"], r["district"], r["period_start"])] = r["value"]
        assert_rollups_exact(store)
    stored = store.observations(Role.INTERNAL, district=None)
    assert len(stored) == len(known)
    before = store.aggregates(Role.INTERNAL, "day", district=None)
    store.rebuild_rollups()
    pd.testing.assert_frame_equal(store.aggregates(Role.INTERNAL, "day", district=None), before)


def test_indicator_sources_follow_revisions_from_another_source(store):
    start = datetime(2026, 1, 5, tzinfo=UTC)
    record = dict(indicator="renewable-share-electricity", district="", period_start=start, period_end=None,
                  value=40.0, raw="")
    write(store, [record], "first")
    assert store.indicator_sources(Role.PUBLIC).values.tolist() == [["renewable-share-electricity", "first"]]
    write(store, [record], "second")  # identical re-delivery: the row stays the first source's
    assert store.indicator_sources(Role.PUBLIC)["source_id"].tolist() == ["first"]
    write(store, [{**record, "value": 41.0}], "second")  # revision: the row now comes from the second source
    assert store.indicator_sources(Role.PUBLIC)["source_id"].tolist() == ["second"]
    with store.engine.connect() as conn:
        distinct = conn.execute(select(observations_table.c.source_id).distinct()).scalars().all()
    assert distinct == ["second"]


def test_aggregates_are_filtered_by_role_and_buckets(store):
    days = [datetime(2026, 3, 31, 22, tzinfo=UTC) + timedelta(days=d) for d in range(3)]  # 1-3 April in Berlin
    write(store, [dict(indicator=i, district="", period_start=d, period_end=None, value=10.0, raw="")
                  for i in ("renewable-share-electricity", "municipal-buildings-electricity") for d in days], "s")
    public = store.aggregates(Role.PUBLIC, "day")
    assert set(public["indicator"]) == {"renewable-share-electricity"}
    assert set(store.aggregates(Role.INTERNAL, "day")["indicator"]) == set(INDICATORS) - {
        "charge-points-per-1000", "bike-sharing-bikes-available"}
    since = datetime(2026, 4, 2, tzinfo=BERLIN)
    until = datetime(2026, 4, 3, tzinfo=BERLIN)
    window = store.aggregates(Role.PUBLIC, "day", since=since, until=until)
    assert window["bucket"].tolist() == [pd.Timestamp("2026-04-02", tz=BERLIN)]
    month = store.aggregates(Role.INTERNAL, "month", ["municipal-buildings-electricity"])
    assert month[["bucket", "n", "value"]].values.tolist() == [[pd.Timestamp("2026-04-01", tz=BERLIN), 3, 30.0]]


def test_rebuild_rollups_restores_them_after_they_were_lost(store):
    write(store, [dict(indicator="renewable-share-electricity", district="", period_start=ANCHORS[0], period_end=None,
                       value=12.5, raw="")], "s")
    from sqlalchemy import delete

    from cockpit.store.schema import rollups
    with store.engine.begin() as conn:
        conn.execute(delete(rollups))
    assert store.aggregates(Role.PUBLIC, "year").empty
    version, changed = store.data_version(), store.indicator_versions(Role.INTERNAL)
    assert store.rebuild_rollups() == 3
    assert store.aggregates(Role.PUBLIC, "year")["value"].tolist() == [12.5]
    # cached pages and snapshots must not keep the numbers from before the rebuild
    assert store.data_version() > version
    after = store.indicator_versions(Role.INTERNAL)
    assert after["renewable-share-electricity"] == store.data_version() > changed["renewable-share-electricity"]
    assert after["smart-bin-fill-level"] == store.data_version()  # its rollups were rebuilt too (to none)


def test_migration_builds_rollups_for_data_stored_before_it(tmp_path, catalog):
    from cockpit.store import Store, migrate

    store = Store.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(store.engine, "0001")
    with store.engine.begin() as conn:
        from sqlalchemy import insert, text

        from cockpit.store.schema import job_runs
        conn.execute(text("INSERT INTO indicators (id, domain, visibility, unit, aggregation, rhythm, spatial, "
                          "updated_at) VALUES ('renewable-share-electricity', 'energy', 'public', '%', 'mean', "
                          "'P1D', 'city', '2026-01-01 00:00:00')"))  # as the schema of revision 0001 had it
        conn.execute(insert(job_runs).values(id=1, source_id="s", started_at=ANCHORS[1], status="ok", rows_read=2,
                                             rows_stored=2, rows_rejected=0))
        conn.execute(insert(observations_table), [
            dict(indicator_id="renewable-share-electricity", district="", period_start=ANCHORS[1] + timedelta(hours=h),
                 value=float(h), source_id="s", run_id=1, ingested_at=ANCHORS[1]) for h in (0, 5)])
    store.migrate()
    store.sync_catalog(catalog)
    year = store.aggregates(Role.PUBLIC, "year")
    assert year[["n", "sum", "value"]].values.tolist() == [[2, 5.0, 2.5]]
    assert store.indicator_sources(Role.PUBLIC)["source_id"].tolist() == ["s"]
    store.engine.dispose()


def test_buckets_whose_local_midnight_does_not_exist(store):
    # Berlin switched from local mean time to CET at 1893-04-01 00:00: that midnight never happened
    start = datetime(1893, 3, 31, 23, 30, tzinfo=UTC)  # 1893-04-01 00:30 CET
    write(store, [dict(indicator="renewable-share-electricity", district="", period_start=start, period_end=None,
                       value=3.0, raw="")], "s")
    day = store.aggregates(Role.PUBLIC, "day")
    assert day["n"].tolist() == [1] and day["bucket"].iloc[0].date().isoformat() == "1893-04-01"
    assert store.aggregates(Role.PUBLIC, "year")["value"].tolist() == [3.0]


def test_rebuild_rollups_command(tmp_path, monkeypatch, capsys, catalog):
    from cockpit.cli import main
    from tests.conftest import migrated_store

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = migrated_store(url, catalog)
    write(store, [dict(indicator="renewable-share-electricity", district="", period_start=ANCHORS[2], period_end=None,
                       value=7.0, raw="")], "s")
    from sqlalchemy import delete

    from cockpit.store.schema import rollups
    with store.engine.begin() as conn:
        conn.execute(delete(rollups))
    monkeypatch.setenv("COCKPIT_DATABASE_URL", url)
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert main(["rebuild-rollups"]) == 0
    assert "rollups rebuilt: 3 rows" in capsys.readouterr().out
    assert store.aggregates(Role.PUBLIC, "month")["value"].tolist() == [7.0]
    store.engine.dispose()
