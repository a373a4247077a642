"""The measure blocks other screens embed: the goal page block, chart markers with their table alternative,
the wall slide (rendered to Dash components, checked for what a reader sees)."""

from __future__ import annotations

import pytest

from cockpit import PROJECT_ROOT
from cockpit.alerts import load_alert_config
from cockpit.measures.demo import load_demo_measures
from cockpit.roles import Role, Viewer
from cockpit.views.measures import build_wall_measures, chart_annotations, measures_by_goal, overdue_summary
from layouts.components.measures import (
    annotation_table,
    goal_measures,
    overdue_line,
    wall_slide,
)
from tests.unit.test_measures_store import FakeCockpit


@pytest.fixture
def cockpit(sqlite_store, catalog):
    load_demo_measures(sqlite_store, catalog)
    return FakeCockpit(catalog, sqlite_store)


def texts(component) -> list[str]:
    """Every text in a component tree, in document order."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif node is not None and hasattr(node, "children"):
            walk(node.children)

    walk(component)
    return found


def find(component, predicate) -> list:
    hits = []

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif node is not None and hasattr(node, "children"):
            if predicate(node):
                hits.append(node)
            walk(node.children)

    walk(component)
    return hits


def test_goal_block_lists_the_goals_measures_with_links_to_their_pages(cockpit):
    views = measures_by_goal(cockpit, Viewer(Role.PUBLIC), "de")
    block = goal_measures(views["co2-halve-2030"], "co2-halve-2030", "de")
    words = texts(block)
    assert words[:2] == ["Maßnahmen für dieses Ziel", "2 Maßnahmen"]
    assert "Energiesparen im Smart Quarter Bieblach" in words and "Wasserstoffbusse im Stadtverkehr" in words
    links = {a.href for a in find(block, lambda n: type(n).__name__ == "A")}
    assert "/measure/smart-quarter-energy?lang=de" in links
    assert "/measures?lang=de&goal=co2-halve-2030" in links
    overdue = [c for c in views["co2-halve-2030"].cards if c.overdue]
    assert words.count("Bericht überfällig") == len(overdue)
    assert ("1 mit überfälligem Bericht" in words) is (len(overdue) == 1)
    assert "Für dieses Ziel ist noch keine Maßnahme erfasst." in texts(
        goal_measures(views.get("renewable-electricity-80-2030"), "renewable-electricity-80-2030", "de"))


def test_overview_line_names_the_overdue_reports_and_links_to_them(cockpit):
    summary = overdue_summary(cockpit, Role.PUBLIC, "de")
    line = overdue_line(summary)
    assert texts(line) == [summary.text] and summary.count > 0
    assert [a.href for a in find(line, lambda n: type(n).__name__ == "A")] == ["/measures?lang=de&overdue=1"]
    assert overdue_line(None) is None


def test_the_table_alternative_of_the_chart_markers(cockpit):
    marks = chart_annotations(cockpit, Role.PUBLIC, "charge-points-per-1000", "de")
    table = annotation_table(marks, "Öffentliche Ladepunkte je 1.000 Einwohner", "de")
    rows = find(table, lambda n: type(n).__name__ == "Tr")
    assert len(rows) == len(marks) + 1  # header row + one per marker
    assert texts(rows[1]) == ["01.09.2024", "Beginn", "Öffentliche Ladepunkte in der Innenstadt"]
    assert annotation_table((), "x", "de") is None


def test_wall_slide_counts_every_status_and_names_overdue_measures(cockpit):
    view = build_wall_measures(cockpit, Role.PUBLIC, "de")
    slide = wall_slide(view, "de")
    words = texts(slide)
    assert words[0] == "Maßnahmen"
    assert "1 Geplant" in words and "0 Abgebrochen" in words
    assert view.overdue_text in words
    assert set(view.overdue_names) <= set(words)


def test_the_example_alert_configuration_is_valid():
    config = load_alert_config(PROJECT_ROOT / "data" / "alerts.example.yaml")
    assert {r.kind for r in config.rules} == {"goal_status_worse", "indicator_stale", "source_failing",
                                              "measure_overdue"}
