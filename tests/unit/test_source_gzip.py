"""Gzip bodies served without Content-Encoding (or stored as .gz files) are recognised by every connector."""

from __future__ import annotations

import gzip

import pytest

from cockpit.sources.base import Document, PayloadError, gunzip_if_needed, load_json
from cockpit.sources.http import Fetcher


def test_gzip_file_is_decompressed_by_the_fetcher(tmp_path):
    file = tmp_path / "station_status.json.gz"
    file.write_bytes(gzip.compress(b'{"data": {"stations": []}}'))
    document = Fetcher(retries=0).get(str(file))
    assert load_json(document, "bike-sharing") == {"data": {"stations": []}}


def test_gzip_body_over_http_without_content_encoding(httpserver):
    httpserver.expect_request("/feed.json").respond_with_data(gzip.compress('{"ä": 1}'.encode()),
                                                              content_type="application/json")
    document = Fetcher(retries=0).get(httpserver.url_for("/feed.json"))
    assert load_json(document, "s") == {"ä": 1}  # not "not UTF-8 encoded JSON"


def test_broken_and_oversized_gzip_are_payload_errors_naming_the_problem():
    body = gzip.compress(b"x" * 5000)
    with pytest.raises(PayloadError, match="gzip without Content-Encoding, truncated"):
        gunzip_if_needed(body[:-12], "source 's', feed")
    with pytest.raises(PayloadError, match="cannot be decompressed"):
        load_json(Document("feed", b"\x1f\x8b" + b"\x00" * 30), "s")
    with pytest.raises(PayloadError, match="decompresses to more than 1000 bytes"):
        gunzip_if_needed(body, "source 's', feed", max_bytes=1000)
    assert gunzip_if_needed(b'{"plain": true}', "w") == b'{"plain": true}'
