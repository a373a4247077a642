"""Retention and archive of raw sub-daily rows (issue 24, item 4): old whole years leave the database as Parquet
files with a manifest and checksums, only after they were verified; exports and the explorer read them back
(byte-equal CSV) and say so; a crash between write and delete loses nothing and counts nothing twice; a changed
file is found by `archive --verify`; an archived internal indicator stays internal; the nightly job runs once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from apscheduler.schedulers.background import BackgroundScheduler

from cockpit import PROJECT_ROOT
from cockpit.archive import ObservationArchive
from cockpit.catalog import CatalogError, parse_catalog
from cockpit.cli import main
from cockpit.config import load_settings
from cockpit.jobs import archive as archive_job
from cockpit.jobs.leader import LeaderScheduler
from cockpit.roles import Role
from cockpit.runtime import build_scheduler, open_cockpit
from cockpit.sources.base import ParseResult, Payload, make_frame
from cockpit.views import clear_cache
from cockpit.views.archived import raw_page, with_archived_buckets
from cockpit.views.explore import build_explore
from layouts.components.explore import explore_results

HOURLY = "bike-sharing-bikes-available"  # public, PT1H
INTERNAL = "bike-sharing-empty-stations"  # internal, PT1H
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # retention 3 years: 2022 and before leave, 2023 stays
API = f"/api/v1/indicators/{HOURLY}/observations"


def _hours(start: str, count: int, base: float) -> list[tuple[str, str, float]]:
    first = datetime.fromisoformat(start)
    return [((first + timedelta(hours=h)).isoformat(), "", base + h * 1.25) for h in range(count)]


# Last days of 2021 and 2022 across the year ends (years are Europe/Berlin years: 2021-12-31T23:00Z is
# 2022), some of 2023 and this year.
ROWS = {
    HOURLY: _hours("2021-12-31T20:00:00+00:00", 8, 10.0) + _hours("2022-06-01T00:00:00+00:00", 30, 40.0)
    + _hours("2022-12-31T18:00:00+00:00", 12, 100.0) + _hours("2023-03-01T00:00:00+00:00", 5, 7.0)
    + _hours("2026-11-20T08:00:00+00:00", 3, 20.0),
    INTERNAL: _hours("2022-05-01T00:00:00+00:00", 6, 3.0) + _hours("2026-11-20T08:00:00+00:00", 2, 4.0),
}


def _write(cockpit, rows: dict) -> None:
    frame = make_frame([dict(indicator=i, district=d, period_start=s, period_end=None, value=v, raw="")
                        for i, values in rows.items() for s, d, v in values])
    run_id = cockpit.store.start_run("bike-sharing")
    cockpit.store.write_batch("bike-sharing", run_id, frame, [], len(frame))


def _cockpit(tmp_path, database_url, rows=ROWS, catalog=None):
    clear_cache()
    values = dict(database_url=database_url, load_demo=False, archive_dir=tmp_path / "archive")
    if catalog is not None:
        values["catalog"] = catalog
    cockpit = open_cockpit(load_settings(**values))
    _write(cockpit, rows)
    return cockpit


@pytest.fixture
def cockpit(tmp_path, database_url):
    found = _cockpit(tmp_path, database_url)
    yield found
    clear_cache()
    found.store.engine.dispose()


@pytest.fixture
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()


def _exports(client) -> dict[str, bytes]:
    """The same CSV exports: everything, one year across the archive's end, and pages across it."""
    queries = {"all": "format=csv&per_page=10000", "en": "format=csv&lang=en&per_page=10000",
               "range": "format=csv&from=2022-12-31T20:00:00Z&to=2023-03-01T02:00:00Z",
               "page2": "format=csv&per_page=7&page=7", "page3": "format=csv&per_page=7&page=8",
               "tail": "format=csv&from=2023-01-01&per_page=50"}
    found = {}
    for name, query in queries.items():
        response = client.get(f"{API}?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        found[name] = response.get_data()
    return found


def _count(store, indicator_id: str, year: int) -> int:
    return len(store.raw_year(indicator_id, year)[0])


def test_archive_moves_old_years_and_exports_stay_the_same(cockpit, client):
    before = _exports(client)
    rollups_before = cockpit.store.aggregates(Role.INTERNAL, "day", [HOURLY, INTERNAL], district=None)
    json_before = client.get(f"{API}?per_page=100").get_json()
    assert "archived" not in json_before

    steps = archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)

    assert sorted((s.indicator, s.year, s.rows, s.deleted) for s in steps) == [
        (HOURLY, 2021, 3, 3), (HOURLY, 2022, 40, 40), (INTERNAL, 2022, 6, 6)]
    assert all(s.problem is None for s in steps)
    for indicator_id, year in ((HOURLY, 2021), (HOURLY, 2022), (INTERNAL, 2022)):
        assert _count(cockpit.store, indicator_id, year) == 0  # gone from the database
        assert (cockpit.archive.root / indicator_id / f"{year}.parquet").is_file()
    assert _count(cockpit.store, HOURLY, 2023) == 12 and _count(cockpit.store, HOURLY, 2026) == 3
    entry = cockpit.archive.manifest()[(HOURLY, 2022)]
    assert (entry.file, entry.rows) == (f"{HOURLY}/2022.parquet", 40)
    assert (entry.min_period_start, entry.max_period_start) == ("2021-12-31T23:00:00+00:00",
                                                                "2022-12-31T22:00:00+00:00")
    assert len(entry.sha256) == 64 and entry.created_at.startswith("2026-11-28T12:00")
    assert pq.read_table(cockpit.archive.root / entry.file).num_rows == 40
    # rollups stay forever, untouched
    rollups_after = cockpit.store.aggregates(Role.INTERNAL, "day", [HOURLY, INTERNAL], district=None)
    assert rollups_after.equals(rollups_before)

    after = _exports(client)
    assert after == before  # byte-equal CSV bodies
    response = client.get(f"{API}?format=csv&per_page=10000")
    assert response.headers["X-Archived-Years"] == "2021, 2022"
    assert response.headers["X-Total-Count"] == "58"
    assert "X-Archived-Years" not in client.get(f"{API}?format=csv&from=2023-02-01").headers
    payload = client.get(f"{API}?per_page=100").get_json()
    assert payload["data"] == json_before["data"] and payload["meta"] == json_before["meta"]
    assert payload["archived"] == {"years": [2021, 2022], "note": {
        "de": "enthält archivierte Rohdaten aus 2021, 2022", "en": "contains archived raw data from 2021, 2022"}}

    # a rerun finds nothing due; the verify command finds nothing wrong
    assert archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW) == []
    assert cockpit.archive.verify() == []


def test_explorer_hours_read_archived_years_and_say_so(cockpit, client):
    params = {"ind": HOURLY, "res": "hour", "from": "2022-12-31", "to": "2023-01-02"}
    query = f"ind={HOURLY}&res=hour&from=2022-12-31&to=2023-01-02&lang=de"
    csv_before = client.get(f"/export/explore.csv?{query}").get_data()
    assert "Archiv" not in client.get(f"/export/explore-meta.json?{query}").get_json()["description"]
    before = build_explore(cockpit, Role.PUBLIC, params, "de")
    assert before.archive_note is None and len(before.records) == 12
    # weeks are summed from the day rollups (kept forever): the same before and after
    weeks = {"ind": HOURLY, "res": "week", "from": "2022-12-20"}
    weeks_before = build_explore(cockpit, Role.PUBLIC, weeks, "de")
    assert [r.n for r in weeks_before.records] == [12, 5, 3]
    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    clear_cache()
    after = build_explore(cockpit, Role.PUBLIC, params, "de")
    assert after.records == before.records
    assert after.archive_note == "enthält archivierte Rohdaten aus 2022"
    assert build_explore(cockpit, Role.PUBLIC, params, "en").archive_note == \
        "contains archived raw data from 2022"
    # the explorer's export: the same rows, and its metadata says where they came from
    assert client.get(f"/export/explore.csv?{query}").get_data() == csv_before
    meta = client.get(f"/export/explore-meta.json?{query}").get_json()
    assert meta["description"]["Archiv"] == "enthält archivierte Rohdaten aus 2022"
    assert meta["archive_note"] == "enthält archivierte Rohdaten aus 2022"
    assert "Archiv: enthält archivierte Rohdaten aus 2022" in str(explore_results(after))
    assert "Archiv" not in str(explore_results(before))
    clear_cache()
    weeks_after = build_explore(cockpit, Role.PUBLIC, weeks, "de")
    assert weeks_after.records == weeks_before.records
    # rollup resolutions never needed the raw rows: no note
    assert build_explore(cockpit, Role.PUBLIC, {**params, "res": "day"}, "de").archive_note is None


@pytest.mark.parametrize("grain", ["hour", "week"])
def test_archived_buckets_are_the_stores_buckets(cockpit, grain):
    """Hours and weeks computed from archived rows in pandas equal the store's SQL over the same rows, also for
    a week across the end of an archived year (half from the file, half from the database) and a range that
    does not start at a local midnight (weeks then come from the raw rows)."""
    since, until = datetime(2022, 12, 27, 5, 30, tzinfo=UTC), datetime(2023, 3, 2, 7, 0, tzinfo=UTC)
    wanted = {HOURLY: ("",)}
    expected = cockpit.store.explore_series(Role.PUBLIC, grain, wanted, since=since, until=until)
    assert expected["n"].sum() == 6 + 6 + 5
    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    stored = cockpit.store.explore_series(Role.PUBLIC, grain, wanted, since=since, until=until)
    assert stored["n"].sum() == 12  # the rows of 2023 (local time: from 2022-12-31 23:00 UTC)
    merged, years = with_archived_buckets(cockpit, Role.PUBLIC, grain, wanted, since, until, stored)
    assert years == [2022]
    pd.testing.assert_frame_equal(merged.reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)


def test_retention_boundary_keeps_young_rows_and_the_current_year(tmp_path, database_url):
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    for indicator in raw["indicators"]:
        if indicator["id"] == HOURLY:
            indicator["retention_raw_years"] = 1
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rows = {HOURLY: _hours("2024-12-31T22:00:00+00:00", 2, 1.0) + _hours("2025-12-31T22:00:00+00:00", 2, 5.0),
            INTERNAL: _hours("2023-01-01T00:00:00+00:00", 2, 1.0),
            "recycling-rate": [("2015-10-01T00:00:00+00:00", "", 40.0)]}  # yearly: kept forever
    cockpit = _cockpit(tmp_path, database_url, rows, catalog=path)
    try:
        # on New Year's night 2026 (01:30 local) with one year of retention: 2024 leaves, 2025 and 2026 stay
        new_year = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
        due = archive_job.due_years(cockpit.catalog, cockpit.store, new_year)
        assert due == [(HOURLY, 2024)]  # the catalog's default of 3 years keeps the internal 2023 rows
        steps = archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=new_year)
        assert [(s.indicator, s.year, s.deleted) for s in steps] == [(HOURLY, 2024, 1)]
        assert _count(cockpit.store, HOURLY, 2025) == 2 and _count(cockpit.store, HOURLY, 2026) == 1
        assert _count(cockpit.store, INTERNAL, 2023) == 2
        assert len(cockpit.store.observations(Role.PUBLIC, ["recycling-rate"])) == 1
        assert cockpit.catalog.raw_retention(cockpit.catalog.indicator("recycling-rate")) is None
    finally:
        cockpit.store.engine.dispose()


def test_catalog_rejects_a_bad_retention_naming_file_indicator_and_field():
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    index = next(n for n, i in enumerate(raw["indicators"]) if i["id"] == HOURLY)
    raw["indicators"][index]["retention_raw_years"] = 0
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "data/catalog.yaml")
    assert f"data/catalog.yaml: indicators[{index}] (id '{HOURLY}'): field 'retention_raw_years'" in str(error.value)
    raw["indicators"][index]["retention_raw_years"] = 2
    yearly = next(i for i in raw["indicators"] if i["id"] == "recycling-rate")
    yearly["retention_raw_years"] = 2
    with pytest.raises(CatalogError, match="indicators \\(id 'recycling-rate'\\): field 'retention_raw_years': "
                                           "only for sub-daily indicators"):
        parse_catalog(raw, "data/catalog.yaml")
    del yearly["retention_raw_years"]
    raw["retention_raw_years"] = "three"
    with pytest.raises(CatalogError, match="catalog: field 'retention_raw_years'"):
        parse_catalog(raw, "data/catalog.yaml")


def test_a_crash_between_write_and_delete_loses_nothing_and_counts_nothing_twice(cockpit, client, monkeypatch):
    before = _exports(client)

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("killed between writing the file and deleting the rows")

    with monkeypatch.context() as patched:
        patched.setattr(type(cockpit.store), "delete_raw_year", crash)
        with pytest.raises(KeyboardInterrupt):
            archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    first = cockpit.archive.manifest()
    assert list(first) == [(HOURLY, 2021)] and _count(cockpit.store, HOURLY, 2021) == 3  # both there
    clear_cache()
    assert _exports(client) == before  # read once, not twice
    assert client.get(f"{API}?format=csv&per_page=10000").headers["X-Total-Count"] == "58"

    steps = archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)  # the rerun
    assert [(s.indicator, s.year, s.rows, s.deleted) for s in steps] == [
        (HOURLY, 2021, 3, 3), (HOURLY, 2022, 40, 40), (INTERNAL, 2022, 6, 6)]
    assert cockpit.archive.manifest()[(HOURLY, 2021)].rows == 3  # merged, not doubled
    assert cockpit.archive.verify() == []
    clear_cache()
    assert _exports(client) == before


def test_rows_changed_between_archiving_and_deleting_stay(cockpit):
    original = type(cockpit.store).delete_raw_year

    def ingest_meanwhile(store, indicator_id, year, archived):
        if (indicator_id, year) == (HOURLY, 2022):  # a revision lands after the file was written
            _write(cockpit, {HOURLY: [("2022-06-01T00:00:00+00:00", "", 99.0)]})
        return original(store, indicator_id, year, archived)

    type(cockpit.store).delete_raw_year, saved = ingest_meanwhile, original
    try:
        steps = archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    finally:
        type(cockpit.store).delete_raw_year = saved
    changed = next(s for s in steps if (s.indicator, s.year) == (HOURLY, 2022))
    assert changed.deleted is None and "changed" in changed.problem
    assert _count(cockpit.store, HOURLY, 2022) == 40  # kept, with the new value
    steps = archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    assert [(s.indicator, s.year, s.deleted) for s in steps] == [(HOURLY, 2022, 40)]
    frame, _ = cockpit.archive.read([HOURLY], [""], datetime(2022, 6, 1, tzinfo=UTC),
                                    datetime(2022, 6, 1, 1, tzinfo=UTC))
    assert frame["value"].tolist() == [99.0]  # the database's newer value won in the file


def test_verify_detects_a_changed_or_missing_file(cockpit, tmp_path, database_url, monkeypatch, capsys):
    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    monkeypatch.setenv("COCKPIT_DATABASE_URL", database_url)
    monkeypatch.setenv("COCKPIT_ARCHIVE_DIR", str(cockpit.archive.root))
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert main(["archive", "--verify"]) == 0
    assert "3 files verified" in capsys.readouterr().out

    changed = cockpit.archive.root / HOURLY / "2022.parquet"
    table = pq.read_table(changed)
    values = table.column("value").to_pylist()
    values[0] += 1.0  # a tampered value, still a valid Parquet file with the same row count
    pq.write_table(table.set_column(table.schema.get_field_index("value"), "value", [values]), changed)
    (cockpit.archive.root / INTERNAL / "2022.parquet").unlink()
    assert main(["archive", "--verify"]) == 1
    errors = capsys.readouterr().err
    assert f"{changed}: checksum" in errors and "differs from the manifest" in errors
    assert f"{cockpit.archive.root / INTERNAL / '2022.parquet'}: missing" in errors

    # late rows for the tampered year are never merged into it: they stay in the database
    _write(cockpit, {HOURLY: [("2022-07-01T00:00:00+00:00", "", 5.0)]})
    steps = archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    assert [(s.indicator, s.year, s.deleted) for s in steps] == [(HOURLY, 2022, None)]
    assert "checksum" in steps[0].problem and _count(cockpit.store, HOURLY, 2022) == 1


def test_dry_run_changes_nothing(cockpit, database_url, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", database_url)
    monkeypatch.setenv("COCKPIT_ARCHIVE_DIR", str(cockpit.archive.root))
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert main(["archive", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"due: {HOURLY} 2022: 40 rows" in out and f"due: {INTERNAL} 2022: 6 rows" in out
    assert _count(cockpit.store, HOURLY, 2022) == 40 and not (cockpit.archive.root / "manifest.json").exists()


def test_archived_internal_rows_stay_internal(cockpit, client, monkeypatch):
    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    clear_cache()
    assert client.get(f"/api/v1/indicators/{INTERNAL}/observations?format=csv").status_code == 404
    opened = []
    real = ObservationArchive.read_file
    monkeypatch.setattr(ObservationArchive, "read_file",
                        lambda self, entry, *a, **k: opened.append(entry.indicator) or real(self, entry, *a, **k))
    frame, total, years = raw_page(cockpit, Role.PUBLIC, INTERNAL, "", None, None, 0, 100)
    assert (len(frame), total, years, opened) == (0, 0, [], [])  # no file of it was even opened
    params = {"ind": INTERNAL, "res": "hour", "from": "2022-05-01", "to": "2022-05-02"}
    public = build_explore(cockpit, Role.PUBLIC, params, "de")
    assert all(r.indicator_id != INTERNAL for r in public.records) and public.archive_note is None
    assert INTERNAL not in opened
    staff = build_explore(cockpit, Role.INTERNAL, params, "de")
    assert [r.value for r in staff.records if r.indicator_id == INTERNAL] == [3.0, 4.25, 5.5, 6.75, 8.0, 9.25]
    assert staff.archive_note == "enthält archivierte Rohdaten aus 2022"


def test_the_nightly_job_runs_only_in_the_lease_holder(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("COCKPIT_ARCHIVE_DIR", str(tmp_path / "archive"))
    first = _cockpit(tmp_path, database_url)
    second = _cockpit(tmp_path, database_url, rows={})
    leaders = [LeaderScheduler(c.store, lambda c=c: build_scheduler(c.ingestor, [], scheduler=BackgroundScheduler()))
               for c in (first, second)]
    try:
        assert [leader.tick() for leader in leaders] == [True, False]
        assert leaders[1].scheduler is None
        job = leaders[0].scheduler.get_job(archive_job.JOB_ID)
        assert str(job.trigger) == "cron[hour='3', minute='30']"
        steps = job.func(*job.args, now=NOW)  # what the trigger runs at night
        assert len(steps) == 3 and all(s.deleted for s in steps)
        assert second.archive.manifest().keys() == first.archive.manifest().keys()
        assert job.func(*job.args, now=NOW) == []  # the next night: nothing left to do
    finally:
        for leader in leaders:
            leader.shutdown()
        for c in (first, second):
            c.store.engine.dispose()


class _Rows:
    """A connector's parse result for rows already read (the ingest path after parsing is what is tested)."""

    def __init__(self, rows):
        self.rows = rows

    def parse(self, _payload):
        frame = make_frame([dict(indicator=HOURLY, district="", period_start=s, period_end=None, value=v, raw=s)
                            for s, v in self.rows])
        return ParseResult(frame, watermark="2026-11-20T11:00:00Z")


def test_late_rows_for_an_archived_year_are_quarantined_not_counted_twice(cockpit):
    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    days = cockpit.store.aggregates(Role.PUBLIC, "day", [HOURLY])
    source = cockpit.source("bike-sharing")
    run_id = cockpit.store.start_run(source.id)
    # a re-delivery of an archived hour of 2022 and a new hour of this year
    outcome = cockpit.ingestor.store_payload(source, run_id, _Rows([("2022-06-01T00:00:00+00:00", 40.0),
                                                                    ("2026-11-20T11:00:00+00:00", 30.0)]),
                                             Payload([], {}), archive=False)
    assert (outcome.status, outcome.stored, outcome.rejected) == ("partial", 1, 1)
    quarantined = cockpit.store.quarantine(source.id)
    assert any("the raw rows of 2022 are archived" in str(reason) for reason in quarantined["reason"])
    assert _count(cockpit.store, HOURLY, 2022) == 0
    after = cockpit.store.aggregates(Role.PUBLIC, "day", [HOURLY])
    june = days["bucket"] == pd.Timestamp("2022-06-01", tz="Europe/Berlin")
    assert after[after["bucket"] == pd.Timestamp("2022-06-01", tz="Europe/Berlin")]["n"].tolist() == \
        days[june]["n"].tolist()  # the archived day's rollup is not counted twice
    assert cockpit.store.watermark(source.id) == "2026-11-20T11:00:00Z"  # the late row does not hold it


def test_rebuilding_the_rollups_refuses_to_lose_archived_years(cockpit, database_url, monkeypatch, capsys):
    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    days = cockpit.store.aggregates(Role.INTERNAL, "day", [HOURLY, INTERNAL], district=None)
    monkeypatch.setenv("COCKPIT_DATABASE_URL", database_url)
    monkeypatch.setenv("COCKPIT_ARCHIVE_DIR", str(cockpit.archive.root))
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert main(["rebuild-rollups"]) == 1
    assert "rebuilding would lose their rollups" in capsys.readouterr().err
    assert cockpit.store.aggregates(Role.INTERNAL, "day", [HOURLY, INTERNAL], district=None).equals(days)
