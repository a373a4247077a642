"""GBFS through the real ingest: a recorded v2.3 feed from a local HTTP server into a temp SQLite store, twice."""

from __future__ import annotations

import pandas as pd

from cockpit.jobs.ingest import Ingestor
from tests.conftest import SAMPLES
from tests.unit.source_support import source_config

FOLDER = SAMPLES / "gbfs" / "v2"


def test_gbfs_ingest_twice_then_a_later_snapshot(httpserver, sqlite_store, catalog):
    status = {"file": "station_status.json"}
    httpserver.expect_request("/gbfs/gbfs.json").respond_with_data(
        (FOLDER / "gbfs.json").read_bytes(), content_type="application/json"
    )
    httpserver.expect_request("/gbfs/station_information.json").respond_with_data(
        (FOLDER / "station_information.json").read_bytes(), content_type="application/json"
    )
    httpserver.expect_request("/gbfs/station_status.json").respond_with_handler(
        lambda _request: __import__("werkzeug").Response(
            (FOLDER / status["file"]).read_bytes(), content_type="application/json"
        )
    )
    source = source_config("bike-sharing", "gbfs", httpserver.url_for("/gbfs/gbfs.json"), {"interval": "PT15M"},
                           {"language": "en"})
    ingestor = Ingestor(sqlite_store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 2, 6, None)
    stored = sqlite_store.observations("internal", district=None)
    assert dict(zip(stored["indicator"], stored["value"], strict=True)) == {
        "bike-sharing-bikes-available": 8.0,
        "bike-sharing-empty-stations": 50.0,
    }
    assert set(stored["period_start"]) == {pd.Timestamp("2024-05-01T12:00Z")}
    quarantine = sqlite_store.quarantine("bike-sharing")
    assert len(quarantine) == 6 and "station s6: 'num_bikes_available' is '3', not an integer" in set(
        quarantine["reason"]
    )

    second = ingestor.run(source)
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert len(sqlite_store.quarantine("bike-sharing")) == 6

    status["file"] = (
        "station_status_later.json"  # ten minutes later, same hour: the hour's values are updated
    )
    third = ingestor.run(source)
    assert (third.stored, third.rejected) == (2, 6)
    stored = sqlite_store.observations("internal", district=None)
    assert len(stored) == 2 and set(stored["value"]) == {9.0, 25.0}
    quarantine = sqlite_store.quarantine("bike-sharing")  # the same six bad stations: counted, not repeated
    assert len(quarantine) == 6 and set(quarantine["times_seen"]) == {2}
    assert set(quarantine["last_run_id"]) == {third.run_id} and set(quarantine["run_id"]) == {first.run_id}
