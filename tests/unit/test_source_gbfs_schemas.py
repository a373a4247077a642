"""GBFS: the project's samples checked against MobilityData's official JSON schemas (v2.3, v3.0), and the official
example feeds read through the connector from a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from cockpit.sources.config import SourceConfig
from cockpit.sources.gbfs import BIKES, EMPTY, GbfsConnector
from cockpit.sources.http import Fetcher
from tests.conftest import SAMPLES

THIRD = Path(__file__).parents[1] / "fixtures" / "third_party" / "gbfs"
SHIPPED = [  # (sample, schema version): what the project ships and documents as valid GBFS
    ("demo/gbfs/gbfs.json", "v2.3"), ("demo/gbfs/station_status.json", "v2.3"),
    ("demo/gbfs/station_information.json", "v2.3"), ("demo/gbfs/system_information.json", "v2.3"),
    ("gbfs/v2/gbfs.json", "v2.3"), ("gbfs/v2/station_information.json", "v2.3"),
    ("gbfs/v3/gbfs.json", "v3.0"), ("gbfs/v3/station_information.json", "v3.0"),
]


def validate(path: Path, version: str) -> list[str]:
    schema = json.loads((THIRD / version / path.name.replace("_later", "")).read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [error.message for error in validator.iter_errors(json.loads(path.read_text(encoding="utf-8-sig")))]


@pytest.mark.parametrize(("sample", "version"), SHIPPED)
def test_shipped_samples_are_valid_gbfs(sample, version):
    assert validate(SAMPLES / sample, version) == []


def test_the_deliberately_broken_station_status_samples_break_the_schema_where_the_connector_rejects():
    errors = " | ".join(validate(SAMPLES / "gbfs" / "v2" / "station_status.json", "v2.3"))
    assert "'3' is not of type 'integer'" in errors  # s6: the connector quarantines it too
    assert "-2 is less than the minimum of 0" in errors  # s8
    assert "2.5 is not of type 'integer'" in errors  # s11
    assert validate(SAMPLES / "gbfs" / "v3" / "station_status.json", "v3.0")  # station d: null count


@pytest.mark.parametrize(("version", "prefix", "names", "expected"), [
    ("v2.3", "https://test.com", {"station_status": "station_status", "station_information": "station_information"},
     {BIKES: 7.0, EMPTY: 0.0}),
    ("v3.0", "https://berlin.example.tier-services.io/tier_paris/gbfs/3.0",
     {"station_status": "station-status", "station_information": "station-information"},
     {BIKES: 0.0, EMPTY: 100.0}),
])
def test_official_example_feeds_through_the_connector(httpserver, version, prefix, names, expected):
    folder = THIRD / f"examples-{version}"
    for feed, path in names.items():
        body = (folder / f"{feed}.json").read_bytes()
        assert validate(folder / f"{feed}.json", version) == []
        httpserver.expect_request(f"/{path}").respond_with_data(body, content_type="application/json")
    discovery = (folder / "gbfs.json").read_text().replace(prefix, httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/gbfs.json").respond_with_data(discovery, content_type="application/json")
    source = SourceConfig(id="bike-sharing", connector="gbfs", location=httpserver.url_for("/gbfs.json"),
                          schedule={"interval": "PT15M"}, retries=0)
    c = GbfsConnector(source, Fetcher(retries=0))
    result = c.parse(c.fetch(None))
    assert result.rejects == []
    assert dict(zip(result.frame["indicator"], result.frame["value"], strict=True)) == expected
