"""District GeoJSON for map clients (/api/v1/indicators/<id>/districts.geojson): annual values per district with
the district geometry, public indicators only, 4xx on bad requests, caching as the API."""

from __future__ import annotations

import pytest

from tests.unit.opendata_support import INTERNAL, ROWS
from tests.unit.test_sta import seeded_cockpit

EXTRA = [("charge-points-per-1000", "lusan", "2025-09-01T00:00:00+02:00", 0.7),
         ("charge-points-per-1000", "stadtmitte", "2026-09-01T00:00:00+02:00", 2.5)]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from layouts.app import create_app

    cockpit = seeded_cockpit(tmp_path_factory.mktemp("geojson"), rows=ROWS + EXTRA, api_rate_limit=0)
    return create_app(cockpit).server.test_client()


def test_each_district_is_a_feature_with_its_geometry_and_values_per_year(client):
    response = client.get("/api/v1/indicators/charge-points-per-1000/districts.geojson")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/geo+json")
    body = response.get_json()
    features = {f["id"]: f for f in body["features"]}
    assert len(features) == 8 and all(f["geometry"]["type"] == "Polygon" for f in features.values())
    lusan = features["lusan"]["properties"]
    assert lusan["values"] == {"2025": 0.7, "2026": 0.9} and (lusan["year"], lusan["value"]) == (2026, 0.9)
    assert features["langenberg"]["properties"]["values"] == {} and features["langenberg"]["properties"]["value"] is None
    assert body["source"]["licence"] and body["indicator"]["unit"]
    year = client.get("/api/v1/indicators/charge-points-per-1000/districts.geojson?year=2025").get_json()
    chosen = {f["id"]: f["properties"]["value"] for f in year["features"]}
    assert chosen["lusan"] == 0.7 and chosen["stadtmitte"] is None


@pytest.mark.parametrize("path, status", [
    (f"/api/v1/indicators/{INTERNAL[0]}/districts.geojson", 404),
    ("/api/v1/indicators/no-such/districts.geojson", 404),
    ("/api/v1/indicators/recycling-rate/districts.geojson", 404),
    ("/api/v1/indicators/charge-points-per-1000/districts.geojson?year=twenty", 400),
    ("/api/v1/indicators/charge-points-per-1000/districts.geojson?year=1800", 400),
    ("/api/v1/indicators/charge-points-per-1000/districts.geojson?colour=red", 400),
])
def test_bad_requests(client, path, status):
    response = client.get(path)
    assert response.status_code == status and response.get_json()["error"]["message"]


def test_cached_like_the_api(client):
    first = client.get("/api/v1/indicators/charge-points-per-1000/districts.geojson")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/indicators/charge-points-per-1000/districts.geojson",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_masterportal_style_expand_path_on_sensorthings(client):
    """The Masterportal's SensorThings layer asks Things with Locations and each Datastream's latest Observation."""
    response = client.get("/sta/v1.1/Things", query_string={
        "$expand": "Locations,Datastreams/Observations($orderby=phenomenonTime desc;$top=1)", "$top": "100",
        "$filter": "properties/type eq 'district'"})
    assert response.status_code == 200
    things = {t["@iot.id"]: t for t in response.get_json()["value"]}
    assert "city" not in things and len(things) == 8
    lusan = things["lusan"]
    assert lusan["Locations"][0]["location"]["type"] == "Polygon"
    stream = next(d for d in lusan["Datastreams"] if d["@iot.id"] == "charge-points-per-1000:lusan")
    assert [o["result"] for o in stream["Observations"]] == [0.9]
