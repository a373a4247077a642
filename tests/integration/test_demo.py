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


TODAY = "2026-11-22"  # the demo is generated for this day (cockpit.demo), the pages' clock set to it


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'cockpit.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COCKPIT_DEMO_TODAY", TODAY)
        cockpit = open_cockpit(load_settings(database_url=url))
        cockpit.demo_folder = folder / "generated"
        outcomes = cockpit.load_demo_if_empty()
        env = {"COCKPIT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COCKPIT_LOAD_DEMO": "false",
               "COCKPIT_DEMO_TODAY": TODAY}
        yield cockpit, outcomes, env, folder


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
    years = {g["goal"]: g["year"] for g in evaluation["goals"]}
    # the CO2 balance is published 18 months after the year: on 22 Nov 2026 the latest is 2024
    assert years == {"co2-halve-2030": 2024, "renewable-electricity-80-2030": 2025, "recycling-rate-eu": 2025,
                     "charge-points-2030": 2025, "bev-share-2030": 2025}
    for goal in evaluation["goals"]:
        assert goal["status"] in ("achieved", "on_track", "at_risk", "off_track")
        assert goal["position"] in ("achieved", "on_track", "at_risk", "off_track")
        assert goal["forecast"] is not None and goal["stale"] is False
    table = subprocess.run([*RUN, "evaluate", "--catalog", str(PROJECT_ROOT / "data" / "catalog.yaml"),
                            "--observations", str(csv), "--at", "2026-11-22", "--format", "table"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert "CO2-Ausstoß: 4,9 t je Einwohner bis 2030" in table.stdout
    assert "Lage zum Zielpfad" in table.stdout and "Begründung" in table.stdout


def test_public_export_leaves_internal_indicators_out(demo):
    cockpit, _outcomes, env, _folder = demo
    result = subprocess.run([*RUN, "export"], env=env, capture_output=True, text=True, timeout=60)
    internal = {i.id for i in cockpit.catalog.indicators if i.visibility == "internal"}
    exported = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert exported and not exported & internal


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_tile_the_goal_page_and_evaluate_agree(demo, lang):
    """Status, year, value and reason are the same on the overview, on the goal page and in `evaluate`."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cockpit.commands.evaluate import render_table
    from cockpit.i18n import format_number, t
    from cockpit.kpi import evaluate_catalog
    from cockpit.views.goals import build_goals
    from cockpit.views.overview import build_overview

    cockpit, _outcomes, env, folder = demo
    csv = folder / "observations-internal.csv"
    subprocess.run([*RUN, "export", "--role", "internal", "--citywide", "-o", str(csv)], env=env, check=True,
                   capture_output=True)
    result = subprocess.run([*RUN, "evaluate", "--catalog", str(PROJECT_ROOT / "data" / "catalog.yaml"),
                             "--observations", str(csv), "--at", TODAY], env=env, capture_output=True,
                            text=True, timeout=60)
    by_goal = {g["goal"]: g for g in json.loads(result.stdout)["goals"]}
    now = datetime(2026, 11, 22, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    overview = build_overview(cockpit, "internal", lang, now=now)
    goals = build_goals(cockpit, "internal", lang, now=now)
    from cockpit.commands.evaluate import read_observations

    table = render_table(evaluate_catalog(cockpit.catalog, read_observations(csv, cockpit.catalog).frame,
                                          now.date()), cockpit.catalog, lang)
    first_goal = {}
    for goal in cockpit.catalog.goals:
        first_goal.setdefault(goal.indicator, goal.id)
    assert set(by_goal) == {g.id for g in cockpit.catalog.goals}
    for goal_id, judged in by_goal.items():
        card = goals.goal(goal_id)
        decimals = cockpit.catalog.indicator(judged["indicator"]).decimals
        value = format_number(judged["value"], decimals, lang)
        assert (card.status, card.year) == (judged["status"], judged["year"])
        assert card.value_text.startswith(value)
        assert card.status_text == t(f"status.{judged['status']}", lang)
        assert card.reason_text and card.reason_text in table  # the same sentence in evaluate's table
        assert not card.stale
        if first_goal[judged["indicator"]] != goal_id:
            continue
        tile = overview.tile(judged["indicator"])
        assert (tile.status, tile.evaluated_year, tile.reason_text) == (card.status, card.year, card.reason_text)
        assert tile.value_text == value and str(judged["year"]) in tile.value_label
        assert tile.progress == pytest.approx(judged["progress"])
        assert not tile.stale
    # no status word contradicts its reason: a forecast that is late never sits beside "on track"
    late = {"de": "erst ", "en": "only in "}[lang]
    for tile in overview.tiles:
        if tile.reason_text and late in tile.reason_text:
            assert tile.status in ("at_risk", "off_track")
        if tile.status != "no_goal":
            assert tile.reason_text


def test_no_demo_tile_is_empty_or_stale_and_every_public_tile_has_a_sparkline(demo):
    """The demo generated for its day is current at any time of that day: the sub-daily snapshot feeds (bike
    sharing, fill levels) hold hourly readings for the last 8 days and a year at coarser resolution, so every
    tile has a value, no tile shows the stale chip, and every public tile draws a sparkline of >= 7 points."""
    from datetime import timedelta

    from cockpit import clock
    from cockpit.views.overview import build_overview

    cockpit = demo[0]
    now = clock.now()  # the demo day at the real time of day: the live snapshot is from this quarter hour
    for role in ("public", "internal"):
        view = build_overview(cockpit, role, "de", now=now)
        assert view.tiles
        for tile in view.tiles:
            assert not tile.stale, (tile.indicator_id, tile.stale_text)
            assert tile.value is not None, tile.indicator_id
            if role == "public":
                assert len(tile.spark.points) >= 7, (tile.indicator_id, len(tile.spark.points))
    stored = cockpit.store.observations("internal", district=None)
    for indicator_id in ("bike-sharing-bikes-available", "bike-sharing-empty-stations", "smart-bin-fill-level"):
        starts = stored[(stored["indicator"] == indicator_id) & (stored["district"] == "")]["period_start"]
        starts = starts.sort_values()
        recent = starts[starts >= starts.max() - timedelta(days=8)]
        assert len(recent) >= 8 * 24, (indicator_id, len(recent))  # every hour of the last 8 days
        assert starts.max() - starts.min() >= timedelta(days=365), indicator_id  # and a year before
        assert now - starts.max().to_pydatetime() <= timedelta(hours=2), indicator_id  # the current snapshot


