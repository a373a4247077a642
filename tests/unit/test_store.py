"""The store on SQLite and PostgreSQL: idempotent upsert, revisions, quarantine, role-filtered reads."""

from __future__ import annotations

import pandas as pd
import pytest

from cockpit.sources.base import Reject, make_frame
from cockpit.store import migrate


def rows(indicator="co2-per-inhabitant", years=range(2019, 2026), district="", base=7.0):
    return [dict(indicator=indicator, district=district, period_start=f"{y}-01-01T00:00:00+01:00",
                 period_end=f"{y + 1}-01-01T00:00:00+01:00", value=base - 0.2 * (y - 2019), raw=f"row {y}")
            for y in years]


def write(store, frame, rejects=(), source="test-source", watermark=None):
    run = store.start_run(source)
    marks = [(source, watermark)] if watermark else []
    return store.write_batch(source, run, frame, list(rejects), len(frame) + len(rejects), watermarks=marks)


def test_migrations_reach_head_and_are_repeatable(store):
    store.migrate()
    assert migrate.current_revision(store.engine) == migrate.head_revision()


def test_same_payload_twice_stores_nothing_new(store):
    frame = make_frame(rows())
    first = write(store, frame)
    second = write(store, frame)
    assert (first.inserted, first.updated) == (7, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 7)
    assert len(store.observations("public")) == 7
    assert list(store.runs()["status"]) == ["ok", "ok"]
    assert list(store.runs()["rows_stored"]) == [0, 7]


def test_changed_value_updates_and_keeps_the_previous_value_as_revision(store):
    write(store, make_frame(rows()))
    changed = make_frame(rows())
    changed.loc[2, "value"] = 9.99
    result = write(store, changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 6)
    stored = store.observations("public").set_index("period_start")["value"]
    assert stored[pd.Timestamp("2020-12-31T23:00:00Z")] == pytest.approx(9.99)
    with store.engine.connect() as conn:
        from sqlalchemy import select

        from cockpit.store.schema import observation_revisions
        revisions = conn.execute(select(observation_revisions.c.value)).scalars().all()
    assert revisions == [pytest.approx(6.6)]


def test_timestamps_come_back_timezone_aware_utc(store):
    write(store, make_frame(rows(years=[2024])))
    start = store.observations("public")["period_start"].iloc[0]
    assert start.tzinfo is not None and start == pd.Timestamp("2023-12-31T23:00:00Z")


def test_rejects_are_quarantined_with_reason_and_valid_rows_kept(store):
    result = write(store, make_frame(rows(years=[2024, 2025])), rejects=[Reject('{"v": "x"}', "value is not numeric")])
    assert result.status == "partial" and result.stored == 2
    quarantined = store.quarantine()
    assert list(quarantined["reason"]) == ["value is not numeric"]
    assert list(quarantined["raw"]) == ['{"v": "x"}']


def test_watermark_moves_with_the_batch(store):
    write(store, make_frame(rows(years=[2024])), watermark="2024-12-31T00:00:00Z")
    assert store.watermark("test-source") == "2024-12-31T00:00:00Z"


def test_public_reads_never_return_internal_indicators(store):
    frame = make_frame(rows() + rows("municipal-buildings-electricity", base=40.0))
    write(store, frame)
    assert set(store.observations("public")["indicator"]) == {"co2-per-inhabitant"}
    assert set(store.latest("public")["indicator"]) == {"co2-per-inhabitant"}
    assert set(store.monthly("public")["indicator"]) == {"co2-per-inhabitant"}
    asked = store.observations("public", indicator_ids=["municipal-buildings-electricity"])
    assert asked.empty
    assert set(store.observations("internal")["indicator"]) == {"co2-per-inhabitant", "municipal-buildings-electricity"}
    assert store.observations("anything-else")["indicator"].eq("co2-per-inhabitant").all()


def test_latest_gives_the_two_most_recent_citywide_values(store):
    write(store, make_frame(rows() + rows(district="lusan", base=1.0, indicator="charge-points-per-1000")))
    latest = store.latest("public")
    co2 = latest[latest["indicator"] == "co2-per-inhabitant"]
    assert list(co2["rank"]) == [1, 2]
    assert co2["value"].tolist() == pytest.approx([5.8, 6.0])
    assert "charge-points-per-1000" not in set(latest["indicator"])  # district rows only, no city-wide value


def test_monthly_aggregates_in_berlin_months(store):
    daily = [dict(indicator="renewable-share-electricity", district="", period_start=ts, period_end=None, value=v,
                  raw="") for ts, v in [("2026-03-31T22:00:00Z", 50.0), ("2026-04-01T22:00:00Z", 70.0),
                                         ("2026-02-28T23:00:00Z", 10.0)]]
    write(store, make_frame(daily))
    monthly = store.monthly("public").set_index("month")["value"]
    # 2026-03-31T22:00Z is 1 April 00:00 in Berlin (CEST): it belongs to April
    assert monthly[pd.Timestamp("2026-04-01", tz="Europe/Berlin")] == pytest.approx(60.0)
    assert monthly[pd.Timestamp("2026-03-01", tz="Europe/Berlin")] == pytest.approx(10.0)


def test_data_version_changes_when_data_changes(store):
    before = store.data_version()
    write(store, make_frame(rows(years=[2024])))
    after = store.data_version()
    assert after != before
    write(store, make_frame(rows(years=[2024])))  # identical: nothing stored, cached views stay valid
    assert store.data_version() == after
    changed = make_frame(rows(years=[2024]))
    changed.loc[0, "value"] = 1.0
    write(store, changed)
    assert store.data_version() != after


def test_data_version_moves_when_a_run_that_started_first_commits_last(store):
    """Two sources run at once: the one that started first commits last. Cached pages must see its rows too."""
    early = store.start_run("slow-source")
    late = store.start_run("fast-source")
    store.write_batch("fast-source", late, make_frame(rows(years=[2023])), [], 1)
    between = store.data_version()
    store.write_batch("slow-source", early, make_frame(rows(years=[2024])), [], 1)
    assert store.data_version() > between


def test_concurrent_writers_of_the_same_keys_neither_fail_nor_double(store):
    import threading

    frame = make_frame([dict(indicator="renewable-share-electricity", district="",
                             period_start=pd.Timestamp("2020-01-01", tz="UTC") + pd.Timedelta(days=d),
                             period_end=None, value=50.0, raw="") for d in range(300)])
    barrier, errors = threading.Barrier(4), []

    def writer(name):
        try:
            barrier.wait()
            write(store, frame, source=name)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.observations("public")) == 300
    assert sorted(store.runs()["rows_stored"]) == [0, 0, 0, 300]


def test_a_run_left_running_by_a_killed_process_is_closed_as_interrupted(store):
    orphan = store.start_run("src")
    current = store.start_run("src", interrupted_after=0)
    runs = store.runs("src").set_index("id")
    assert runs.loc[orphan, "status"] == "failed" and "interrupted" in runs.loc[orphan, "error"]
    assert runs.loc[current, "status"] == "running"


def test_a_bulk_write_stores_every_row_exactly_and_appends_after_stored_rows(store):
    """Keys, timestamps (with and without a period end) and values come back exactly, from the first write and
    from a later one that continues the stored series (the append case) and also revises one stored value."""
    start = pd.Timestamp("2026-03-29T00:00:00Z")  # around the change to summer time
    first = [dict(indicator="bike-sharing-bikes-available", district=d, period_start=start + pd.Timedelta(minutes=15 * i),
                  period_end=None if i % 2 else start + pd.Timedelta(minutes=15 * (i + 1)),
                  value=100 + i + 1 / 3, raw="") for d in ("", "lusan") for i in range(40)]
    later = [dict(r, period_start=r["period_start"] + pd.Timedelta(hours=10),
                  period_end=None if r["period_end"] is None else r["period_end"] + pd.Timedelta(hours=10),
                  value=r["value"] * 1e-7) for r in first]
    revised = dict(first[3], value=0.1 + 0.2)
    assert write(store, make_frame(first)).inserted == 80
    result = write(store, make_frame(later + [revised]))
    assert (result.inserted, result.updated) == (80, 1)
    want = make_frame([*first[:3], revised, *first[4:], *later])
    got = store.observations("internal", district=None).sort_values(["district", "period_start"])
    want = want.sort_values(["district", "period_start"])
    assert got["district"].tolist() == want["district"].tolist()
    assert got["period_start"].tolist() == want["period_start"].tolist()
    assert got["period_end"].isna().tolist() == want["period_end"].isna().tolist()
    assert got["period_end"].dropna().tolist() == want["period_end"].dropna().tolist()
    assert got["value"].tolist() == want["value"].tolist()


def test_observations_of_an_indicator_missing_from_the_store_are_refused_as_a_whole(store):
    """What the foreign key did per row (PostgreSQL checks it per batch since 0010_ingest): nothing is stored."""
    frame = make_frame(rows() + rows(indicator="not-in-the-catalog"))
    with pytest.raises(Exception, match="not-in-the-catalog"):
        write(store, frame)
    assert store.observations("internal", district=None).empty
