"""SensorThings through the real ingest: a FROST stand-in with paging and $filter, into a temp SQLite store."""

from __future__ import annotations

import pytest

from cockpit.jobs.ingest import Ingestor
from tests.unit.source_support import source_config
from tests.unit.test_source_sensorthings import STREAM7, MiniFrost, sample_observations


def test_sensorthings_ingest_twice_then_one_new_observation(httpserver, sqlite_store, catalog):
    observations = sample_observations()
    frost = MiniFrost(httpserver, {7: observations})
    source = source_config("building-meters", "sensorthings", frost.base, {"interval": "PT1H"},
                           {"datastreams": [STREAM7], "page_size": 5})
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

    observations.append({"@iot.id": 1013, "phenomenonTime": "2024-03-12T23:00:00Z/2024-03-13T23:00:00Z",
                         "result": 43000.0, "Datastream": {"@iot.id": 7}})
    third = ingestor.run(source)
    assert (third.status, third.stored, third.rejected) == ("ok", 1, 0)
    assert sqlite_store.watermark("building-meters") == "2024-03-12T23:00:00Z"
    assert [r for r in sqlite_store.runs("building-meters")["rows_stored"]] == [1, 0, 5]


def test_observations_are_attributed_by_their_own_datastream_id(httpserver, sqlite_store, catalog):
    """A server (or proxy) that ignores the path answers Datastreams(7) with Observations of other Datastreams:
    one of configured Datastream 8 is stored under 8 (its own district), one of unknown Datastream 99 and one
    that does not name its Datastream are quarantined; nothing lands under 7 that is not 7's."""
    mine = {"@iot.id": 2001, "phenomenonTime": "2024-03-01T23:00:00Z", "result": 1000.0, "Datastream": {"@iot.id": 7}}
    other = {"@iot.id": 2002, "phenomenonTime": "2024-03-01T23:00:00Z", "result": 5.0, "Datastream": {"@iot.id": 8}}
    unknown = {"@iot.id": 2003, "phenomenonTime": "2024-03-02T23:00:00Z", "result": 6.0, "Datastream": {"@iot.id": 99}}
    anonymous = {"@iot.id": 2004, "phenomenonTime": "2024-03-02T23:00:00Z", "result": 7.0}
    frost = MiniFrost(httpserver, {7: [mine, other, unknown, anonymous], 8: []})
    stream8 = {"datastream": 8, "indicator": "smart-bin-fill-level", "district": "lusan"}  # a district series
    source = source_config("building-meters", "sensorthings", frost.base, {"interval": "PT1H"},
                           {"datastreams": [STREAM7, stream8], "page_size": 10})
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected) == ("partial", 2, 2)
    stored = sqlite_store.observations("internal", district=None)
    assert {(r.district, r.value) for r in stored.itertuples()} == {("", 1.0), ("lusan", 5.0)}
    reasons = sorted(sqlite_store.quarantine("building-meters")["reason"])
    assert reasons == [
        "Datastreams(7): Observation 2003 belongs to Datastream 99, which is not configured (the server ignored "
        "the request's path?)",
        "Datastreams(7): Observation 2004 does not name its Datastream (the server ignored $expand=Datastream); "
        "not attributed to the requested one",
    ]
    second = ingestor.run(source)
    assert second.stored == 0 and len(sqlite_store.quarantine("building-meters")) == 2
    assert len(sqlite_store.observations("internal", district=None)) == 2
