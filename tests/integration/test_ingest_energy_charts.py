"""Energy-Charts through the real ingest: a recorded public_power response from a local HTTP server, twice."""

from __future__ import annotations

import pytest

from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig
from cockpit.store import Store
from tests.conftest import SAMPLES


@pytest.fixture
def store(tmp_path, catalog):
    store = Store.from_url(f"sqlite:///{tmp_path / 'c.db'}")
    store.migrate()
    store.sync_catalog(catalog)
    return store


def test_energy_charts_ingest_twice(httpserver, store, catalog):
    httpserver.expect_request("/public_power").respond_with_data(
        (SAMPLES / "energy-charts" / "public_power.json").read_bytes(), content_type="application/json"
    )
    source = SourceConfig(
        id="energy-charts-de",
        connector="energy-charts",
        location=httpserver.url_for("/"),
        schedule={"cron": "45 6 * * *"},
        retries=0,
        options={"endpoint": "public_power", "country": "de", "since": "2024-03-30"},
    )
    ingestor = Ingestor(store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 2, 1, None)
    assert httpserver.log[0][0].args.to_dict() == {"country": "de", "start": "2024-03-30"}
    stored = store.observations("public", district=None)
    assert list(stored["value"].round(2)) == [40.39, 40.63]
    assert list(store.quarantine("energy-charts-de")["reason"]) == [
        "series 'Wind onshore' at 2024-03-31T02:00:00Z: value '-' is not a number"
    ]

    second = ingestor.run(source)
    assert httpserver.log[-1][0].args.to_dict() == {"country": "de", "start": "2024-03-31"}
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert len(store.observations("public", district=None)) == 2
    assert len(store.quarantine("energy-charts-de")) == 1
    assert store.watermark("energy-charts-de") == "2024-03-31T21:45:00Z"
