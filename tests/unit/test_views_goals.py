"""The goal tree view model on a temp SQLite store filled through store.write_batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cockpit.catalog import Goal, YearValue
from cockpit.config import load_settings
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views import build_goals, clear_cache

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BERLIN)
SYNTHETIC = "climate-balance"
LIVE = "live-test-source"


@pytest.fixture
def cockpit(tmp_path):
    clear_cache()
    return open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False))


def write(cockpit, source_id: str, indicator: str, values: dict[int, float]) -> None:
    frame = make_frame([dict(indicator=indicator, district="", period_start=f"{y}-01-01T00:00:00+01:00",
                             period_end=None, value=v, raw="") for y, v in values.items()])
    run_id = cockpit.store.start_run(source_id)
    cockpit.store.write_batch(source_id, run_id, frame, [], len(frame))


def test_tree_follows_the_catalog(cockpit):
    view = build_goals(cockpit, "public", "de", NOW)
    catalog = cockpit.catalog
    assert [v.id for v in view.visions] == [v.id for v in catalog.visions]
    for vision in view.visions:
        assert [f.id for f in vision.fields] == [f.id for f in catalog.fields if f.vision == vision.id]
    assert {g.id for g in view.goals} == {g.id for g in catalog.goals}
    field = next(f for v in view.visions for f in v.fields if f.id == "public-transport")
    assert field.dimension == "social"
    assert field.dimension_text == "Dimension: sozial"
    assert field.goals == () and field.total_text == "0 Ziele"
    climate = next(f for v in view.visions for f in v.fields if f.id == "climate-energy")
    assert climate.name == "Klimaschutz und Energie"
    assert climate.dimension_text == "Dimension: ökologisch"
    assert [g.id for g in climate.goals] == ["co2-halve-2030", "renewable-electricity-80-2030"]
    en = build_goals(cockpit, "public", "en", NOW)
    assert en.visions[0].fields[0].dimension_text == "Dimension: ecological"


def test_goal_figures_path_forecast_and_basis(cockpit):
    write(cockpit, SYNTHETIC, "co2-per-inhabitant", {2021: 6.3, 2022: 6.0, 2023: 5.8, 2024: 5.6, 2025: 5.4})
    goal = build_goals(cockpit, "public", "de", NOW).goal("co2-halve-2030")
    assert (goal.status, goal.status_text) == ("on_track", "Auf Kurs")
    assert goal.year == 2025
    assert (goal.actual_label, goal.value_text) == ("Ist 2025", "5,40\u00a0t je Einw.")
    assert (goal.expected_label, goal.expected_text) == ("Soll 2025", "5,70\u00a0t je Einw.")
    assert (goal.target_label, goal.target_value_text) == ("Ziel 2030", "4,9\u00a0t je Einw.")
    assert [(p.kind_text, p.year, p.number_text) for p in goal.path] == [
        ("Ausgangswert", 1990, "9,80"), ("Zwischenziel", 2020, "6,50"), ("Zielwert", 2030, "4,90")]
    assert goal.progress_text == "Fortschritt 90\u00a0%"
    assert goal.forecast_text == "Beim jetzigen Tempo 2028 erreicht (Ziel 2030)"
    assert goal.reason_text == "Im Plan und beim jetzigen Tempo 2028 erreicht (Ziel 2030)"
    assert goal.trend_text.startswith("Trend 2030: ")
    assert "mit 80\u00a0% Wahrscheinlichkeit zwischen" in goal.trend_text
    assert goal.basis_text.startswith("Grundlage: Selbstverpflichtung im Klima-Bündnis")
    assert goal.demo and not goal.stale and goal.stale_text is None
    assert goal.href == "/indicator/co2-per-inhabitant?lang=de"
    en = build_goals(cockpit, "public", "en", NOW).goal("co2-halve-2030")
    assert (en.name, en.status_text, en.actual_label) == (
        "CO2 emissions: 4.9 t per inhabitant by 2030 (half of 1990)", "On track", "Actual 2025")
    assert en.forecast_text == "At the current pace reached in 2028 (target 2030)"
    assert en.reason_text == "On the path, and at the current pace reached in 2028 (target 2030)"
    assert en.basis_text.startswith("Basis: Climate Alliance commitment")
    assert "80% likely between" in en.trend_text


def test_goal_without_data(cockpit):
    goal = build_goals(cockpit, "public", "de", NOW).goal("bev-share-2030")
    assert (goal.status, goal.status_text) == ("no_data", "Keine Daten")
    assert goal.year is None and goal.value_text is None and goal.progress_text is None
    assert goal.forecast_text == "Zu wenige Jahre für eine Prognose"
    assert goal.trend_text is None
    assert not goal.demo


def test_counts_per_node(cockpit):
    write(cockpit, LIVE, "co2-per-inhabitant", {2021: 6.3, 2022: 6.0, 2023: 5.8, 2024: 5.6, 2025: 5.4})
    write(cockpit, LIVE, "bev-share", {2022: 0.9, 2023: 1.2, 2024: 1.5, 2025: 1.9})
    view = build_goals(cockpit, "public", "de", NOW)
    sustainability, mobility = view.visions
    assert sustainability.total_text == "3 Ziele"
    assert [(c.status, c.count, c.text) for c in sustainability.counts] == [
        ("on_track", 1, "1 Auf Kurs"), ("no_data", 2, "2 Keine Daten")]
    assert [(c.status, c.count) for c in mobility.counts] == [("off_track", 1), ("no_data", 1)]
    low_emission = mobility.fields[0]
    assert low_emission.total_text == "2 Ziele"
    circular = sustainability.fields[1]
    assert circular.total_text == "1 Ziel"
    assert view.total_text == "5 Ziele"
    assert sum(c.count for c in view.counts) == 5
    assert not view.demo


def test_goals_of_internal_indicators_are_left_out_for_the_public(cockpit):
    internal_goal = Goal(
        id="buildings-electricity-down", indicator="municipal-buildings-electricity", direction="decrease",
        baseline=YearValue(year=2020, value=20000), target=YearValue(year=2030, value=14000),
        source="Ratsbeschluss (Test)", field="climate-energy")
    catalog = cockpit.catalog.model_copy(update={"goals": [*cockpit.catalog.goals, internal_goal]})
    cockpit = replace(cockpit, catalog=catalog)
    public = build_goals(cockpit, "public", "de", NOW)
    assert "buildings-electricity-down" not in {g.id for g in public.goals}
    assert public.visions[0].total_text == "3 Ziele"
    internal = build_goals(cockpit, "internal", "de", NOW)
    assert "buildings-electricity-down" in {g.id for g in internal.goals}
    assert internal.visions[0].total_text == "4 Ziele"


def test_an_overdue_annual_value_is_named_with_its_due_date(cockpit):
    write(cockpit, LIVE, "co2-per-inhabitant", {2020: 6.6, 2021: 6.3, 2022: 6.0, 2023: 5.8})  # lag P18M
    goal = build_goals(cockpit, "public", "de", NOW).goal("co2-halve-2030")
    assert goal.year == 2023 and goal.stale
    assert goal.stale_text == "Wert für 2024 seit 01.07.2026 überfällig"
    en = build_goals(cockpit, "public", "en", NOW).goal("co2-halve-2030")
    assert en.stale_text == "Value for 2024 overdue since 1 Jul 2026"
    assert en.reason_text.startswith("On the path")  # 5.8 in 2023 is ahead of the path
