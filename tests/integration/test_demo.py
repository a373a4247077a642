"""The shipped demo through the real pipeline: every enabled source, `status`, and `evaluate` on the result."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cockpit import PROJECT_ROOT
from cockpit.config import load_settings
from cockpit.runtime import open_cockpit

RUN = [sys.executable, str(PROJECT_ROOT / "run.py")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'cockpit.db'}"
    cockpit = open_cockpit(load_settings(database_url=url))
    outcomes = cockpit.load_demo_if_empty()
    env = {"COCKPIT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COCKPIT_LOAD_DEMO": "false"}
    return cockpit, outcomes, env, folder


def test_first_start_ingests_every_enabled_source_through_its_connector(demo):
    cockpit, outcomes, _env, _folder = demo
    enabled = [s for s in cockpit.sources if s.enabled]
    assert [o.source_id for o in outcomes] == [s.id for s in enabled]
    assert {o.status for o in outcomes} <= {"ok", "partial"}, [o.error for o in outcomes if o.error]
    assert len({s.connector for s in enabled}) >= 5
    stored = cockpit.store.observations("internal", district=None)
    assert set(stored["indicator"]) == {i.id for i in cockpit.catalog.indicators}
    years = stored.groupby("indicator")["period_start"].agg(lambda s: s.max().year - s.min().year)
    long_history = [i for i, span in years.items() if span >= 6]
    assert len(long_history) >= 8  # trends mean something
    assert cockpit.load_demo_if_empty() == []  # not again once the database holds data


def test_the_quarantine_shows_the_demo_records_that_were_refused(demo):
    cockpit = demo[0]
    quarantined = cockpit.store.quarantine("waste-containers")
    assert len(quarantined) == 1 and "vandalized" in quarantined["reason"].iloc[0]


def test_status_lists_sources_runs_and_stale_indicators(demo):
    _cockpit, _outcomes, env, _folder = demo
    result = subprocess.run([*RUN, "status", "--lang", "en"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "smard-50hertz (smard): ok at" in result.stdout
    assert "waste-containers (ngsi): partial at" in result.stdout and "rejected 1" in result.stdout
    assert "fill-level-sensors (ttn-mqtt): never run; next run disabled" in result.stdout
    assert "Stale indicators:" in result.stdout


def test_evaluate_on_the_shipped_catalog_and_demo_data_judges_every_goal(demo):
    cockpit, _outcomes, env, folder = demo
    csv = folder / "observations.csv"
    exported = subprocess.run([*RUN, "export", "--role", "internal", "--citywide", "-o", str(csv)], env=env,
                              capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    result = subprocess.run([*RUN, "evaluate", "--catalog", str(PROJECT_ROOT / "data" / "catalog.yaml"),
                             "--observations", str(csv), "--at", "2026-11-22"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    evaluation = json.loads(result.stdout)
    assert [g["goal"] for g in evaluation["goals"]] == [g.id for g in cockpit.catalog.goals]
    for goal in evaluation["goals"]:
        assert goal["year"] == 2025 and goal["status"] in ("achieved", "on_track", "at_risk", "off_track")
        assert goal["forecast"] is not None
    table = subprocess.run([*RUN, "evaluate", "--catalog", str(PROJECT_ROOT / "data" / "catalog.yaml"),
                            "--observations", str(csv), "--at", "2026-11-22", "--format", "table"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert "CO2 je Einwohner bis 2030 halbieren" in table.stdout and "Gefährdet" in table.stdout


def test_public_export_leaves_internal_indicators_out(demo):
    cockpit, _outcomes, env, _folder = demo
    result = subprocess.run([*RUN, "export"], env=env, capture_output=True, text=True, timeout=60)
    internal = {i.id for i in cockpit.catalog.indicators if i.visibility == "internal"}
    exported = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert exported and not exported & internal


def test_the_tiles_show_the_numbers_of_evaluate(demo):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cockpit.views.overview import build_overview

    cockpit, _outcomes, env, folder = demo
    csv = folder / "observations-public.csv"
    subprocess.run([*RUN, "export", "--citywide", "-o", str(csv)], env=env, check=True, capture_output=True)
    result = subprocess.run([*RUN, "evaluate", "--catalog", str(PROJECT_ROOT / "data" / "catalog.yaml"),
                             "--observations", str(csv), "--at", "2026-11-22"], env=env, capture_output=True,
                            text=True, timeout=60)
    by_indicator = {g["indicator"]: g for g in json.loads(result.stdout)["goals"]}
    view = build_overview(cockpit, "public", "de", now=datetime(2026, 11, 22, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    tiles = {tile.indicator_id: tile for group in view.groups for tile in group.tiles}
    assert set(by_indicator) <= set(tiles)
    for indicator, goal in by_indicator.items():
        tile = tiles[indicator]
        assert tile.status == goal["status"]
        assert tile.evaluated_year == goal["year"]
        assert tile.progress == pytest.approx(goal["progress"])
        assert str(goal["forecast"]["reached_year"] or "2100") in tile.forecast_text
