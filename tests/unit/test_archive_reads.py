"""Archived years where the indicator page and the standard APIs read raw rows (issue 24, item 4): the indicator
page's hour view (and its previous-year line) reads the archive's files transparently and says so on the page and
in its export's metadata, with the same table and CSV as before archiving; the SensorThings Datastream and its
Observations say plainly which years are archived and link their raw CSV (which has them); NGSI-LD reads no raw
rows and answers the same as before."""

from __future__ import annotations

import json

from cockpit.jobs import archive as archive_job
from cockpit.roles import Role
from cockpit.views import clear_cache
from cockpit.views.indicator import build_indicator
from tests.fixtures.callbacks import router_request
from tests.unit import test_archive
from tests.unit.test_archive import HOURLY, NOW

cockpit, client = test_archive.cockpit, test_archive.client  # the archive tests' fixtures (both backends)
HOUR_VIEW = dict(res="hour", range_from="2022-06-01", range_to="2022-06-02")
LAST_YEAR_VIEW = dict(res="hour", range_from="2023-06-01", range_to="2023-06-02")  # the line "a year before"
EXPORT = f"/export/indicator/{HOURLY}.csv?res=hour&from=2022-06-01&to=2022-06-02&lang=de"
STREAM = f"/sta/v1.1/Datastreams('{HOURLY}:city')"


def _views(cockpit, lang="de"):
    return [build_indicator(cockpit, Role.PUBLIC, HOURLY, lang, now=NOW, **query)
            for query in (HOUR_VIEW, LAST_YEAR_VIEW)]


def test_the_indicator_pages_hour_view_reads_archived_years_and_says_so(cockpit, client):
    before, last_year_before = _views(cockpit)
    assert len(before.series) == 30 and before.archive_note is None
    assert len(last_year_before.previous) == 30  # 2022-06-01, shifted a year
    csv_before = client.get(EXPORT).get_data()
    meta_before = client.get(EXPORT.replace(".csv", "-meta.json")).get_json()

    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    assert cockpit.store.raw_year(HOURLY, 2022)[0].empty
    clear_cache()

    after, last_year_after = _views(cockpit)
    assert after.series == before.series and after.table == before.table
    assert last_year_after.previous == last_year_before.previous and last_year_after.archive_note
    assert after.archive_note == "enthält archivierte Rohdaten aus 2022"
    assert _views(cockpit, "en")[0].archive_note == "contains archived raw data from 2022"
    page = router_request(client, f"/indicator/{HOURLY}", "?lang=de&res=hour&from=2022-06-01&to=2022-06-02")
    assert "Archiv: enthält archivierte Rohdaten aus 2022" in json.dumps(page.get_json(), ensure_ascii=False)
    day = build_indicator(cockpit, Role.PUBLIC, HOURLY, "de", now=NOW, res="day", range_from="2022-06-01",
                          range_to="2022-06-03")
    assert day.archive_note is None and len(day.series) == 2  # days come from the rollups, kept forever

    assert client.get(EXPORT).get_data() == csv_before  # the same table
    meta = client.get(EXPORT.replace(".csv", "-meta.json")).get_json()
    assert "archive_note" not in json.dumps(meta_before)
    assert "enthält archivierte Rohdaten aus 2022" in json.dumps(meta, ensure_ascii=False)


def test_sensorthings_says_which_years_are_archived_and_where_they_are(cockpit, client):
    assert "archived" not in client.get(STREAM).get_json()["properties"]
    observations_before = client.get(f"{STREAM}/Observations?$top=100&$count=true").get_json()
    assert "@cockpit.archived" not in observations_before
    ngsi_before = client.get("/ngsi-ld/v1/entities").get_data()

    archive_job.run_archive(cockpit.catalog, cockpit.store, cockpit.archive, now=NOW)
    clear_cache()

    archived = client.get(STREAM).get_json()["properties"]["archived"]
    assert archived["years"] == [2021, 2022]
    assert archived["href"].endswith(f"/api/v1/indicators/{HOURLY}/observations?from=2021-01-01&to=2023-01-01"
                                     "&format=csv")
    assert archived["note"]["de"].startswith("Die Rohdaten aus 2021, 2022 sind archiviert")
    assert archived["note"]["en"].startswith("The raw data from 2021, 2022 is archived")
    observations = client.get(f"{STREAM}/Observations?$top=100&$count=true").get_json()
    assert observations["@cockpit.archived"] == archived
    assert observations["@iot.count"] == observations_before["@iot.count"] - 43  # the archived rows are gone
    raw = client.get(archived["href"].split("localhost", 1)[-1])  # the link has them
    assert raw.status_code == 200 and raw.headers["X-Archived-Years"] == "2021, 2022"
    assert len(raw.get_data(as_text=True).strip().splitlines()) == 1 + 43
    # the internal indicator is no datastream at all, archived or not
    assert client.get("/sta/v1.1/Datastreams('bike-sharing-empty-stations:city')").status_code == 404

    assert client.get("/ngsi-ld/v1/entities").get_data() == ngsi_before  # KPI entities: rollups, unchanged
