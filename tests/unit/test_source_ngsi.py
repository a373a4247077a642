"""NGSI connector against recorded WasteContainer entities (v2 keyValues/normalized, NGSI-LD), files and HTTP."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from werkzeug import Response

from cockpit import PROJECT_ROOT
from cockpit.sources.base import Document, Payload
from cockpit.sources.http import Fetcher
from cockpit.sources.ngsi import NgsiConnector, detect_flavour
from tests.conftest import SAMPLES
from tests.unit.source_support import assert_html_page_refused, assert_refused, hourly_means, make_connector

FOLDER = SAMPLES / "ngsi"
BROKEN = FOLDER / "broken"
POSTCODES = {
    "07545": "stadtmitte",
    "07546": "bieblach-tinz",
    "07549": "lusan",
    "07551": "zwoetzen-liebschwitz",
    "07552": "langenberg",
    "07554": "leumnitz-pforten",
    "07557": "roeppisch-zeulsdorf",
}


def connector(location, **options) -> NgsiConnector:
    options = {"postcodes": POSTCODES, **options}
    return make_connector(NgsiConnector, "ngsi-test", location, {"interval": "PT30M"}, options)


def run(c: NgsiConnector, watermark=None):
    return c.parse(c.fetch(watermark))


def file_payload(path, watermark=None) -> Payload:
    return Payload([Document(str(path), path.read_bytes())], meta={"watermark": watermark})


class MiniBroker:
    """Serves GET /v2/entities and /ngsi-ld/v1/entities with limit/offset from a list of entities."""

    def __init__(self, httpserver, entities: list[dict], path="/v2/entities"):
        self.entities = entities
        httpserver.expect_request(path).respond_with_handler(self.handle)

    def handle(self, request):
        limit, offset = int(request.args["limit"]), int(request.args.get("offset", 0))
        page = self.entities[offset : offset + limit]
        return Response(
            json.dumps(page),
            content_type="application/json",
            headers={"Fiware-Total-Count": str(len(self.entities))},
        )


# ---------------------------------------------------------------------- v2 keyValues
def test_v2_key_values_mean_fill_level_per_district_and_city_per_hour():
    result = run(connector(FOLDER / "v2-keyvalues"))
    assert hourly_means(result.frame) == {
        "10:00": {"city": 52.0, "stadtmitte": 50.0, "lusan": 55.0, "zwoetzen-liebschwitz": 50.0},
        "11:00": {"city": 65.0, "stadtmitte": 65.0},  # dateModified when dateObserved is missing
    }
    assert set(result.frame["indicator"]) == {"smart-bin-fill-level"}
    row = result.frame.iloc[0]
    assert row.period_start == pd.Timestamp("2024-05-01T10:00Z")
    assert row.period_end == pd.Timestamp("2024-05-01T11:00Z")
    assert result.watermark == "2024-05-01T11:05:00Z"


def test_v2_bad_entities_are_rejected_with_reasons_and_left_out_of_the_means():
    result = run(connector(FOLDER / "v2-keyvalues"))
    assert [r.reason for r in result.rejects] == [
        "wastecontainer:gera:006: status 'vandalized': the fill level cannot be trusted",
        "wastecontainer:gera:007: no fill level (fillingLevel or binFillingLevel): nothing to count",
        "wastecontainer:gera:008: fillingLevel 1.4 outside 0..1",
        "wastecontainer:gera:009: fillingLevel '80%' is not a number",
        "wastecontainer:gera:010: postcode '99999' is not mapped to a district (add it to the 'postcodes' option)",
        "wastecontainer:gera:011: dateObserved: timestamp '2024-05-01T10:20:00' has no time zone",
        "wastecontainer:gera:001: duplicate entity, the first one was used",
        "wastecontainermodel:1: entity type 'WasteContainerModel', expected 'WasteContainer'",
        "wastecontainer:gera:013: status 'burning': the fill level cannot be trusted",
        "wastecontainer:gera:014: no fill level (fillingLevel or binFillingLevel): nothing to count",
    ]
    assert json.loads(result.rejects[0].raw)["id"] == "wastecontainer:gera:006"


def test_without_postcodes_only_city_wide_means_are_emitted():
    result = run(connector(FOLDER / "v2-keyvalues", postcodes={}))
    assert set(result.frame["district"]) == {""}
    assert hourly_means(result.frame)["10:00"]["city"] == pytest.approx(
        100 * (0.4 + 0.6 + 0.2 + 0.9 + 0.5 + 0.3) / 6
    )


def test_v2_normalized():
    result = run(connector(FOLDER / "v2-normalized" / "entities.json"))
    assert hourly_means(result.frame) == {"08:00": {"city": 50.0, "bieblach-tinz": 50.0}}
    assert [r.reason for r in result.rejects] == [
        "wastecontainer:gera:023: status 'dropped': the fill level cannot be trusted"
    ]
    assert json.loads(result.frame.iloc[0].raw)["flavour"] == "v2"


# ---------------------------------------------------------------------- NGSI-LD
def test_ld_normalized_with_context_observed_at_and_datetime_values():
    result = run(connector(FOLDER / "ld" / "entities.json"))
    assert hourly_means(result.frame) == {"09:00": {"city": 61.666667, "lusan": 45.0, "leumnitz-pforten": 95.0}}
    assert [r.reason for r in result.rejects] == [
        "urn:ngsi-ld:WasteContainer:gera-034: fillingLevel 1.2 outside 0..1"
    ]
    assert json.loads(result.frame.iloc[0].raw)["flavour"] == "ld"
    assert result.watermark == "2024-05-01T09:50:00Z"


def test_ld_key_values_with_expanded_names_and_a_numeric_postcode():
    result = run(connector(FOLDER / "ld" / "entities-keyvalues.json"))
    assert hourly_means(result.frame) == {"09:00": {"city": 40.0, "roeppisch-zeulsdorf": 40.0}}
    assert result.rejects == []


def test_detect_flavour():
    assert detect_flavour(json.loads((FOLDER / "ld" / "entities.json").read_text())) == "ld"
    assert detect_flavour(json.loads((FOLDER / "v2-normalized" / "entities.json").read_text())) == "v2"
    assert detect_flavour([{"id": "urn:ngsi-ld:WasteContainer:1", "fillingLevel": 0.3}]) == "ld"


# ---------------------------------------------------------------------- HTTP
def test_v2_over_http_pages_with_limit_and_offset_and_sends_the_service_headers(httpserver):
    entities = json.loads((FOLDER / "v2-keyvalues" / "entities.json").read_text())
    MiniBroker(httpserver, entities)
    c = connector(httpserver.url_for("/"), service="gera", service_path="/waste", page_size=5)
    payload = c.fetch(None)
    requests = [request for request, _ in httpserver.log]
    assert [r.args["offset"] for r in requests] == [
        "0",
        "5",
        "10",
        "15",
    ]  # 16 entities, the last page is short
    first = requests[0]
    assert first.args["type"] == "WasteContainer" and first.args["limit"] == "5"
    assert first.args["options"] == "count,keyValues"
    assert first.headers["Fiware-Service"] == "gera" and first.headers["Fiware-ServicePath"] == "/waste"
    result = c.parse(payload)
    assert hourly_means(result.frame)["10:00"]["city"] == 52.0 and len(result.rejects) == 10


def test_ld_over_http_uses_the_ld_path_tenant_and_accept_header(httpserver):
    entities = json.loads((FOLDER / "ld" / "entities.json").read_text())
    MiniBroker(httpserver, entities, path="/ngsi-ld/v1/entities")
    c = connector(
        httpserver.url_for("/"),
        flavour="ld",
        service="gera",
        key_values=False,
        context="https://smartdatamodels.org/context.jsonld",
    )
    result = run(c)
    request = httpserver.log[0][0]
    assert request.headers["Accept"] == "application/ld+json" and request.headers["NGSILD-Tenant"] == "gera"
    assert "smartdatamodels.org/context.jsonld" in request.headers["Link"]
    assert request.args["options"] == "sysAttrs"  # modifiedAt of each entity (the time when nothing else is given)
    assert hourly_means(result.frame)["09:00"]["lusan"] == 45.0


def test_auto_flavour_follows_an_ngsi_ld_location(httpserver):
    MiniBroker(httpserver, [], path="/ngsi-ld/v1/entities")
    payload = connector(httpserver.url_for("/ngsi-ld/v1")).fetch(None)
    assert payload.meta["flavour"] == "ld"


# ---------------------------------------------------------------------- incremental
def test_the_same_snapshot_again_yields_nothing():
    c = connector(FOLDER / "v2-keyvalues")
    result = run(c, watermark="2024-05-01T11:05:00Z")
    assert result.frame.empty and result.rejects == [] and result.watermark is None


def test_only_hours_with_new_observations_are_emitted():
    c = connector(FOLDER / "v2-keyvalues")
    result = c.parse(file_payload(FOLDER / "v2-keyvalues" / "entities-later.json", "2024-05-01T11:05:00Z"))
    assert hourly_means(result.frame) == {"11:00": {"city": 53.5, "stadtmitte": 53.5}}
    assert result.rejects == []  # the vandalized container was observed in an hour already stored
    assert result.watermark == "2024-05-01T11:21:00Z"


# ---------------------------------------------------------------------- malformed payloads
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("error_page.html", "got an HTML/XML page instead of JSON"),
        ("truncated.json", r"(truncated|invalid) JSON"),
        (
            "broker_error.json",
            "the broker answered with an error: BadRequest: invalid character in URI parameter",
        ),
        ("not_an_array.json", "wrong schema, expected a JSON array of entities, got dict"),
        ("empty.json", "empty response"),
        ("latin1.json", "not UTF-8 encoded JSON"),
    ],
)
def test_unusable_payload(name, message):
    assert_refused(lambda path: connector(FOLDER).parse(file_payload(path)), BROKEN / name, "ngsi-test", message)


def test_html_error_page_with_status_200_from_the_broker(httpserver):
    assert_html_page_refused(httpserver, "/v2/entities", (BROKEN / "error_page.html").read_bytes(),
                             lambda: connector(httpserver.url_for("/")).fetch(None),
                             r"source 'ngsi-test', http://.*/v2/entities\?.*: got an HTML/XML page")


def test_demo_postcodes_in_the_sources_file_match_the_catalog(catalog):
    sources = yaml.safe_load((PROJECT_ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    waste = next(s for s in sources if s["id"] == "waste-containers")
    expected = {code: d.id for d in catalog.districts for code in d.postcodes}
    assert waste["options"]["postcodes"] == expected


def test_demo_payload_of_the_sources_file(catalog):
    from cockpit.sources.config import load_sources

    source = next(
        s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "waste-containers"
    )
    c = NgsiConnector(source, Fetcher())
    result = c.parse(c.fetch(None))
    assert set(result.frame["district"]) == {"", *catalog.district_ids}
    assert [r.reason.split(": ", 1)[1] for r in result.rejects] == [
        "status 'vandalized': the fill level cannot be trusted"
    ]
    assert result.frame["value"].between(0, 100).all()
