"""The real formats and the defect classes of issue #13 through the real ingest: what is stored, what is
quarantined (with the reason), the run status, and that a second run changes nothing."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import insert

from cockpit.jobs.ingest import Ingestor
from cockpit.sources.base import FRAME_COLUMNS, Reject
from cockpit.sources.config import SourceConfig
from cockpit.store import Store, migrate
from cockpit.store.schema import job_runs
from tests.conftest import SAMPLES
from tests.unit.source_support import charging_register_source
from tests.unit.test_source_energy_charts import crafted_power
from tests.unit.test_source_smard import ABSURD, HOURLY_OPTIONS, crafted_hourly

THIRD = Path(__file__).parents[1] / "fixtures" / "third_party"
GERA = [11.95, 50.80, 12.20, 50.95]


def districts(catalog) -> dict[str, str]:
    return {code: d.id for d in catalog.districts for code in d.postcodes}


def quarantine(store, source_id) -> list[tuple[str, int]]:
    q = store.quarantine(source_id)
    return sorted(zip(q["reason"], q["times_seen"], strict=True))


# ------------------------------------------------------------------------------------------- NGSI
def test_ngsi_official_examples_and_time_sources(store, catalog, tmp_path):
    point = {"type": "Point", "coordinates": [12.08, 50.88]}
    entities = [
        json.loads((THIRD / "ngsi" / "current-example-normalized.json").read_text()),  # no fill level
        json.loads((THIRD / "ngsi" / "2021-example.json").read_text()),  # fill level 0.4, in Spain
        {"id": "g1", "type": "WasteContainer", "location": point, "address": {"postalCode": "07545"},
         "fillingLevel": 0.5, "TimeInstant": "2026-11-20T09:10:00Z"},
        {"id": "g2", "type": "WasteContainer", "location": point, "address": {"postalCode": "07549"},
         "binFillingLevel": 0.3},  # no time at all: the retrieval time of this current-state file
    ]
    file = tmp_path / "entities.json"
    file.write_text(json.dumps(entities))
    retrieved = datetime(2026, 11, 20, 10, 30, tzinfo=UTC).timestamp()
    os.utime(file, (retrieved, retrieved))
    source = SourceConfig(id="waste-containers", connector="ngsi", location=str(file),
                          schedule={"interval": "PT30M"},
                          options={"bbox": GERA, "postcodes": districts(catalog)})
    ingestor = Ingestor(store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 4, 2)
    assert first.note == ("fill-level time of 2 containers: 1 from TimeInstant, 1 from the retrieval time "
                          "(current-state query: those entities carry no observation time)")
    assert store.runs("waste-containers")["error"].iloc[0] == first.note  # the run's message says so
    stored = store.observations("internal", ["smart-bin-fill-level"], district=None)
    assert {(r.period_start.hour, r.district, r.value) for r in stored.itertuples()} == {
        (9, "", 50.0), (9, "stadtmitte", 50.0), (10, "", 30.0), (10, "lusan", 30.0)}
    assert quarantine(store, "waste-containers") == [
        ("urn:ngsi-ld:wastecontainer:1021:AAWD: no fill level (fillingLevel or binFillingLevel): nothing to count", 1),
        ("wastecontainer:Fleming:12a: location [-3.164485591715449, 40.62785133667262] (lon, lat) lies outside "
         "the city's bounding box [11.95, 50.8, 12.2, 50.95]", 1),
    ]
    second = ingestor.run(source)
    assert (second.status, second.stored, second.rejected) == ("ok", 0, 0)
    assert len(store.observations("internal", ["smart-bin-fill-level"], district=None)) == 4
    assert len(store.quarantine("waste-containers")) == 2


# ------------------------------------------------------------------------------------------- charging register
def register_source(catalog, location) -> SourceConfig:
    return charging_register_source(catalog, location, history_since="2024-01")


@pytest.mark.parametrize("name", ["documented-header-utf8-bom.csv", "documented-header-cp1252.csv"])
def test_charging_register_multi_valued_plug_cells_count(store, catalog, name):
    source = register_source(catalog, THIRD / "charging-register" / name)
    ingestor = Ingestor(store, catalog)
    first = ingestor.run(source)
    areas = 1 + len({d.id for d in catalog.districts})
    assert (first.status, first.stored, first.rejected) == ("partial", 3 * areas, 1)
    city = store.observations("public", ["charge-points-per-1000"])
    # 3001 (2 points, plugs "22; 3,7" and 11) and 3002 (1 point, "150; 50") count; 3003 has a broken date
    assert city["value"].iloc[-1] == pytest.approx(3 * 1000 / catalog.population)
    (reason, times), = quarantine(store, "charging-register")
    assert reason.startswith("line 8: ") and "31.02.2023" in reason and times == 1
    second = ingestor.run(source)  # the register is re-read whole: nothing changes, the bad row is counted
    assert (second.stored, second.rejected) == (0, 1)
    assert quarantine(store, "charging-register") == [(reason, 2)]


def test_truncated_register_stores_nothing_and_says_why(sqlite_store, catalog, tmp_path):
    text = (THIRD / "charging-register" / "documented-header-utf8-bom.csv").read_bytes()
    cut = tmp_path / "register.csv"
    cut.write_bytes(text[: text.index(b"Heinrichstra")])
    outcome = Ingestor(sqlite_store, catalog).run(register_source(catalog, cut))
    assert outcome.status == "failed" and "truncated file" in outcome.error
    assert "all or nothing" in outcome.error
    assert sqlite_store.observations("public", ["charge-points-per-1000"], district=None).empty


# ------------------------------------------------------------------------------------------- GBFS
def serve_gbfs(httpserver, stations, information, gzip_status=False):
    discovery = {"last_updated": 1795172400, "ttl": 60, "version": "2.3", "data": {"de": {"feeds": [
        {"name": "station_information", "url": "station_information.json"},
        {"name": "station_status", "url": "station_status.json"}]}}}
    status = json.dumps({"last_updated": 1795172400, "ttl": 60, "version": "2.3",
                         "data": {"stations": stations}}).encode()
    info = {"last_updated": 1795172400, "ttl": 60, "version": "2.3", "data": {"stations": information}}
    httpserver.expect_request("/gbfs/gbfs.json").respond_with_json(discovery)
    httpserver.expect_request("/gbfs/station_information.json").respond_with_json(info)
    body = gzip.compress(status) if gzip_status else status  # served without Content-Encoding
    httpserver.expect_request("/gbfs/station_status.json").respond_with_data(body, content_type="application/json")
    return SourceConfig(id="bike-sharing", connector="gbfs", location=httpserver.url_for("/gbfs/gbfs.json"),
                        schedule={"interval": "PT15M"}, retries=0)


def station(station_id, count):
    return {"station_id": station_id, "num_bikes_available": count, "num_docks_available": 3,
            "is_installed": True, "is_renting": True, "is_returning": True, "last_reported": 1795172300}


def test_gbfs_absurd_and_unknown_stations_are_quarantined_per_station(httpserver, sqlite_store, catalog):
    information = [{"station_id": s, "name": s, "lat": 50.88, "lon": 12.08, "capacity": 8} for s in ("a", "b", "c")]
    source = serve_gbfs(httpserver, [station("a", 5), station("b", 9999), station("c", 0), station("x", 4)],
                        information, gzip_status=True)
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 2, 2)
    stored = sqlite_store.observations("internal", district=None)
    assert dict(zip(stored["indicator"], stored["value"], strict=True)) == {
        "bike-sharing-bikes-available": 5.0, "bike-sharing-empty-stations": 50.0}  # the hour is not lost
    assert quarantine(sqlite_store, "bike-sharing") == [
        ("station b: 9999 vehicles available exceeds its capacity of 8", 1),
        ("station x: not listed in station_information; not counted", 1),
    ]
    second = ingestor.run(source)
    assert (second.status, second.stored, second.rejected) == ("ok", 0, 0)
    assert len(sqlite_store.quarantine("bike-sharing")) == 2


def test_gzip_body_that_does_not_decompress_fails_the_run_with_the_reason(httpserver, sqlite_store, catalog):
    source = serve_gbfs(httpserver, [], [])
    httpserver.clear()
    httpserver.expect_request("/gbfs/gbfs.json").respond_with_data(gzip.compress(b'{"data": {}}')[:-12])
    outcome = Ingestor(sqlite_store, catalog).run(source)
    assert outcome.status == "failed" and "gzip without Content-Encoding" in outcome.error


def test_repeated_and_thousands_of_bad_records_are_quarantined_bounded(httpserver, store, catalog):
    """3,000 copies of one station: one quarantine row counting 2,999 duplicates; with 1,500 unknown stations
    that makes 1,501 distinct rejects: a sample of 1,000 rows plus one row with the count of the other 501; a
    second run adds no row."""
    stations = [station("a", 2)] * 3000 + [station(f"u{i}", 1) for i in range(1500)]
    information = [{"station_id": "a", "name": "a", "lat": 50.88, "lon": 12.08, "capacity": 8}]
    source = serve_gbfs(httpserver, stations, information)
    ingestor = Ingestor(store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 2, 2999 + 1500)
    q = store.quarantine("bike-sharing")
    assert len(q) == 1000 + 1
    duplicate = q[q["reason"] == "station a: duplicate record, the first one was counted"]
    assert duplicate["times_seen"].tolist() == [2999]
    summary = q[q["reason"].str.contains("not quarantined individually")]
    assert summary["times_seen"].tolist() == [501]
    assert "501 further rejected records (501 distinct)" in summary["reason"].iloc[0]
    assert "501 x station not listed in station_information; not counted" in summary["reason"].iloc[0]
    second = ingestor.run(source)  # the same snapshot: nothing read again
    assert (second.status, second.stored, second.rejected) == ("ok", 0, 0)
    assert len(store.quarantine("bike-sharing")) == 1001


# ------------------------------------------------------------------------------------------- time and watermark
def sensorthings_folder(tmp_path, observations) -> Path:
    folder = tmp_path / "sta"
    (folder / "Datastreams(1)").mkdir(parents=True)
    (folder / "Datastreams(1)" / "Observations.json").write_text(json.dumps({"value": observations}))
    return folder


def sensorthings_source(folder) -> SourceConfig:
    return SourceConfig(id="building-meters", connector="sensorthings", location=str(folder),
                        schedule={"interval": "PT1H"},
                        options={"datastreams": [{"datastream": 1, "indicator": "municipal-buildings-electricity",
                                                  "scale": 0.001}]})


def test_seconds_read_as_milliseconds_and_future_times_are_rejected(sqlite_store, catalog, tmp_path):
    observations = [
        {"@iot.id": 1, "phenomenonTime": "1970-01-21T01:06:40Z", "result": 50000},  # 1732000000 s read as ms
        {"@iot.id": 2, "phenomenonTime": "2024-03-01T23:00:00Z", "result": 50000},
        {"@iot.id": 3, "phenomenonTime": "2099-01-01T00:00:00Z", "result": 50000},
    ]
    source = sensorthings_source(sensorthings_folder(tmp_path, observations))
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 1, 2)
    assert sqlite_store.observations("internal", district=None)["value"].tolist() == [50.0]
    reasons = [reason for reason, _ in quarantine(sqlite_store, "building-meters")]
    assert all("implausible timestamp" in r and "seconds read as milliseconds" in r for r in reasons)
    assert "1970-01-21T01:06:40+00:00" in reasons[0] and "2099-01-01" in reasons[1]
    # the 2099 record must not carry the watermark past every real reading to come
    assert sqlite_store.watermark("building-meters") == "2024-03-01T23:00:00Z"
    second = ingestor.run(source)
    assert second.stored == 0 and len(sqlite_store.quarantine("building-meters")) == 2


def test_watermark_is_held_before_a_rejected_record_so_nothing_is_lost(sqlite_store, catalog, tmp_path):
    observations = [
        {"@iot.id": 1, "phenomenonTime": "2024-03-01T23:00:00Z", "result": 50000},
        {"@iot.id": 2, "phenomenonTime": "2024-03-02T23:00:00Z", "result": 900000},  # 900 MWh: outside 0..500
        {"@iot.id": 3, "phenomenonTime": "2024-03-03T23:00:00Z", "result": 52000},
    ]
    folder = sensorthings_folder(tmp_path, observations)
    source = sensorthings_source(folder)
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 2, 1)
    assert sqlite_store.watermark("building-meters") == "2024-03-02T22:59:59.999999Z"
    (reason, times), = quarantine(sqlite_store, "building-meters")
    assert "outside the plausible range 0.0..500.0" in reason and times == 1
    # the operator corrects the source (or the catalog): the record is read again, nothing was skipped
    observations[1]["result"] = 51000
    (folder / "Datastreams(1)" / "Observations.json").write_text(json.dumps({"value": observations}))
    second = ingestor.run(source)
    assert (second.status, second.stored, second.rejected) == ("ok", 1, 0)
    assert sorted(sqlite_store.observations("internal", district=None)["value"]) == [50.0, 51.0, 52.0]
    assert sqlite_store.watermark("building-meters") == "2024-03-03T23:00:00Z"
    third = ingestor.run(source)
    assert (third.status, third.stored, third.rejected) == ("ok", 0, 0)


def test_missing_chunk_makes_the_run_partial_and_is_fetched_next_run(sqlite_store, catalog, tmp_path):
    folder = tmp_path / "smard"
    shutil.copytree(SAMPLES / "smard" / "hourly", folder)
    chunk = folder / "chart_data" / "4068" / "DE" / "4068_DE_hour_1711321200000.json"
    kept = chunk.read_bytes()
    chunk.unlink()
    source = SourceConfig(id="smard-de", connector="smard", location=str(folder), schedule={"cron": "30 6 * * *"},
                          options=HOURLY_OPTIONS)
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert first.status == "partial" and "4068_DE_hour_1711321200000.json" in first.error
    assert "retried next run" in first.error
    stored_first = sqlite_store.observations("internal", district=None)
    assert len(stored_first) > 0  # the days of the other chunks are stored
    assert sqlite_store.runs("smard-de")["error"].iloc[0] == first.error
    chunk.write_bytes(kept)  # the publisher fixes the file
    second = ingestor.run(source)
    assert second.status in ("ok", "partial") and second.error is None and second.stored > 0
    assert len(sqlite_store.observations("internal", district=None)) == 15  # as if nothing had been missing
    third = ingestor.run(source)
    assert (third.status, third.stored, third.rejected) == ("ok", 0, 0)


def test_absurd_smard_points_withhold_their_day_and_hold_the_watermark(sqlite_store, catalog, tmp_path):
    folder = crafted_hourly(tmp_path, ABSURD)  # PV negative on 19.03., load 0 on 22.03., wind 9.9 TWh on 23.03.
    source = SourceConfig(id="smard-de", connector="smard", location=str(folder), schedule={"cron": "30 6 * * *"},
                          options=HOURLY_OPTIONS)
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 12, 7)
    stored = sqlite_store.observations("internal", district=None)
    days = {start.strftime("%d.%m.") for start in stored["period_start"].dt.tz_convert("Europe/Berlin")}
    assert {"19.03.", "22.03.", "23.03."}.isdisjoint(days) and len(days) == 12
    absurd = [(reason, times) for reason, times in quarantine(sqlite_store, "smard-de") if "not published" in reason]
    assert absurd == [
        ("filter 4067: value 9900000000.0 MWh at 2024-03-23T05:00:00Z exceeds the plausible maximum of 200000 MWh "
         "per hour; the local day 2024-03-23 is not published", 1),
        ("filter 4068: value -50.0 MWh at 2024-03-19T11:00:00Z is negative; the local day 2024-03-19 is not "
         "published", 1),
        ("renewable-share-electricity: denominator (filters [410]) is 0 MWh at 2024-03-22T02:00:00Z; the local day "
         "2024-03-22 is not published", 1),
    ]
    assert sqlite_store.watermark("smard-de") == "2024-03-18T22:59:59.999999Z"  # before the first withheld day
    # a second run reads the withheld days again: nothing stored twice, no new quarantine row, watermark held
    second = ingestor.run(source)
    assert (second.status, second.stored) == ("partial", 0)
    assert sqlite_store.observations("internal", district=None).equals(stored)
    assert len(sqlite_store.quarantine("smard-de")) == 7
    assert sqlite_store.watermark("smard-de") == "2024-03-18T22:59:59.999999Z"
    # the publisher corrects the values: the three days are stored, nothing was lost
    shutil.rmtree(folder)
    shutil.copytree(SAMPLES / "smard" / "hourly", folder)
    third = ingestor.run(source)
    assert third.stored == 3 and len(sqlite_store.observations("internal", district=None)) == 15
    assert sqlite_store.watermark("smard-de") == "2024-04-02T21:00:00Z"


def test_absurd_energy_charts_values_withhold_their_day_and_hold_the_watermark(sqlite_store, catalog, tmp_path):
    folder = tmp_path / "energy-charts"
    folder.mkdir()
    crafted_power(folder, {("Solar", "2024-03-30T11:00Z"): -100})
    source = SourceConfig(id="energy-charts-de", connector="energy-charts", location=str(folder),
                          schedule={"cron": "45 6 * * *"}, options={"endpoint": "public_power"})
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 1, 2)
    stored = sqlite_store.observations("internal", district=None)
    assert stored["period_start"].tolist() == [pd.Timestamp("2024-03-30T23:00Z")]  # 31.03.; 30.03. withheld
    assert quarantine(sqlite_store, "energy-charts-de") == [
        ("series 'Solar' at 2024-03-30T11:00:00Z: value -100 MW is negative; the local day 2024-03-30 is not "
         "published", 1),
        ("series 'Wind onshore' at 2024-03-31T02:00:00Z: value '-' is not a number", 1),
    ]
    assert sqlite_store.watermark("energy-charts-de") == "2024-03-29T22:59:59.999999Z"
    second = ingestor.run(source)
    assert (second.status, second.stored) == ("partial", 0)
    assert sqlite_store.observations("internal", district=None).equals(stored)
    assert len(sqlite_store.quarantine("energy-charts-de")) == 2
    assert sqlite_store.watermark("energy-charts-de") == "2024-03-29T22:59:59.999999Z"
    shutil.copy(SAMPLES / "energy-charts" / "public_power.json", folder / "public_power.json")  # corrected
    third = ingestor.run(source)
    assert third.stored == 1 and len(sqlite_store.observations("internal", district=None)) == 2
    assert sqlite_store.watermark("energy-charts-de") == "2024-03-31T21:45:00Z"


# ------------------------------------------------------------------------------------------- migration
def test_quarantine_rows_from_before_the_dedup_migration_are_deduplicated(database_url, catalog):
    store = Store.from_url(database_url)
    try:
        migrate.upgrade(store.engine, "0001")
        now = datetime(2026, 11, 20, tzinfo=UTC)
        with store.engine.begin() as conn:
            old_run = conn.execute(insert(job_runs).values(
                source_id="s", started_at=now, status="partial", rows_read=1, rows_stored=0,
                rows_rejected=1)).inserted_primary_key[0]
            conn.exec_driver_sql("INSERT INTO quarantine (source_id, run_id, raw, reason, created_at) "
                                 f"VALUES ('s', {int(old_run)}, 'raw', 'bad', '2026-11-20 00:00:00')")
        store.migrate()
        store.sync_catalog(catalog)
        run = store.start_run("s")
        store.write_batch("s", run, pd.DataFrame(columns=list(FRAME_COLUMNS)), [Reject("raw", "bad")], 1)
        q = store.quarantine("s")
        assert len(q) == 1 and q["times_seen"].tolist() == [2] and q["last_run_id"].tolist() == [run]
        assert q["run_id"].tolist() == [old_run]
    finally:
        store.engine.dispose()
