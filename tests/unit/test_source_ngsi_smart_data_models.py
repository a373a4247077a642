"""NGSI connector against the official Smart Data Models WasteContainer examples (v2 and LD, keyValues and
normalized), the city's bounding box, and the time attributes real brokers deliver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cockpit.sources.base import Document, Payload
from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher
from cockpit.sources.ngsi import NgsiConnector

THIRD = Path(__file__).parents[1] / "fixtures" / "third_party" / "ngsi"
GERA = [11.95, 50.80, 12.20, 50.95]  # [min lon, min lat, max lon, max lat]
SPAIN = [-9.5, 36.0, 3.5, 44.0]
EXAMPLES = ["example.json", "example-normalized.json", "example.jsonld", "example-normalized.jsonld"]
RETRIEVED = "2026-11-20T10:30:00Z"


def connector(**options) -> NgsiConnector:
    source = SourceConfig(id="waste-containers", connector="ngsi", location="http://broker.invalid",
                          schedule={"interval": "PT30M"}, options={"bbox": GERA, **options})
    return NgsiConnector(source, Fetcher(retries=0))


def payload(*entities, retrieved=RETRIEVED) -> Payload:
    return Payload([Document("entities", json.dumps(list(entities)).encode())],
                   meta={"watermark": None, "retrieved_at": retrieved})


def example(edition: str, name: str) -> dict:
    return json.loads((THIRD / f"{edition}-{name}").read_text())


@pytest.mark.parametrize("name", EXAMPLES)
def test_current_official_examples_have_no_fill_level_and_are_quarantined_with_the_reason(name):
    result = connector().parse(payload(example("current", name)))
    assert result.frame.empty
    assert [r.reason for r in result.rejects] == [
        "urn:ngsi-ld:wastecontainer:1021:AAWD: no fill level (fillingLevel or binFillingLevel): nothing to count"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_2021_official_examples_outside_the_city_are_quarantined(name):
    entity = example("2021", name)
    result = connector().parse(payload(entity))
    assert result.frame.empty and len(result.rejects) == 1
    assert "location [-3.164485591715449, 40.62785133667262] (lon, lat) lies outside the city's bounding box" \
        in result.rejects[0].reason


@pytest.mark.parametrize("name", EXAMPLES)
def test_2021_official_examples_inside_their_city_count_at_the_retrieval_time(name):
    """The examples carry no observation time (only dateLastEmptying): a current-state query's retrieval time
    is used, and the emitted row says so."""
    result = connector(bbox=SPAIN).parse(payload(example("2021", name)))
    assert result.rejects == []
    (row,) = result.frame.itertuples()
    assert row.value == pytest.approx(40.0) and row.period_start.isoformat() == "2026-11-20T10:00:00+00:00"
    assert json.loads(row.raw)["time_from"] == {"retrieval time": 1}


def test_binLoggedTime_of_the_current_model_is_the_observation_time():
    entity = {**example("current", "example.json"), "binFillingLevel": 0.7, "location": {
        "type": "Point", "coordinates": [12.08, 50.88]}}
    result = connector().parse(payload(entity))
    (row,) = result.frame.itertuples()
    assert row.value == pytest.approx(70.0)
    assert row.period_start.isoformat() == "2021-03-01T10:00:00+00:00"  # 15:51:02+05:30
    assert json.loads(row.raw)["time_from"] == {"binLoggedTime": 1}


def test_time_sources_in_order_of_precedence():
    point = {"type": "Point", "coordinates": [12.08, 50.88]}
    v2_metadata = {"id": "a", "type": "WasteContainer", "location": {"type": "geo:json", "value": point},
                   "fillingLevel": {"type": "Number", "value": 0.5, "metadata": {
                       "TimeInstant": {"type": "DateTime", "value": "2026-11-20T08:10:00Z"}}},
                   "dateModified": {"type": "DateTime", "value": "2026-11-20T09:59:00Z"}}
    ld_observed = {"id": "urn:ngsi-ld:WasteContainer:b", "type": "WasteContainer",
                   "location": {"type": "GeoProperty", "value": point},
                   "fillingLevel": {"type": "Property", "value": 0.3, "observedAt": "2026-11-20T08:20:00Z"}}
    iot_agent = {"id": "c", "type": "WasteContainer", "location": point, "fillingLevel": 0.1,
                 "TimeInstant": "2026-11-20T08:30:00Z", "dateModified": "2026-11-20T09:30:00Z"}
    modified = {"id": "d", "type": "WasteContainer", "location": point, "fillingLevel": 0.9,
                "dateModified": "2026-11-20T09:40:00Z"}
    result = connector().parse(payload(v2_metadata, ld_observed, iot_agent, modified))
    assert result.rejects == []
    rows = {row.period_start.hour: (round(row.value, 6), json.loads(row.raw)["time_from"])
            for row in result.frame.itertuples()}
    assert rows == {
        8: (30.0, {"TimeInstant": 1, "fillingLevel.TimeInstant": 1, "fillingLevel.observedAt": 1}),
        9: (90.0, {"dateModified": 1}),
    }


def test_location_in_lat_lon_order_and_missing_location_are_quarantined():
    swapped = {"id": "s", "type": "WasteContainer", "fillingLevel": 0.5, "dateObserved": "2026-11-20T09:00:00Z",
               "location": {"type": "Point", "coordinates": [50.88, 12.08]}}
    nowhere = {"id": "n", "type": "WasteContainer", "fillingLevel": 0.5, "dateObserved": "2026-11-20T09:00:00Z"}
    by_address = {"id": "p", "type": "WasteContainer", "fillingLevel": 0.25, "dateObserved": "2026-11-20T09:00:00Z",
                  "address": {"postalCode": "07545"}}
    result = connector(postcodes={"07545": "stadtmitte"}).parse(payload(swapped, nowhere, by_address))
    assert [r.reason for r in result.rejects] == [
        "s: location [50.88, 12.08] is in latitude/longitude order; GeoJSON is [longitude, latitude] "
        "(not counted: the source must be fixed)",
        "n: no location (neither location nor address.postalCode nor areaServed)",
    ]
    assert {(r.district, r.value) for r in result.frame.itertuples()} == {("", 25.0), ("stadtmitte", 25.0)}


def test_bbox_must_be_ordered():
    with pytest.raises(Exception, match="bbox must be"):
        connector(bbox=[12.2, 50.95, 11.95, 50.8])
