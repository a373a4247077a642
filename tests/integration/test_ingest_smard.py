"""SMARD through the real ingest: recorded chart data from a local HTTP server into a temp SQLite store, twice."""

from __future__ import annotations

import pytest

from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig
from cockpit.store import Store
from tests.conftest import SAMPLES
from tests.unit.test_source_smard import HOURLY_OPTIONS, serve_folder


@pytest.fixture
def store(tmp_path, catalog):
    store = Store.from_url(f"sqlite:///{tmp_path / 'c.db'}")
    store.migrate()
    store.sync_catalog(catalog)
    return store


def test_smard_ingest_twice(httpserver, store, catalog):
    base = serve_folder(httpserver, SAMPLES / "smard" / "hourly")
    source = SourceConfig(
        id="smard-de",
        connector="smard",
        location=base,
        schedule={"cron": "30 6 * * *"},
        retries=0,
        options=HOURLY_OPTIONS,
    )
    ingestor = Ingestor(store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 15, 4, None)
    stored = store.observations("internal", district=None)
    assert len(stored) == 15 and set(stored["indicator"]) == {"renewable-share-electricity"}
    assert stored["value"].between(36, 39).all()
    assert store.watermark("smard-de") == "2024-04-02T21:00:00Z"
    reasons = list(store.quarantine("smard-de")["reason"])
    assert len(reasons) == 4 and any("value 'n/a'" in r for r in reasons)
    assert any("duplicate timestamp" in r for r in reasons)

    requests_before = len(httpserver.log)
    second = ingestor.run(source)
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert len(httpserver.log) - requests_before == 3 * 2  # index and the last chunk per filter
    assert len(store.observations("internal", district=None)) == 15
    assert len(store.quarantine("smard-de")) == 4
    runs = store.runs("smard-de")
    assert list(runs["status"]) == ["ok", "partial"] and list(runs["rows_stored"]) == [0, 15]
