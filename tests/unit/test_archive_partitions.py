"""The archive on a PostgreSQL store partitioned by UTC year (issue 24, items 3 and 4): a partition whose rows are
all archived and verified is dropped (gone from pg_inherits), one that keeps only the first hour of the next
Europe/Berlin year (not yet due) is rewritten with just that hour, one that keeps more unarchived rows than it loses
falls back to a DELETE; the raw CSV export and the rollups are the same before and after; a later write into a
dropped year gets its partition again; a year written between its verification and the removal stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from cockpit.jobs import archive as archive_job
from cockpit.roles import Role
from cockpit.views import clear_cache
from tests.unit import test_archive
from tests.unit.test_archive import _cockpit, _write

pytestmark = pytest.mark.postgres
client = test_archive.client  # the archive tests' fixture

HOURLY = "bike-sharing-bikes-available"  # public, PT1H, retention 3 years (catalog default)
DAILY = "renewable-share-electricity"  # public, P1D: never archived
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # 2022 and before are due


def _hours(start: str, count: int, base: float) -> list[tuple[str, str, float]]:
    first = datetime.fromisoformat(start)
    return [((first + timedelta(hours=h)).isoformat(), "", base + h * 0.5) for h in range(count)]


# UTC 2020: local 2020 (20-22 h) and the first hour of local 2021 (23 h); UTC 2021: the rest of local 2021, the
# first hour of local 2022 and ten daily rows (more than the archived rows there); UTC 2022: the rest of local
# 2022 and the first hour of local 2023 (not due: kept); UTC 2023: local 2023.
ROWS = {
    HOURLY: _hours("2020-12-31T20:00:00+00:00", 8, 10.0) + _hours("2021-12-31T21:00:00+00:00", 6, 30.0)
    + _hours("2022-12-31T21:00:00+00:00", 6, 50.0) + _hours("2023-04-01T00:00:00+00:00", 2, 70.0),
    DAILY: [((datetime(2021, 3, 1, tzinfo=UTC) + timedelta(days=d)).isoformat(), "", 40.0 + d) for d in range(10)],
}


@pytest.fixture
def cockpit(tmp_path, postgres_url):
    found = _cockpit(tmp_path, postgres_url, ROWS)
    yield found
    clear_cache()
    found.store.engine.dispose()


def _partitions(store) -> dict[str, tuple[int, int]]:
    """Partition name -> (table oid, rows), from pg_inherits."""
    with store.engine.connect() as conn:
        names = conn.execute(text(
            "SELECT c.relname, c.oid::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'observations'::regclass")).all()
        return {name: (oid, conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()) for name, oid in names}


def _exports(client) -> list[bytes]:
    bodies = []
    for indicator in (HOURLY, DAILY):
        for query in ("format=csv&per_page=10000", "format=csv&lang=en&per_page=10000",
                      "format=csv&from=2022-12-31T20:00:00Z&to=2023-01-01T02:00:00Z", "format=csv&per_page=4&page=3"):
            response = client.get(f"/api/v1/indicators/{indicator}/observations?{query}")
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            bodies.append(response.get_data())
    return bodies


def _stored(store, indicator_id: str, year: int) -> int:
    return len(store.raw_year(indicator_id, year)[0])


def test_archived_partitions_are_dropped_rewritten_or_deleted_and_exports_stay_the_same(cockpit, client):
    store = cockpit.store
    before, layout_before = _exports(client), _partitions(store)
    rollups_before = store.aggregates(Role.INTERNAL, "day", [HOURLY, DAILY], district=None)
    assert layout_before["observations_y2020"][1] == 4 and layout_before["observations_y2022"][1] == 6

    steps = archive_job.run_archive(cockpit.catalog, store, cockpit.archive, now=NOW)

    assert [(s.indicator, s.year, s.rows, s.deleted, s.problem) for s in steps] == [
        (HOURLY, 2020, 3, 3, None), (HOURLY, 2021, 7, 7, None), (HOURLY, 2022, 6, 6, None)]
    after_layout = _partitions(store)
    assert "observations_y2020" not in after_layout  # every row archived: the partition is gone
    assert after_layout["observations_y2021"] == (layout_before["observations_y2021"][0], 10)  # DELETE: daily rows
    assert after_layout["observations_y2022"][1] == 1  # rewritten: only the first hour of local 2023 is left
    assert after_layout["observations_y2022"][0] != layout_before["observations_y2022"][0]
    assert after_layout["observations_y2023"] == layout_before["observations_y2023"]
    assert after_layout["observations_default"][1] == 0
    assert [_stored(store, HOURLY, y) for y in (2020, 2021, 2022, 2023)] == [0, 0, 0, 6]
    assert _stored(store, DAILY, 2021) == 10
    assert set(cockpit.archive.manifest()) == {(HOURLY, 2020), (HOURLY, 2021), (HOURLY, 2022)}
    assert cockpit.archive.verify() == []

    clear_cache()
    assert _exports(client) == before  # byte-equal raw CSV, archived years read from the files
    assert store.aggregates(Role.INTERNAL, "day", [HOURLY, DAILY], district=None).equals(rollups_before)
    response = client.get(f"/api/v1/indicators/{HOURLY}/observations?format=csv&per_page=10000")
    assert response.headers["X-Archived-Years"] == "2020, 2021, 2022"

    # a later row in the dropped year's range (a daily statistic, not archived) gets its partition again
    _write(cockpit, {DAILY: [("2020-06-01T00:00:00+00:00", "", 12.0)]})
    assert _partitions(store)["observations_y2020"][1] == 1
    assert archive_job.run_archive(cockpit.catalog, store, cockpit.archive, now=NOW) == []


def test_a_year_written_after_its_verification_is_not_removed(cockpit):
    store = cockpit.store
    original = type(store).remove_archived

    def ingest_meanwhile(self, removal):  # a revision of local 2021 commits between verifying and removing
        _write(cockpit, {HOURLY: [("2021-01-01T00:00:00+00:00", "", 99.0)]})
        return original(self, removal)

    type(store).remove_archived = ingest_meanwhile
    try:
        steps = archive_job.run_archive(cockpit.catalog, store, cockpit.archive, now=NOW)
    finally:
        type(store).remove_archived = original
    result = {(s.indicator, s.year): (s.deleted, s.problem) for s in steps}
    assert result[(HOURLY, 2020)] == (3, None) and result[(HOURLY, 2022)] == (6, None)
    assert result[(HOURLY, 2021)][0] is None and "changed" in result[(HOURLY, 2021)][1]
    assert _stored(store, HOURLY, 2021) == 7  # kept, with the new value
    layout = _partitions(store)
    assert layout["observations_y2020"][1] == 1  # rewritten around the first hour of local 2021, which stays

    steps = archive_job.run_archive(cockpit.catalog, store, cockpit.archive, now=NOW)  # the next night
    assert [(s.indicator, s.year, s.deleted) for s in steps] == [(HOURLY, 2021, 7)]
    assert "observations_y2020" not in _partitions(store)
    frame, _ = cockpit.archive.read([HOURLY], [""], datetime(2021, 1, 1, tzinfo=UTC),
                                    datetime(2021, 1, 1, 1, tzinfo=UTC))
    assert frame["value"].tolist() == [99.0]  # the database's newer value won in the file
