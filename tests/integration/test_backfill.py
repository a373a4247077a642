"""Backfill: history in chunks through the real ingest; an interrupted backfill resumes where it stopped."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from werkzeug import Request, Response

from cockpit import PROJECT_ROOT
from cockpit.catalog.duration import Duration
from cockpit.jobs.backfill import backfill
from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import load_sources

DEMO = PROJECT_ROOT / "data" / "samples" / "demo"
YEAR = Duration.parse("P1Y")
BERLIN = ZoneInfo("Europe/Berlin")


def smard_source(location: str):
    shipped = next(s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "smard-50hertz")
    return shipped.model_copy(update={"location": location, "retries": 0})


class FileServer:
    """Serves the demo folder; the chunk files named in `fail_once` answer 500 the first time they are asked for."""

    def __init__(self, root, fail_once=()):
        self.root, self.fail_once, self.requests = root, set(fail_once), []

    def __call__(self, request: Request) -> Response:
        path = request.path.lstrip("/")
        self.requests.append(path)
        if path in self.fail_once:
            self.fail_once.discard(path)
            return Response("Internal Server Error", status=500)
        file = self.root / path
        return Response(file.read_bytes(), content_type="application/json") if file.is_file() else Response(status=404)


def test_backfill_stops_at_a_failed_chunk_and_resumes_there(store, catalog, httpserver):
    chunk_2021 = "chart_data/4067/50Hertz/4067_50Hertz_day_1609455600000.json"  # wind onshore, from 2021-01-01 local
    server = FileServer(DEMO / "smard", fail_once=[chunk_2021])
    httpserver.expect_request(re.compile("/.*")).respond_with_handler(server)
    source = smard_source(httpserver.url_for("/"))
    ingestor = Ingestor(store, catalog)
    since, until = datetime(2019, 1, 1, tzinfo=BERLIN), datetime(2024, 1, 1, tzinfo=BERLIN)

    first = backfill(ingestor, source, since, until, YEAR)
    # 2019 and 2020 stored; in 2021 one chunk failed: the run is partial and the backfill stops there
    assert [o.status for o in first] == ["ok", "ok", "partial"]
    assert "HTTP 500" in first[-1].error
    done = store.observations("public", ["renewable-share-electricity"])
    assert done["period_start"].max() < datetime(2021, 1, 1, tzinfo=BERLIN)

    server.requests.clear()
    second = backfill(ingestor, source, since, until, YEAR)
    assert [o.status for o in second] == ["ok", "ok", "ok"]  # 2021 to 2023; 2019 and 2020 are not fetched again
    assert not any(p.endswith(("_1546297200000.json", "_1577833200000.json")) for p in server.requests)
    assert server.requests.count(chunk_2021) == 1
    values = store.observations("public", ["renewable-share-electricity"])
    assert values["period_start"].is_unique
    local = values["period_start"].dt.tz_convert(BERLIN)
    assert local.min() == datetime(2019, 1, 1, tzinfo=BERLIN) and local.max().year == 2023
    assert len(values) >= 5 * 365 - 5  # five years of days, a few with nulls are not emitted


def test_backfill_of_a_source_without_history_api_is_refused(store, catalog):
    shipped = next(s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "bike-sharing")
    with pytest.raises(NotImplementedError, match="no history API"):
        backfill(Ingestor(store, catalog), shipped, datetime(2025, 1, 1, tzinfo=UTC),
                 datetime(2025, 2, 1, tzinfo=UTC), YEAR)


def test_sensorthings_backfill_asks_the_server_for_each_window(store, catalog, httpserver):
    httpserver.expect_request(re.compile("/Datastreams.*")).respond_with_json({"value": []})
    shipped = next(s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "building-meters")
    source = shipped.model_copy(update={"location": httpserver.url_for("/")})
    outcomes = backfill(Ingestor(store, catalog), source, datetime(2025, 1, 1, tzinfo=UTC),
                        datetime(2025, 3, 1, tzinfo=UTC), Duration.parse("P1M"))
    assert [o.status for o in outcomes] == ["ok", "ok"]
    filters = [req.args["$filter"] for req, _ in httpserver.log]
    assert filters == ["phenomenonTime gt 2024-12-31T23:59:59Z and phenomenonTime lt 2025-02-01T00:00:00Z",
                       "phenomenonTime gt 2025-01-31T23:59:59Z and phenomenonTime lt 2025-03-01T00:00:00Z"]


def test_backfill_command_shows_progress_and_reports(tmp_path):
    sources = {"sources": [{**yaml.safe_load((PROJECT_ROOT / "data" / "sources.yaml").read_text())["sources"][0],
                            "location": str(DEMO / "smard")}]}
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    env = {"COCKPIT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "COCKPIT_SOURCES": str(tmp_path / "sources.yaml"),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "backfill", "smard-50hertz",
                             "--since", "2024-01-01", "--until", "2024-04-01"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "3/3" in result.stderr  # the progress bar
    assert "smard-50hertz: 3 chunks fetched" in result.stdout


def test_backfill_quarantines_a_day_with_an_absurd_point_and_moves_on(sqlite_store, catalog, tmp_path):
    folder = tmp_path / "smard"
    shutil.copytree(DEMO / "smard", folder)
    chunk = folder / "chart_data" / "4067" / "50Hertz" / "4067_50Hertz_day_1577833200000.json"  # 2020
    body = json.loads(chunk.read_text())
    body["series"][1][1] = -5.0  # wind onshore on 02.01.2020
    chunk.write_text(json.dumps(body))
    source = smard_source(str(folder))
    ingestor = Ingestor(sqlite_store, catalog)
    since, until = datetime(2019, 1, 1, tzinfo=BERLIN), datetime(2022, 1, 1, tzinfo=BERLIN)
    outcomes = backfill(ingestor, source, since, until, YEAR)
    # an absurd value must not block the history: the day is quarantined, the other years are stored
    assert [(o.status, o.error) for o in outcomes] == [("ok", None), ("partial", None), ("ok", None)]
    days = set(sqlite_store.observations("public", ["renewable-share-electricity"])["period_start"]
               .dt.tz_convert(BERLIN).dt.date)
    assert date(2020, 1, 2) not in days and {date(2020, 1, 1), date(2020, 1, 3), date(2021, 1, 1)} <= days
    assert sqlite_store.quarantine(source.id)["reason"].tolist() == [
        "filter 4067: value -5.0 MWh at 2020-01-01T23:00:00Z is negative; the local day 2020-01-02 is not published"]
