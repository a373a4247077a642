"""SensorThings through the real ingest: a FROST stand-in with paging and $filter, into a temp SQLite store."""

from __future__ import annotations

import pytest

from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig
from tests.unit.test_source_sensorthings import STREAM7, MiniFrost, sample_observations


def test_sensorthings_ingest_twice_then_one_new_observation(httpserver, sqlite_store, catalog):
    observations = sample_observations()
    frost = MiniFrost(httpserver, {7: observations})
    source = SourceConfig(
        id="building-meters",
        connector="sensorthings",
        location=frost.base,
        schedule={"interval": "PT1H"},
        retries=0,
        options={"datastreams": [STREAM7], "page_size": 5},
    )
    ingestor = Ingestor(sqlite_store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 5, 8, None)
    stored = sqlite_store.observations("internal", district=None)
    assert sorted(stored["value"]) == pytest.approx([29.95075, 30.112, 31.0055, 41.2505, 44.98025])
    assert sqlite_store.observations("public", district=None).empty  # the indicator is internal
    reasons = list(sqlite_store.quarantine("building-meters")["reason"])
    assert "Datastreams(7): Observation 1003: missing result" in reasons and len(reasons) == 8
    assert sqlite_store.watermark("building-meters") == "2024-03-11T23:00:00Z"

    second = ingestor.run(source)
    assert httpserver.log[-1][0].args["$filter"] == "phenomenonTime gt 2024-03-11T23:00:00Z"
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert (
        len(sqlite_store.observations("internal", district=None)) == 5 and len(sqlite_store.quarantine()) == 8
    )

    observations.append(
        {"@iot.id": 1013, "phenomenonTime": "2024-03-12T23:00:00Z/2024-03-13T23:00:00Z", "result": 43000.0}
    )
    third = ingestor.run(source)
    assert (third.status, third.stored, third.rejected) == ("ok", 1, 0)
    assert sqlite_store.watermark("building-meters") == "2024-03-12T23:00:00Z"
    assert [r for r in sqlite_store.runs("building-meters")["rows_stored"]] == [1, 0, 5]
