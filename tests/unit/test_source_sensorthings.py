"""SensorThings connector against recorded Observation pages (local folder, static server, a small FROST stand-in)."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
from werkzeug import Response

from cockpit.sources.base import Document, Payload, PayloadError
from cockpit.sources.http import Fetcher
from cockpit.sources.sensorthings import SensorThingsConnector
from tests.conftest import SAMPLES
from tests.unit.source_support import assert_html_page_refused, assert_refused, make_connector

FOLDER = SAMPLES / "sensorthings"
BROKEN = FOLDER / "broken"
STREAM7 = {"datastream": 7, "indicator": "municipal-buildings-electricity", "scale": 0.001}
STREAM8 = {"datastream": 8, "indicator": "other-meter", "district": "lusan"}


def connector(location, *streams, **options) -> SensorThingsConnector:
    options = {"datastreams": list(streams) or [STREAM7], **options}
    return make_connector(SensorThingsConnector, "sta-test", location, {"interval": "PT1H"}, options)


def sample_observations(stream="Datastreams(7)") -> list[dict]:
    pages = ["Observations.json", "Observations-page2.json", "Observations-page3.json"]
    return [
        o
        for page in pages
        if (FOLDER / stream / page).exists()
        for o in json.loads((FOLDER / stream / page).read_text())["value"]
    ]


def _start(observation) -> datetime | None:
    try:
        return datetime.fromisoformat(str(observation.get("phenomenonTime")).split("/")[0])
    except ValueError:
        return None


class MiniFrost:
    """Serves Datastreams(N)/Observations with $top, $skip, $filter=phenomenonTime gt and absolute nextLinks."""

    def __init__(self, httpserver, streams: dict[int, list[dict]]):
        self.streams = streams
        self.base = httpserver.url_for("/FROST-Server/v1.1")
        httpserver.expect_request(
            re.compile(r"^/FROST-Server/v1\.1/Datastreams\(\d+\)/Observations$")
        ).respond_with_handler(self.handle)

    def handle(self, request):
        stream = int(re.search(r"Datastreams\((\d+)\)", request.path)[1])
        observations = self.streams[stream]
        top, skip = int(request.args.get("$top", 100)), int(request.args.get("$skip", 0))
        if "$filter" in request.args:
            after = datetime.fromisoformat(
                re.fullmatch(r"phenomenonTime gt (\S+)", request.args["$filter"])[1]
            )
            observations = [
                o for o in observations if _start(o) is not None and _start(o).tzinfo and _start(o) > after
            ]
        body = {"@iot.count": len(observations), "value": observations[skip : skip + top]}
        if skip + top < len(observations):
            query = {**request.args, "$skip": str(skip + top)}
            body["@iot.nextLink"] = f"{self.base}/Datastreams({stream})/Observations?{urlencode(query)}"
        return Response(json.dumps(body), content_type="application/json")


def serve_folder(httpserver, folder):
    def handler(request):
        path = folder / request.path.removeprefix("/v1.1/")
        if request.path.endswith("/Observations"):
            path = path.with_name("Observations.json")
        return (
            Response(path.read_bytes(), content_type="application/json")
            if path.is_file()
            else Response("not found", status=404)
        )

    httpserver.expect_request(re.compile(r"^/v1\.1/.*")).respond_with_handler(handler)
    return httpserver.url_for("/v1.1")


def ids(frame: pd.DataFrame) -> list[int]:
    return [json.loads(raw)["@iot.id"] for raw in frame["raw"]]


# ---------------------------------------------------------------------- valid data and paging
def test_three_local_pages_followed_by_next_link():
    c = connector(FOLDER)
    payload = c.fetch(None)
    assert [d.name.rsplit("/", 1)[-1] for d in payload.documents] == [
        "Observations.json",
        "Observations-page2.json",
        "Observations-page3.json",
    ]
    result = c.parse(payload)
    assert ids(result.frame) == [1001, 1002, 1005, 1008, 1009]
    first = result.frame.iloc[0]
    assert first.value == pytest.approx(41.2505)  # kWh × 0.001 = MWh
    assert first.period_start == pd.Timestamp("2024-03-01T23:00Z")
    assert first.period_end == pd.Timestamp("2024-03-02T23:00Z")
    instant = result.frame.iloc[-1]
    assert instant.period_start == pd.Timestamp("2024-03-09T23:00Z") and pd.isna(instant.period_end)
    assert (
        result.watermark == "2024-03-11T23:00:00Z"
    )  # a rejected observation with a readable time counts too


def test_bad_observations_are_rejected_with_reasons_while_the_rest_is_kept():
    result = connector(FOLDER).parse(connector(FOLDER).fetch(None))
    assert [r.reason for r in result.rejects] == [
        "Datastreams(7): Observation 1003: missing result",
        "Datastreams(7): Observation 1004: result '45.210,0' is not a number",
        "Datastreams(7): Observation 1006: phenomenonTime: timestamp '2024-03-07T00:00:00' has no time zone",
        "Datastreams(7): Observation 1007: phenomenonTime: unparsable timestamp 'gestern'",
        "Datastreams(7): duplicate Observation @iot.id 1005, the first was kept",
        "Datastreams(7): Observation 1010: phenomenonTime: interval "
        "'2024-03-10T23:00:00Z/2024-03-09T23:00:00Z' ends before it starts",
        "Datastreams(7): Observation 1011: missing phenomenonTime",
        "Datastreams(7): Observation 1012: result True is not a number",
    ]
    assert json.loads(result.rejects[0].raw)["@iot.id"] == 1003
    assert len(result.frame) == 5


def test_absolute_next_links_over_three_pages_from_a_server(httpserver):
    frost = MiniFrost(httpserver, {7: sample_observations()})
    c = connector(frost.base, page_size=5)
    payload = c.fetch(None)
    assert len(payload.documents) == 3
    requests = [request for request, _ in httpserver.log]
    assert requests[0].args["$orderby"] == "phenomenonTime asc" and requests[0].args["$top"] == "5"
    assert "$filter" not in requests[0].args
    assert [r.args.get("$skip") for r in requests] == [None, "5", "10"]
    result = c.parse(payload)
    assert ids(result.frame) == [1001, 1002, 1005, 1008, 1009] and len(result.rejects) == 8


def test_relative_next_links_from_a_static_server(httpserver):
    base = serve_folder(httpserver, FOLDER)
    c = connector(base)
    payload = c.fetch(None)
    assert [request.path for request, _ in httpserver.log] == [
        "/v1.1/Datastreams(7)/Observations",
        "/v1.1/Datastreams(7)/Observations-page2.json",
        "/v1.1/Datastreams(7)/Observations-page3.json",
    ]
    assert ids(c.parse(payload).frame) == [1001, 1002, 1005, 1008, 1009]


# ---------------------------------------------------------------------- incremental
def test_watermark_is_sent_as_filter_and_only_newer_observations_come_back(httpserver):
    frost = MiniFrost(httpserver, {7: sample_observations()})
    c = connector(frost.base, page_size=5)
    result = c.parse(c.fetch("2024-03-05T23:00:00Z"))
    request = httpserver.log[0][0]
    assert request.args["$filter"] == "phenomenonTime gt 2024-03-05T23:00:00Z"
    assert ids(result.frame) == [1008, 1009]
    assert [r.reason.split(":")[1].strip() for r in result.rejects] == [
        "Observation 1010",
        "Observation 1012",
    ]
    assert result.watermark == "2024-03-11T23:00:00Z"


def test_nothing_new_leaves_the_watermark_unchanged(httpserver):
    frost = MiniFrost(httpserver, {7: sample_observations()})
    c = connector(frost.base)
    result = c.parse(c.fetch("2024-03-11T23:00:00Z"))
    assert result.frame.empty and result.rejects == [] and result.watermark is None


def test_a_local_folder_ignores_the_filter_so_older_observations_are_skipped_by_the_connector():
    c = connector(FOLDER)
    result = c.parse(c.fetch("2024-03-05T23:00:00Z"))
    assert ids(result.frame) == [1008, 1009]


def test_several_datastreams_keep_a_watermark_each(httpserver):
    frost = MiniFrost(httpserver, {7: sample_observations(), 8: sample_observations("Datastreams(8)")})
    c = connector(frost.base, STREAM7, STREAM8)
    result = c.parse(c.fetch(json.dumps({"7": "2024-03-08T00:00:00Z"})))
    filters = {r.path: r.args.get("$filter") for r, _ in httpserver.log}
    assert filters == {
        "/FROST-Server/v1.1/Datastreams(7)/Observations": "phenomenonTime gt 2024-03-08T00:00:00Z",
        "/FROST-Server/v1.1/Datastreams(8)/Observations": None,
    }
    assert json.loads(result.watermark) == {"7": "2024-03-11T23:00:00Z", "8": "2024-03-03T00:00:00Z"}
    lusan = result.frame[result.frame["district"] == "lusan"]
    assert list(lusan["indicator"]) == ["other-meter"] * 2 and list(lusan["value"]) == [12.5, 13.25]


def test_a_single_iso_watermark_applies_to_every_datastream():
    c = connector(FOLDER, STREAM7, STREAM8)
    result = c.parse(c.fetch("2024-03-02T12:00:00Z"))
    assert sorted(ids(result.frame)) == [1002, 1005, 1008, 1009, 2002]


def test_max_pages_stops_and_the_rest_follows_in_the_next_run(caplog):
    c = connector(FOLDER, max_pages=2)
    with caplog.at_level(logging.WARNING):
        result = c.parse(c.fetch(None))
    assert "stopped after 2 pages" in caplog.text
    assert ids(result.frame) == [1001, 1002, 1005]
    assert result.watermark == "2024-03-05T23:00:00Z"


# ---------------------------------------------------------------------- malformed payloads
def test_next_link_loop_is_detected():
    c = connector(BROKEN / "loop", {"datastream": 9, "indicator": "x"})
    with pytest.raises(
        PayloadError, match=r"source 'sta-test', .*Observations-2\.json: @iot.nextLink loops back"
    ):
        c.fetch(None)


def page_payload(path) -> Payload:
    return Payload([Document(str(path), path.read_bytes())], meta={"datastreams": ["7"], "watermark": None})


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no_value.json", "wrong schema, missing 'value'"),
        ("value_object.json", r"wrong schema, 'value' must be a list of Observations"),
        ("error_page.html", "got an HTML/XML page instead of JSON"),
        # cut inside a string: base.load_json calls that "invalid JSON ... Unterminated string"
        ("truncated.json", r"(truncated|invalid) JSON at line 14, column 22: Unterminated string"),
        ("empty.json", "empty response"),
    ],
)
def test_unusable_page(name, message):
    assert_refused(lambda path: connector(FOLDER).parse(page_payload(path)), BROKEN / name, "sta-test", message)


def test_next_link_that_is_not_a_link(tmp_path):
    folder = tmp_path / "Datastreams(7)"
    folder.mkdir()
    (folder / "Observations.json").write_bytes((BROKEN / "next_link_number.json").read_bytes())
    with pytest.raises(PayloadError, match=r"source 'sta-test', .*: '@iot.nextLink' is 42, not a link"):
        connector(tmp_path).fetch(None)


def test_html_error_page_with_status_200_from_the_server(httpserver):
    assert_html_page_refused(httpserver, "/v1.1/Datastreams(7)/Observations",
                             (BROKEN / "error_page.html").read_bytes(),
                             lambda: connector(httpserver.url_for("/v1.1")).fetch(None),
                             r"source 'sta-test', http://.*Observations\?.*: got an HTML/XML page")


def test_duplicate_datastreams_in_the_options_are_refused():
    with pytest.raises(Exception, match="each datastream may be listed only once"):
        connector(FOLDER, STREAM7, STREAM7)


def test_demo_payload_of_the_sources_file():
    from cockpit import PROJECT_ROOT
    from cockpit.demo.samples import DEMO_END, DEMO_START
    from cockpit.sources.config import load_sources

    source = next(
        s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "building-meters"
    )
    c = SensorThingsConnector(source, Fetcher())
    payload = c.fetch(None)
    result = c.parse(payload)
    assert len(payload.documents) == 3
    assert len(result.frame) == (DEMO_END - DEMO_START).days + 1 and result.rejects == []
    assert result.frame["value"].between(20, 70).all()
    assert result.frame["value"].mean() == pytest.approx(42, abs=6)


# ---------------------------------------------------------------------- FROST-Server's documented response
FROST_DOCS = Path(__file__).parents[1] / "fixtures" / "third_party" / "sensorthings"
FROST_DOCS = FROST_DOCS / "frost-docs-filtering-response.json"


def test_frost_documented_response_without_datastream_id_is_not_attributed_by_the_request(httpserver):
    """FROST's documented Observations response names no Datastream: over HTTP (where the connector asks for
    $expand=Datastream) such an Observation is quarantined; with the expanded id it is stored under it."""
    body = json.loads(FROST_DOCS.read_text())
    del body["@iot.nextLink"]  # relative to the documentation's server
    pages = {"plain": body, "expanded": {**body, "value": [{**body["value"][0], "Datastream": {"@iot.id": 7}}]}}
    state = {"page": "plain"}
    httpserver.expect_request(re.compile(r".*/Datastreams\(7\)/Observations$")).respond_with_handler(
        lambda request: Response(json.dumps(pages[state["page"]]), content_type="application/json"))
    c = connector(httpserver.url_for("/FROST-Server/v1.1"))
    result = c.parse(c.fetch(None))
    assert httpserver.log[-1][0].args["$expand"] == "Datastream($select=id)"
    assert result.frame.empty
    assert [r.reason for r in result.rejects] == [
        "Datastreams(7): Observation 34 does not name its Datastream (the server ignored $expand=Datastream); "
        "not attributed to the requested one"]
    state["page"] = "expanded"
    result = c.parse(c.fetch(None))
    assert result.rejects == [] and result.frame["value"].tolist() == [pytest.approx(0.01)]  # 10 kWh -> MWh
    assert result.frame["period_start"].iloc[0] == pd.Timestamp("2016-06-22T13:21:31.144Z")
