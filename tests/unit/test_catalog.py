"""Catalog loading: the shipped catalog is complete, and every bad catalog names file, entry and field."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
import yaml

from cockpit import PROJECT_ROOT
from cockpit.catalog import CatalogError, load_catalog
from cockpit.catalog.duration import Duration
from cockpit.catalog.loader import parse_catalog

SHIPPED = PROJECT_ROOT / "data" / "catalog.yaml"


@pytest.fixture
def raw():
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_shipped_catalog_covers_the_three_domains(catalog):
    domains = [i.domain for i in catalog.indicators]
    assert len(catalog.indicators) >= 12
    assert all(domains.count(d) >= 4 for d in ("energy", "mobility", "waste"))
    assert sum(i.visibility == "internal" for i in catalog.indicators) >= 2
    for ind in catalog.indicators:
        assert ind.name.de and ind.name.en and ind.description.de and ind.description.en
        assert ind.source.licence and ind.source.attribution and ind.department.de
    assert {g.indicator for g in catalog.goals} <= set(catalog.indicator_map)
    assert all(g.source for g in catalog.goals)


def broken(raw, path, value):
    data = copy.deepcopy(raw)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("indicators", 0, "aggregation"), "median", "indicators[0] (id 'co2-per-inhabitant'): field 'aggregation'"),
        (("indicators", 1, "rhythm"), "daily", "indicators[1] (id 'renewable-share-electricity'): field 'rhythm'"),
        (("indicators", 2, "visibility"), KeyError, "field 'visibility': Field required"),
        (("indicators", 3, "name"), {"de": "Nur Deutsch"}, "field 'name.en'"),
        (("indicators", 4, "domain"), "water", "field 'domain'"),
        (("indicators", 0, "id"), "CO2 per Einwohner", "field 'id'"),
        (("goals", 0, "baseline", "year"), "neunzehnhundertneunzig", "goals[0] (id 'co2-halve-2030'): field 'baseline.year'"),
        (("fields", 0, "dimension"), "cultural", "fields[0] (id 'climate-energy'): field 'dimension'"),
        (("indicators", 0, "colour"), "green", "field 'colour': Extra inputs are not permitted"),
    ],
)
def test_schema_errors_name_the_entry_and_field(raw, path, value, expected):
    with pytest.raises(CatalogError) as err:
        parse_catalog(broken(raw, path, value), "catalog.yaml")
    assert str(err.value).startswith("catalog.yaml: ")
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("goals", 0, "indicator"), "co2-total", "goals (id 'co2-halve-2030'): field 'indicator': unknown indicator"),
        (("goals", 0, "field"), "nowhere", "field 'field': unknown field 'nowhere'"),
        (("goals", 0, "direction"), "increase", "field 'direction': 'increase' contradicts baseline 9.8 and target 4.9"),
        (("goals", 0, "milestones"), [{"year": 2035, "value": 6.0}], "field 'milestones': years must increase"),
        (("goals", 0, "target", "year"), 1990, "years must increase"),
        (("fields", 0, "vision"), "unknown-vision", "fields (id 'climate-energy'): field 'vision': unknown vision"),
        (("indicators", 0, "plausible"), {"min": 5, "max": 1}, "field 'plausible': min must be below max"),
    ],
)
def test_cross_reference_errors_name_the_goal_and_field(raw, path, value, expected):
    with pytest.raises(CatalogError) as err:
        parse_catalog(broken(raw, path, value), "catalog.yaml")
    assert expected in str(err.value)


def test_duplicate_ids_are_rejected(raw):
    raw["indicators"].append(copy.deepcopy(raw["indicators"][0]))
    with pytest.raises(CatalogError, match="indicators \\(id 'co2-per-inhabitant'\\): field 'id': duplicate id"):
        parse_catalog(raw)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("indicators:\n  - id: a\n   name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog.yaml: not valid YAML at line \d+"):
        load_catalog(path)


def test_missing_file_and_wrong_top_level(tmp_path):
    with pytest.raises(CatalogError, match="file not found"):
        load_catalog(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(CatalogError, match="must hold a mapping"):
        load_catalog(tmp_path / "list.yaml")


def test_all_problems_are_reported_at_once(raw):
    data = broken(broken(raw, ("indicators", 0, "aggregation"), "median"), ("indicators", 1, "unit"), None)
    with pytest.raises(CatalogError) as err:
        parse_catalog(data)
    assert len(err.value.problems) >= 2


@pytest.mark.parametrize(("text", "start", "end"), [
    ("P1M", datetime(2026, 1, 31), datetime(2026, 2, 28)),
    ("P1Y", datetime(2024, 2, 29), datetime(2025, 2, 28)),
    ("P1D", datetime(2026, 3, 28, 12), datetime(2026, 3, 29, 12)),
    ("PT15M", datetime(2026, 1, 1, 23, 50), datetime(2026, 1, 2, 0, 5)),
    ("P1W", datetime(2026, 1, 1), datetime(2026, 1, 8)),
])
def test_durations_use_calendar_arithmetic(text, start, end):
    assert Duration.parse(text).after(start) == end


@pytest.mark.parametrize("text", ["P", "1D", "PT", "P1.5D", "monthly", ""])
def test_bad_durations_are_rejected(text):
    with pytest.raises(ValueError, match="ISO 8601"):
        Duration.parse(text)


def test_check_config_warns_about_the_deprecated_grace_key(tmp_path):
    import subprocess
    import sys

    old = tmp_path / "catalog.yaml"
    text = SHIPPED.read_text(encoding="utf-8")
    old.write_text(text.replace("publication_lag: P18M", "grace: P18M", 1), encoding="utf-8")
    catalog = load_catalog(old)
    assert catalog.indicator("co2-per-inhabitant").lag == Duration.parse("P18M")  # still understood
    env = {"COCKPIT_CATALOG": str(old), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (f"warning: {old}: indicators[0] (id 'co2-per-inhabitant'): field 'grace' is deprecated, rename it to "
            "'publication_lag'") in result.stderr
    clean = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config"],
                           env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0 and "warning" not in clean.stderr


def test_grace_and_a_different_publication_lag_contradict(raw):
    data = broken(raw, ("indicators", 0, "grace"), "P1Y")
    with pytest.raises(CatalogError) as err:
        parse_catalog(data, "catalog.yaml")
    assert "indicators (id 'co2-per-inhabitant'): field 'grace': deprecated alias of 'publication_lag'" in str(err.value)


def test_shipped_goals_say_what_and_by_when_in_both_languages(catalog):
    for goal in catalog.goals:
        assert goal.name is not None and goal.name.de != goal.name.en
        assert str(goal.target.year) in goal.name.de and str(goal.target.year) in goal.name.en
        assert goal.source.de != goal.source.en
        assert "\u00a0%" not in goal.name.en and " %" not in goal.name.en  # English writes 80%
    lags = {i.id: str(i.lag) for i in catalog.indicators}
    assert (lags["co2-per-inhabitant"], lags["renewable-share-electricity"], lags["bev-share"]) == ("P18M", "P2D", "P3M")
    assert all(i.grace is None for i in catalog.indicators)
