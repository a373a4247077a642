"""GBFS connector against recorded v1.0, v2.3 and v3.0 feeds (local files and a local HTTP server)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cockpit.sources.base import Document, Payload
from cockpit.sources.gbfs import BIKES, EMPTY, GbfsConnector, feed_location
from cockpit.sources.http import Fetcher
from tests.conftest import SAMPLES
from tests.unit.source_support import assert_html_page_refused, assert_refused, make_connector

FOLDER = SAMPLES / "gbfs"
BROKEN = FOLDER / "broken"


def connector(location, **options) -> GbfsConnector:
    return make_connector(GbfsConnector, "gbfs-test", location, {"interval": "PT15M"}, options)


def values(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["indicator"], frame["value"], strict=True))


def status_payload(status_path, discovery_path=FOLDER / "v2" / "gbfs.json", watermark=None) -> Payload:
    documents = [Document(str(p), p.read_bytes()) for p in (discovery_path, status_path)]
    return Payload(documents, meta={"watermark": watermark})


def serve(httpserver, path, name, replace=None):
    body = (FOLDER / name).read_bytes()
    for old, new in (replace or {}).items():
        body = body.replace(old.encode(), new.encode())
    httpserver.expect_request(path).respond_with_data(body, content_type="application/json")


# ---------------------------------------------------------------------- versions
def test_v23_from_a_local_file():
    c = connector(FOLDER / "v2" / "gbfs.json")
    payload = c.fetch(None)
    result = c.parse(payload)
    assert payload.meta["version"] == "2.3"
    # operating: s1 (5), s2 (0), s3 (3, with 0/1 flags), s10 (0); s4 is not renting, s5 not installed
    assert values(result.frame) == {BIKES: 8.0, EMPTY: 50.0}
    start = pd.Timestamp("2024-05-01T12:00Z")
    assert set(result.frame["period_start"]) == {start}
    assert set(result.frame["period_end"]) == {start + pd.Timedelta(hours=1)}
    assert result.watermark == "2024-05-01T12:07:30Z"


def test_v23_bad_station_records_are_rejected_and_the_rest_still_count():
    result = connector(FOLDER / "v2" / "gbfs.json").parse(
        status_payload(FOLDER / "v2" / "station_status.json")
    )
    assert [r.reason for r in result.rejects] == [
        "station s6: 'num_bikes_available' is '3', not an integer",
        "station s7: 'num_bikes_available' is missing",
        "station s8: 'num_bikes_available' is negative (-2)",
        "station s1: duplicate record, the first one was counted",
        "station s9: 'is_installed' is 'yes', expected a boolean",
        "station s11: 'num_bikes_available' is 2.5, not an integer",
    ]
    assert '"station_id": "s6"' in result.rejects[0].raw
    assert len(result.frame) == 2


def test_v30_over_http_with_absolute_feed_urls(httpserver):
    base = httpserver.url_for("/v3")
    serve(httpserver, "/v3/gbfs.json", "v3/gbfs.json", {"https://gbfs.example.org/v3": base})
    serve(httpserver, "/v3/station_status.json", "v3/station_status.json")
    serve(httpserver, "/v3/station_information.json", "v3/station_information.json")
    c = connector(f"{base}/gbfs.json")
    payload = c.fetch(None)
    result = c.parse(payload)
    assert payload.meta["version"] == "3.0"
    # station_information lists a and b only: c (4 vehicles) is not counted but quarantined
    assert values(result.frame) == {BIKES: 7.0, EMPTY: 50.0}
    assert [r.reason for r in result.rejects] == [
        "station c: not listed in station_information; not counted",
        "station d: 'num_vehicles_available' is null",
    ]
    assert result.watermark == "2024-05-01T12:07:30Z"  # RFC 3339 with +02:00, stored as UTC
    assert set(result.frame["period_start"]) == {pd.Timestamp("2024-05-01T12:00Z")}


def test_v23_over_http_with_relative_feed_urls(httpserver):
    serve(httpserver, "/gbfs/gbfs.json", "v2/gbfs.json")
    serve(httpserver, "/gbfs/station_status.json", "v2/station_status.json")
    serve(httpserver, "/gbfs/station_information.json", "v2/station_information.json")
    c = connector(httpserver.url_for("/gbfs/gbfs.json"))
    assert values(c.parse(c.fetch(None)).frame) == {BIKES: 8.0, EMPTY: 50.0}


def test_v1_without_version_and_with_0_1_flags_and_a_feed_url_without_suffix():
    c = connector(FOLDER / "v1")  # a folder: its gbfs.json is read
    payload = c.fetch(None)
    assert payload.meta["version"] == "1.0"
    assert payload.documents[1].name == str(FOLDER / "v1" / "station_status.json")
    result = c.parse(payload)
    assert values(result.frame) == {BIKES: 2.0, EMPTY: 50.0}
    assert result.watermark == "2019-01-01T00:00:00Z"


def test_language_option_falls_back_to_the_first_language():
    c = connector(FOLDER / "v2" / "gbfs.json", language="fr")
    assert c.fetch(None).documents[1].name.endswith("station_status.json")


def test_feed_location():
    assert (
        feed_location("https://x.org/gbfs/gbfs.json", "station_status.json")
        == "https://x.org/gbfs/station_status.json"
    )
    assert feed_location("https://x.org/gbfs/gbfs.json", "https://y.org/s.json") == "https://y.org/s.json"
    assert (
        feed_location("/data/gbfs/gbfs.json", "https://y.org/en/station_status")
        == "/data/gbfs/station_status.json"
    )


# ---------------------------------------------------------------------- watermark
def test_the_same_snapshot_again_yields_nothing():
    c = connector(FOLDER / "v2" / "gbfs.json")
    result = c.parse(c.fetch("2024-05-01T12:07:30Z"))
    assert result.frame.empty and result.rejects == [] and result.watermark is None


def test_a_later_snapshot_in_the_same_hour_updates_the_same_period():
    c = connector(FOLDER / "v2" / "gbfs.json")
    result = c.parse(
        status_payload(FOLDER / "v2" / "station_status_later.json", watermark="2024-05-01T12:07:30Z")
    )
    assert values(result.frame) == {BIKES: 9.0, EMPTY: 25.0}
    assert set(result.frame["period_start"]) == {pd.Timestamp("2024-05-01T12:00Z")}
    assert result.watermark == "2024-05-01T12:17:30Z"


# ---------------------------------------------------------------------- malformed payloads
@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "station_status_naive_time.json",
            "unusable 'last_updated': timestamp '2024-05-01T14:07:30' has no time zone",
        ),
        ("station_status_no_stations.json", "wrong schema, 'data.stations' must be a list"),
        ("station_status_no_last_updated.json", "wrong schema, missing 'last_updated'"),
        ("station_status_html.json", "got an HTML/XML page instead of JSON"),
        ("station_status_cp1252.json", "not UTF-8 encoded JSON"),
    ],
)
def test_unusable_station_status(name, message):
    assert_refused(lambda path: connector(FOLDER / "v2" / "gbfs.json").parse(status_payload(path)),
                   BROKEN / name, "gbfs-test", re.escape(message))


def test_utf8_bom_is_tolerated():
    result = connector(FOLDER / "v2" / "gbfs.json").parse(status_payload(BROKEN / "station_status_bom.json"))
    assert values(result.frame) == {BIKES: 5.0, EMPTY: 50.0}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "gbfs_no_station_status.json",
            "the discovery feed lists no 'station_status' feed (has: free_bike_status)",
        ),
        ("gbfs_no_feeds.json", "no feed list in 'data.feeds' (v3) or 'data.<language>.feeds'"),
        ("gbfs_truncated.json", "truncated JSON"),
    ],
)
def test_unusable_discovery(name, message):
    assert_refused(lambda path: connector(path).fetch(None), BROKEN / name, "gbfs-test", re.escape(message))


def test_html_error_page_with_status_200_for_the_discovery(httpserver):
    assert_html_page_refused(httpserver, "/gbfs.json", "<html><body>Bad gateway</body></html>",
                             lambda: connector(httpserver.url_for("/gbfs.json")).fetch(None),
                             r"source 'gbfs-test', http://.*/gbfs.json: got an HTML/XML page")


def test_demo_payload_of_the_sources_file():
    from cockpit import PROJECT_ROOT
    from cockpit.sources.config import load_sources

    source = next(s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "bike-sharing")
    c = GbfsConnector(source, Fetcher())
    result = c.parse(c.fetch(None))
    got = values(result.frame)
    assert 50 <= got[BIKES] <= 250 and 0 < got[EMPTY] < 30
    assert result.rejects == []
    assert set(result.frame["period_start"]) == {pd.Timestamp("2026-11-20T11:00Z")}  # 12:00 local
