"""OGC SensorThings API 1.1 (/sta/v1.1): conformance with the specification's request/response examples
(tests/fixtures/third_party/sensorthings/spec-15-078-examples.json), the query options, errors, public data only,
caching and the round trip through the cockpit's own SensorThings connector."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from werkzeug import Response

from cockpit import PROJECT_ROOT
from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig
from tests.unit.opendata_support import INTERNAL, ROWS, catalog_file
from tests.unit.opendata_support import seeded_cockpit as _seeded

THIRD_PARTY = Path(__file__).parents[1] / "fixtures" / "third_party" / "sensorthings"
SPEC = json.loads((THIRD_PARTY / "spec-15-078-examples.json").read_text(encoding="utf-8"))
BASE = "https://cockpit.gera.de"
ROOT = f"{BASE}/sta/v1.1"


def seeded_cockpit(tmp_path: Path, **overrides):
    """The open-data test cockpit, its catalog naming the shipped district geometry by absolute path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(catalog_file(tmp_path).read_text(encoding="utf-8"))
    path = tmp_path / "catalog-geo.yaml"
    raw["district_geometry"] = str(PROJECT_ROOT / "data" / "geo" / "districts-demo.geojson")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return _seeded(tmp_path, catalog=path, **overrides)


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return seeded_cockpit(tmp_path_factory.mktemp("sta"), public_url=BASE, api_rate_limit=0)


@pytest.fixture(scope="module")
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()


def get(client, path: str, status: int = 200, **query):
    response = client.get(path, query_string=query)
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_json() if response.is_json else response


def stored(cockpit, indicator_id: str, district: str = "") -> list[tuple[str, float]]:
    frame = cockpit.store.observations("public", [indicator_id], district=district)
    return [(ts.isoformat(), value) for ts, value in zip(frame["period_start"], frame["value"], strict=True)]


# ------------------------------------------------------------------------------------------------ the spec's examples


def test_the_service_root_lists_the_entity_sets_as_the_specification_shows_and_the_conformance(client):
    body = get(client, "/sta/v1.1")
    example = SPEC["service-root"]["response"]
    assert {e["name"] for e in body["value"]} == {e["name"] for e in example["value"]}
    for entry in body["value"]:
        assert set(entry) == {"name", "url"} and entry["url"] == f"{ROOT}/{entry['name']}"
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel" in body["serverSettings"]["conformance"]
    assert get(client, "/sta/v1.1/") == body


def test_an_entity_set_has_the_keys_of_the_specification_example_count_first_and_a_next_link(client, cockpit):
    example = SPEC["entity-set"]["response"]
    body = get(client, "/sta/v1.1/ObservedProperties", **{"$count": "true", "$top": "5"})
    assert list(body)[0] == "@iot.count" and set(body) == set(example)
    public = [i for i in cockpit.catalog.indicators if i.visibility == "public"]
    assert body["@iot.count"] == len(public) and len(body["value"]) == 5
    assert set(body["value"][0]) == set(example["value"][0]) | {"properties"}
    link = urlsplit(body["@iot.nextLink"])
    assert link.path == "/sta/v1.1/ObservedProperties"
    assert parse_qs(link.query)["$skip"] == ["5"] and parse_qs(link.query)["$top"] == ["5"]
    following = get(client, link.path, **{k: v[0] for k, v in parse_qs(link.query).items()})
    assert [e["@iot.id"] for e in following["value"]] == [i.id for i in public][5:10]


def test_a_property_of_an_entity_and_a_null_property(client):
    example = SPEC["property"]["response"]
    observation = get(client, "/sta/v1.1/Observations", **{"$top": "1"})["value"][0]
    body = get(client, f"/sta/v1.1/Observations({observation['@iot.id']})/phenomenonTime")
    assert set(body) == {"phenomenonTime"} and set(example) == {"resultTime"}
    assert body["phenomenonTime"] == observation["phenomenonTime"]
    # a single-valued property that is null: 204 No Content (specification, usage 4)
    assert client.get(f"/sta/v1.1/Observations({observation['@iot.id']})/resultTime").status_code == 204


def test_frost_documented_filter_response_shape(client):
    """The FROST documentation's filtered Observations response and ours share the Observation keys."""
    frost = json.loads((THIRD_PARTY / "frost-docs-filtering-response.json").read_text(encoding="utf-8"))
    theirs = {k for k in frost["value"][0] if not k.endswith("@iot.navigationLink")}
    ours = get(client, "/sta/v1.1/Observations", **{"$filter": "phenomenonTime ge 2024-01-01T00:00:00Z",
                                                     "$top": "1"})["value"][0]
    assert theirs - {"resultQuality", "validTime", "parameters"} <= set(ours)


# ------------------------------------------------------------------------------------------------ entities


def test_things_are_the_city_and_its_districts_with_locations_from_the_district_geometry(client, cockpit):
    things = get(client, "/sta/v1.1/Things", **{"$top": "100"})["value"]
    assert [t["@iot.id"] for t in things] == ["city", *[d.id for d in cockpit.catalog.districts]]
    location = get(client, "/sta/v1.1/Things('lusan')/Locations")["value"][0]
    assert location["encodingType"] == "application/geo+json"
    assert location["location"]["type"] == "Polygon"
    city = get(client, "/sta/v1.1/Locations('city')")
    assert city["location"]["type"] == "MultiPolygon"
    assert len(city["location"]["coordinates"]) == len(cockpit.catalog.districts)


def test_datastreams_carry_unit_licence_and_their_observations(client, cockpit):
    stream = get(client, "/sta/v1.1/Datastreams('recycling-rate:city')", **{"$expand": "Observations"})
    indicator = cockpit.catalog.indicator("recycling-rate")
    assert stream["unitOfMeasurement"]["symbol"] == indicator.unit.de
    assert stream["properties"]["licence"] == indicator.source.licence
    assert stream["properties"]["attribution"] == indicator.source.attribution
    assert stream["observationType"].endswith("OM_Measurement")
    assert [o["result"] for o in stream["Observations"]] == [v for _, v in stored(cockpit, "recycling-rate")]
    assert stream["phenomenonTime"] == "2023-09-30T22:00:00Z/2026-09-30T22:00:00Z"
    district = get(client, "/sta/v1.1/Things('lusan')/Datastreams", **{"$select": "id"})["value"]
    assert {"@iot.id": "charge-points-per-1000:lusan"} in district


def test_observations_name_their_quality_and_their_datastream(client):
    body = get(client, "/sta/v1.1/Datastreams('recycling-rate:city')/Observations",
               **{"$expand": "Datastream($select=id)", "$orderby": "phenomenonTime desc", "$top": "2"})
    first = body["value"][0]
    assert first["phenomenonTime"] == "2026-09-30T22:00:00Z" and first["result"] == 57.3
    assert first["Datastream"] == {"@iot.id": "recycling-rate:city"}
    measures = {q["nameOfMeasure"]: q["result"] for q in first["resultQuality"]}
    assert measures["plausibility"] == "within range"
    outlier = get(client, "/sta/v1.1/Observations", **{"$filter": "phenomenonTime ge 2025-09-01T00:00:00Z and "
                                                                   "phenomenonTime lt 2025-11-01T00:00:00Z"})
    assert [o["result"] for o in outlier["value"]] == [1234.5]
    assert outlier["value"][0]["resultQuality"][0]["result"] == "outside range"


def test_filter_on_phenomenon_time_and_ids_orderby_select_skip(client):
    path = "/sta/v1.1/Datastreams('recycling-rate:city')/Observations"
    later = get(client, path, **{"$filter": "phenomenonTime gt 2024-09-30T22:00:00Z", "$count": "true"})
    assert later["@iot.count"] == 3
    assert [o["result"] for o in later["value"]] == [54.0, 1234.5, 57.3]
    le = get(client, path, **{"$filter": "phenomenonTime le 2024-09-30T22:00:00Z"})
    assert [o["result"] for o in le["value"]] == [50.5, 53.25]
    first_id = le["value"][0]["@iot.id"]
    by_id = get(client, "/sta/v1.1/Observations", **{"$filter": f"id eq {first_id}"})
    assert [o["result"] for o in by_id["value"]] == [50.5]
    selected = get(client, path, **{"$select": "result", "$orderby": "result desc", "$skip": "1", "$top": "1"})
    assert selected["value"] == [{"result": 57.3}]
    zoned = get(client, path, **{"$filter": "phenomenonTime lt 2024-10-01T00:00:00+02:00"})
    assert [o["result"] for o in zoned["value"]] == [50.5]
    named = get(client, "/sta/v1.1/Observations", **{"$filter": "Datastream/id eq 'charge-points-per-1000:lusan'"})
    assert [o["result"] for o in named["value"]] == [0.9]


def test_paging_by_next_link_reads_every_observation_once(client, cockpit):
    url, seen = "/sta/v1.1/Observations?$top=2", []
    while url:
        body = client.get(url).get_json()
        seen += [o["@iot.id"] for o in body["value"]]
        url = body.get("@iot.nextLink", "").removeprefix(BASE)
    public = [r for r in ROWS if r[0] not in INTERNAL]
    assert len(seen) == len(set(seen)) == len(public)
    assert get(client, "/sta/v1.1/Observations", **{"$top": "5000"})["value"].__len__() == len(public)


def test_observation_pages_continue_after_the_last_id_and_keep_the_count(client, cockpit):
    """In id order @iot.nextLink carries the page's last id ($skiptoken, OData's server-driven paging) instead of
    $skip, both directions; the count stays that of the whole collection; other orders page by $skip."""
    public = len([r for r in ROWS if r[0] not in INTERNAL])
    for order in ("", "id desc"):
        query = {"$top": "3", "$count": "true", "$skip": "1", **({"$orderby": order} if order else {})}
        body, seen = get(client, "/sta/v1.1/Observations", **query), []
        while True:
            seen += [o["@iot.id"] for o in body["value"]]
            assert body["@iot.count"] == public
            if "@iot.nextLink" not in body:
                break
            link = parse_qs(urlsplit(body["@iot.nextLink"]).query)
            assert "$skip" not in link and link["$skiptoken"] == [str(seen[-1])] and link["$top"] == ["3"]
            body = get(client, urlsplit(body["@iot.nextLink"]).path, **{k: v[0] for k, v in link.items()})
        assert seen == sorted(seen, reverse=bool(order)) and len(seen) == len(set(seen)) == public - 1
    by_time = get(client, "/sta/v1.1/Observations", **{"$top": "2", "$orderby": "phenomenonTime"})
    assert parse_qs(urlsplit(by_time["@iot.nextLink"]).query)["$skip"] == ["2"]
    for query in ({"$skiptoken": "x"}, {"$skiptoken": "3", "$orderby": "result"}):
        assert client.get("/sta/v1.1/Observations", query_string=query).status_code == 400
    assert client.get("/sta/v1.1/Things", query_string={"$skiptoken": "3"}).status_code == 400


def test_the_plain_observation_list_is_what_select_of_every_property_gives(client):
    """Observations without $select/$expand take a cheaper path: the same entities, keys in the same order, as
    asking for every property and navigation link by name; and id order both ways (the primary key path)."""
    plain = get(client, "/sta/v1.1/Observations", **{"$top": "50"})["value"]
    every = ",".join(("id", "selfLink", "phenomenonTime", "resultTime", "result", "resultQuality", "Datastream",
                      "FeatureOfInterest"))
    named = get(client, "/sta/v1.1/Observations", **{"$top": "50", "$select": every})["value"]
    assert [list(o) for o in plain] == [list(o) for o in named] and plain == named
    assert any("resultQuality" in o for o in plain) and len(plain) == len([r for r in ROWS if r[0] not in INTERNAL])
    ids = [o["@iot.id"] for o in plain]
    assert ids == sorted(ids)
    newest = get(client, "/sta/v1.1/Observations", **{"$top": "3", "$orderby": "id desc", "$count": "true"})
    assert [o["@iot.id"] for o in newest["value"]] == sorted(ids, reverse=True)[:3]  # 50 > every public row
    assert newest["@iot.count"] == len([r for r in ROWS if r[0] not in INTERNAL])


# ------------------------------------------------------------------------------------------------ public only


def test_internal_indicators_appear_nowhere(client, cockpit):
    names = [cockpit.catalog.indicator(i).name.de for i in INTERNAL] + list(INTERNAL)
    for path in ("/sta/v1.1/Datastreams?$top=1000", "/sta/v1.1/Sensors?$top=1000",
                 "/sta/v1.1/ObservedProperties?$top=1000", "/sta/v1.1/Observations?$top=1000&$expand=Datastream",
                 "/sta/v1.1/Things?$expand=Datastreams"):
        text = client.get(path).get_data(as_text=True)
        assert not [n for n in names if n in text], path
    internal_stream = f"{INTERNAL[0]}:city"
    get(client, f"/sta/v1.1/Datastreams('{internal_stream}')", 404)
    get(client, f"/sta/v1.1/Sensors('{INTERNAL[0]}')", 404)
    internal_ids = [int(i) for i in range(1, 20)]
    public_ids = {o["@iot.id"] for o in get(client, "/sta/v1.1/Observations", **{"$top": "1000"})["value"]}
    for ident in set(internal_ids) - public_ids:
        get(client, f"/sta/v1.1/Observations({ident})", 404)


def test_a_staff_cookie_changes_nothing(client):
    anonymous = client.get("/sta/v1.1/Datastreams?$top=1000").get_data()
    client.set_cookie("cockpit_session", "x" * 43)
    response = client.get("/sta/v1.1/Datastreams?$top=1000")
    client.delete_cookie("cockpit_session")
    assert response.get_data() == anonymous and "Set-Cookie" not in response.headers


# ------------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("query, fragment", [
    ({"$top": "-1"}, "$top"),
    ({"$top": "ten"}, "$top"),
    ({"$skip": "1e3"}, "$skip"),
    ({"$count": "yes"}, "$count"),
    ({"$orderby": "phenomenonTime sideways"}, "$orderby"),
    ({"$orderby": "colour"}, "colour"),
    ({"$select": "colour"}, "colour"),
    ({"$expand": "Thing"}, "Thing"),
    ({"$expand": "Datastream($top=1"}, "parentheses"),
    ({"$filter": "phenomenonTime gt yesterday"}, "literal"),
    ({"$filter": "phenomenonTime gt 2024-01-01T00:00:00"}, "zone"),
    ({"$filter": "phenomenonTime gt 2024-13-45T00:00:00Z"}, "valid time"),
    ({"$filter": "result gt 3 or result lt 1"}, "and"),
    ({"$filter": "substringof('a', name)"}, "and"),
    ({"$filter": "colour eq 'red'"}, "colour"),
    ({"$filter": "Thing/name eq 'x'"}, "Thing/name"),
    ({"$filter": "phenomenonTime gt 5"}, "phenomenonTime"),
    ({"$filter": "phenomenonTime gt"}, "$filter"),
    ({"top": "5"}, "top"),
])
def test_malformed_query_options_are_400_with_a_message(client, query, fragment):
    body = get(client, "/sta/v1.1/Observations", 400, **query)
    assert body["code"] == 400 and fragment in body["message"]


def test_unsupported_system_options_are_501_and_bad_paths_4xx(client):
    assert get(client, "/sta/v1.1/Observations", 501, **{"$resultFormat": "dataArray"})["code"] == 501
    get(client, "/sta/v1.1/Things('nowhere')", 404)
    get(client, "/sta/v1.1/Unicorns", 404)
    get(client, "/sta/v1.1/Observations(abc)", 400)
    get(client, "/sta/v1.1/Observations(99999999)", 404)
    get(client, "/sta/v1.1/Things/Datastreams", 400)
    get(client, "/sta/v1.1/Things('city')/colour", 404)
    get(client, "/sta/v1.1/Things('city')", 400, **{"$top": "1"})
    assert client.get("/sta/v1.1/Observations?$top=1&$top=2").status_code == 400
    assert client.post("/sta/v1.1/Things", json={"name": "x"}).status_code == 405


def test_caching_and_rate_limit_as_for_the_open_data_api(tmp_path):
    from layouts.app import create_app

    limited = create_app(seeded_cockpit(tmp_path, api_rate_limit=2)).server.test_client()
    first = limited.get("/sta/v1.1/Things")
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"]
    again = limited.get("/sta/v1.1/Things", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    third = limited.get("/sta/v1.1/Things")
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1


# ------------------------------------------------------------------------------------------------ round trip


def test_round_trip_the_cockpits_own_connector_stores_the_same_observations(tmp_path, httpserver):
    """A second cockpit serves /sta/v1.1 (behind a local HTTP server); the first ingests it with its SensorThings
    connector, paging by @iot.nextLink, and stores the same observations."""
    from layouts.app import create_app

    origin = seeded_cockpit(tmp_path / "origin", public_url=httpserver.url_for("/").rstrip("/"), api_rate_limit=0)
    served = create_app(origin).server.test_client()

    def proxy(request):
        answer = served.get(request.path, query_string=request.query_string.decode("ascii"))
        return Response(answer.get_data(), status=answer.status_code, content_type=answer.content_type)

    httpserver.expect_request(re.compile(r"^/sta/v1\.1/.*")).respond_with_handler(proxy)
    target = seeded_cockpit(tmp_path / "target", rows=[])
    source = SourceConfig(
        id="gera-sta", connector="sensorthings", location=httpserver.url_for("/sta/v1.1"),
        schedule={"interval": "PT1H"},
        options={"page_size": 2, "datastreams": [
            {"datastream": "recycling-rate:city", "indicator": "recycling-rate"},
            {"datastream": "charge-points-per-1000:city", "indicator": "charge-points-per-1000"},
            {"datastream": "charge-points-per-1000:lusan", "indicator": "charge-points-per-1000",
             "district": "lusan"},
        ]},
    )
    outcome = Ingestor(target.store, target.catalog).run(source)
    assert outcome.status in ("ok", "partial"), outcome
    for indicator_id, district in (("recycling-rate", ""), ("charge-points-per-1000", ""),
                                   ("charge-points-per-1000", "lusan")):
        theirs = stored(origin, indicator_id, district)
        ours = stored(target, indicator_id, district)
        if indicator_id == "recycling-rate":  # the 1234.5 outlier is quarantined by the receiving validation
            theirs = [row for row in theirs if row[1] <= 100]
        assert ours == theirs and ours
    second = Ingestor(target.store, target.catalog).run(source)
    assert second.stored == 0  # the watermark holds: nothing is fetched twice
