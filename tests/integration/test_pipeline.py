"""The ingest pipeline end to end with a real connector: idempotency, failures, timeouts, archive and reprocess."""

from __future__ import annotations

import time

import pytest
from werkzeug import Response

from cockpit.jobs.ingest import Ingestor
from cockpit.jobs.scheduler import build_scheduler
from cockpit.sources.config import SourceConfig

MONTHS = [f"{m:02d}/2025" for m in range(1, 13)]


def csv_bytes(values=None, decimal=",") -> bytes:
    values = values or [45.0 + m / 2 for m in range(12)]
    lines = ["Monat;Recyclingquote"] + [f"{month};{str(v).replace('.', decimal)}" for month, v in
                                       zip(MONTHS, values, strict=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def source(id_: str, location: str, decimal: str = ",", **extra) -> SourceConfig:
    options = {"decimal": decimal, "period": {"column": "Monat", "format": "%m/%Y", "rhythm": "month"},
               "indicators": [{"id": "recycling-rate", "expr": "Recyclingquote"}]}
    return SourceConfig(id=id_, connector="statistics-csv", location=location, schedule={"interval": "PT1H"},
                        options=options, **extra)


@pytest.fixture
def ingestor(store, catalog):
    return Ingestor(store, catalog)


@pytest.fixture
def local_csv(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_bytes(csv_bytes())
    return str(path)


def stored(store):
    return store.observations("public", ["recycling-rate"])


def test_a_run_stores_rows_and_an_identical_run_adds_none(ingestor, store, local_csv):
    first = ingestor.run(source("waste", local_csv))
    second = ingestor.run(source("waste", local_csv))
    assert (first.status, first.stored) == ("ok", 12)
    assert (second.status, second.stored) == ("ok", 0)
    assert len(stored(store)) == 12
    runs = store.runs("waste")
    assert list(runs["rows_read"]) == [12, 12] and list(runs["rows_stored"]) == [0, 12]


def test_a_failing_source_is_recorded_and_the_others_still_run(ingestor, store, local_csv, httpserver):
    httpserver.expect_request("/ok.csv").respond_with_data(csv_bytes([50.0] * 12), content_type="text/csv")
    httpserver.expect_request("/down.csv").respond_with_data("Service Unavailable", status=503)
    sources = [source("broken", httpserver.url_for("/down.csv"), retries=1),
               source("local", local_csv),
               source("remote", httpserver.url_for("/ok.csv"))]
    scheduler = build_scheduler(ingestor, sources, run_now=True)
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            last = store.last_runs()
            if len(last) == 3 and "running" not in set(last["status"]):
                break
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
    last = store.last_runs().set_index("source_id")
    assert last.loc["local", "status"] == "ok" and last.loc["remote", "status"] == "ok"
    assert last.loc["broken", "status"] == "failed"
    assert "source 'broken'" in last.loc["broken", "error"] and "HTTP 503 after 2 attempts" in last.loc["broken", "error"]
    assert len(stored(store)) == 12


def test_a_failed_run_keeps_the_last_good_data_and_the_next_tick_recovers(ingestor, store, httpserver):
    httpserver.expect_ordered_request("/q.csv").respond_with_data(csv_bytes())
    httpserver.expect_ordered_request("/q.csv").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/q.csv").respond_with_data(csv_bytes())
    src = source("waste", httpserver.url_for("/q.csv"), retries=0)
    assert ingestor.run(src).status == "ok"
    before = stored(store)
    failed = ingestor.run(src)
    assert failed.status == "failed" and "HTTP 500" in failed.error
    assert stored(store).equals(before)
    assert ingestor.run(src).status == "ok"


def test_transient_errors_are_retried_inside_a_run(ingestor, store, httpserver):
    httpserver.expect_ordered_request("/q.csv").respond_with_response(Response("wait", 429, {"Retry-After": "0"}))
    httpserver.expect_ordered_request("/q.csv").respond_with_data("bad gateway", status=502)
    httpserver.expect_ordered_request("/q.csv").respond_with_data(csv_bytes())
    outcome = ingestor.run(source("waste", httpserver.url_for("/q.csv"), retries=3))
    assert (outcome.status, outcome.stored) == ("ok", 12)


def test_a_run_that_times_out_is_recorded_and_retried_next_tick(ingestor, store, httpserver):
    calls = []

    def slow_then_fast(_request):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(2.0)
        return Response(csv_bytes())

    httpserver.expect_request("/slow.csv").respond_with_handler(slow_then_fast)
    src = source("slow", httpserver.url_for("/slow.csv"), retries=0, run_timeout=0.5, timeout=10)
    outcome = ingestor.run(src)
    assert outcome.status == "failed" and "timed out after" in outcome.error
    assert stored(store).empty
    time.sleep(2.0)  # let the abandoned request finish
    assert ingestor.run(src).status == "ok"
    assert len(stored(store)) == 12


def test_an_html_error_page_with_status_200_fails_the_run_naming_the_source(ingestor, store, httpserver):
    httpserver.expect_request("/q.csv").respond_with_data(
        "<!DOCTYPE html><html><body><h1>Wartungsarbeiten</h1></body></html>", content_type="text/html")
    outcome = ingestor.run(source("waste", httpserver.url_for("/q.csv")))
    assert outcome.status == "failed"
    assert "source 'waste'" in outcome.error and "HTML" in outcome.error
    assert stored(store).empty


def test_reprocess_reparses_archived_payloads_after_a_fix(ingestor, store, local_csv):
    wrong = source("waste", local_csv, decimal=".")  # the "parser bug": decimal point instead of comma
    first = ingestor.run(wrong)
    assert first.status in ("partial", "failed") and first.stored == 0
    fixed = source("waste", local_csv, decimal=",")
    outcomes = ingestor.reprocess(fixed)
    assert [o.status for o in outcomes] == ["ok"]
    assert len(stored(store)) == 12


def test_archive_keeps_a_bounded_size_per_source(store, catalog, tmp_path):
    small = Ingestor(store, catalog, archive_max_bytes=1)  # keeps only the newest payload
    for i in range(3):
        path = tmp_path / f"q{i}.csv"
        path.write_bytes(csv_bytes([40.0 + i] * 12))
        small.run(source("waste", str(path)))
    archived = store.archived_payloads("waste")
    assert len(archived) == 1
    assert b"42,0" in archived[0][2].documents[0].content
