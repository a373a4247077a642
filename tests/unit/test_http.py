"""The fetcher: local paths and URLs, retries with backoff on timeouts, 5xx and 429, timeouts, size limits."""

from __future__ import annotations

import time

import pytest
from werkzeug import Response

from cockpit.sources.base import PayloadError
from cockpit.sources.http import Fetcher, FetchError, resolve


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def fetcher(**kw):
    sleeps = Sleeps()
    return Fetcher(timeout=2, retries=3, backoff=0.5, sleep=sleeps, **kw), sleeps


def test_resolve_joins_urls_and_folders():
    assert resolve("https://www.smard.de/app", "chart_data/410/DE/index_hour.json") == \
        "https://www.smard.de/app/chart_data/410/DE/index_hour.json"
    assert resolve("https://x.example/v1.1/", "https://x.example/next?skip=100") == "https://x.example/next?skip=100"
    assert resolve("/data/samples", "a/b.json") == "/data/samples/a/b.json"


def test_reads_local_files(tmp_path):
    (tmp_path / "a.json").write_bytes(b'{"x": 1}')
    doc = Fetcher().get(str(tmp_path), "a.json")
    assert doc.content == b'{"x": 1}' and doc.content_type == "application/json"
    with pytest.raises(FetchError, match="file not found"):
        Fetcher().get(str(tmp_path), "missing.json")


def test_retries_5xx_then_succeeds(httpserver):
    httpserver.expect_ordered_request("/data").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/data").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/data").respond_with_data('{"ok": true}', content_type="application/json")
    f, sleeps = fetcher()
    assert f.get(httpserver.url_for("/data")).content == b'{"ok": true}'
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_429_honours_retry_after(httpserver):
    httpserver.expect_ordered_request("/data").respond_with_response(Response("slow down", 429, {"Retry-After": "7"}))
    httpserver.expect_ordered_request("/data").respond_with_data("[]")
    f, sleeps = fetcher()
    assert f.get(httpserver.url_for("/data")).content == b"[]"
    assert sleeps == [7.0]


def test_gives_up_after_the_retries_with_a_clear_message(httpserver):
    httpserver.expect_request("/data").respond_with_data("down", status=500)
    f, sleeps = fetcher()
    with pytest.raises(FetchError, match=r"/data: HTTP 500 after 4 attempts"):
        f.get(httpserver.url_for("/data"))
    assert len(sleeps) == 3


def test_client_errors_are_not_retried(httpserver):
    httpserver.expect_request("/data").respond_with_data("no", status=404)
    f, sleeps = fetcher()
    with pytest.raises(FetchError, match="HTTP 404 after 1 attempts"):
        f.get(httpserver.url_for("/data"))
    assert sleeps == []


def test_slow_source_times_out_and_is_retried(httpserver):
    def slow(_request):
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    f = Fetcher(timeout=0.3, retries=1, backoff=0.01)
    with pytest.raises(FetchError, match="ReadTimeout after 2 attempts"):
        f.get(httpserver.url_for("/slow"))


def test_unreachable_host_is_a_fetch_error():
    f = Fetcher(timeout=0.5, retries=1, backoff=0.01)
    with pytest.raises(FetchError, match="ConnectionError after 2 attempts"):
        f.get("http://127.0.0.1:9/never")


def test_huge_payloads_are_refused(httpserver, tmp_path):
    httpserver.expect_request("/huge").respond_with_data(b"x" * 5000)
    with pytest.raises(PayloadError, match="exceeds the limit of 1000 bytes"):
        Fetcher(max_bytes=1000).get(httpserver.url_for("/huge"))
    (tmp_path / "huge.json").write_bytes(b"x" * 5000)
    with pytest.raises(PayloadError, match="exceeds the limit"):
        Fetcher(max_bytes=1000).get(str(tmp_path / "huge.json"))


def test_query_parameters_and_headers_are_sent(httpserver):
    httpserver.expect_request("/q", query_string={"a": "1"}, headers={"Fiware-Service": "gera"}).respond_with_data("ok")
    doc = Fetcher().get(httpserver.url_for("/q"), params={"a": "1"}, headers={"Fiware-Service": "gera"})
    assert doc.content == b"ok" and doc.name.endswith("/q?a=1")
