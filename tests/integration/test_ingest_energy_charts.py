"""Energy-Charts through the real ingest: a recorded public_power response from a local HTTP server, twice."""

from __future__ import annotations

from cockpit.jobs.ingest import Ingestor
from tests.conftest import SAMPLES
from tests.unit.source_support import source_config


def test_energy_charts_ingest_twice(httpserver, sqlite_store, catalog):
    httpserver.expect_request("/public_power").respond_with_data(
        (SAMPLES / "energy-charts" / "public_power.json").read_bytes(), content_type="application/json"
    )
    source = source_config("energy-charts-de", "energy-charts", httpserver.url_for("/"), {"cron": "45 6 * * *"},
                           {"endpoint": "public_power", "country": "de", "since": "2024-03-30"})
    ingestor = Ingestor(sqlite_store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 2, 1, None)
    assert httpserver.log[0][0].args.to_dict() == {"country": "de", "start": "2024-03-30"}
    stored = sqlite_store.observations("public", district=None)
    assert list(stored["value"].round(2)) == [40.39, 40.63]
    assert list(sqlite_store.quarantine("energy-charts-de")["reason"]) == [
        "series 'Wind onshore' at 2024-03-31T02:00:00Z: value '-' is not a number"
    ]

    second = ingestor.run(source)
    assert httpserver.log[-1][0].args.to_dict() == {"country": "de", "start": "2024-03-31"}
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert len(sqlite_store.observations("public", district=None)) == 2
    assert len(sqlite_store.quarantine("energy-charts-de")) == 1
    assert sqlite_store.watermark("energy-charts-de") == "2024-03-31T21:45:00Z"
