"""SMARD through the real ingest: recorded chart data from a local HTTP server into a temp SQLite store, twice."""

from __future__ import annotations

from cockpit.jobs.ingest import Ingestor
from tests.conftest import SAMPLES
from tests.unit.source_support import source_config
from tests.unit.test_source_smard import HOURLY_OPTIONS, serve_folder


def test_smard_ingest_twice(httpserver, sqlite_store, catalog):
    base = serve_folder(httpserver, SAMPLES / "smard" / "hourly")
    source = source_config("smard-de", "smard", base, {"cron": "30 6 * * *"}, HOURLY_OPTIONS)
    ingestor = Ingestor(sqlite_store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 15, 4, None)
    stored = sqlite_store.observations("internal", district=None)
    assert len(stored) == 15 and set(stored["indicator"]) == {"renewable-share-electricity"}
    assert stored["value"].between(36, 39).all()
    assert sqlite_store.watermark("smard-de") == "2024-04-02T21:00:00Z"
    reasons = list(sqlite_store.quarantine("smard-de")["reason"])
    assert len(reasons) == 4 and any("value 'n/a'" in r for r in reasons)
    assert any("duplicate timestamp" in r for r in reasons)

    requests_before = len(httpserver.log)
    second = ingestor.run(source)
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert len(httpserver.log) - requests_before == 3 * 2  # index and the last chunk per filter
    assert len(sqlite_store.observations("internal", district=None)) == 15
    assert len(sqlite_store.quarantine("smard-de")) == 4
    runs = sqlite_store.runs("smard-de")
    assert list(runs["status"]) == ["ok", "partial"] and list(runs["rows_stored"]) == [0, 15]
