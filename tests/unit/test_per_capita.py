"""One rule for "per 1,000 inhabitants" (cockpit.kpi.per_capita), checked for every indicator of the catalog: the
per-1,000 value is raw value × the unit's scale ÷ population × 1000, the unit label names the scaled unit, and the
explorer's charts, table and exports show exactly these numbers (the reported bug: 1,45 Mio. passengers a month
came out as 0,016 "je 1.000 Einw." instead of about 15.600)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.catalog import load_catalog
from cockpit.i18n import format_number
from cockpit.kpi.per_capita import (
    COUNT,
    PER1000,
    PER_INHABITANT,
    absolute,
    capita_kind,
    normalisable,
    per1000,
    per1000_decimals,
    per1000_unit,
    unit_scale,
)
from cockpit.roles import Role
from cockpit.views.explore import build_explore
from tests.unit.explorer_support import NOW, demo_cockpit

CATALOG = load_catalog("data/catalog.yaml")
# What each total of the catalog counts and how its unit is scaled, written down by hand: a new total in the
# catalog must be added here (the test below fails otherwise), so its scale is a decision, not a guess.
EXPECTED = {
    "final-energy-use": (1e3, "MWh je 1.000 Einw.", "MWh per 1,000 inhabitants"),  # GWh = 1000 MWh
    "municipal-buildings-electricity": (1.0, "MWh je 1.000 Einw.", "MWh per 1,000 inhabitants"),
    "public-transport-passengers": (1e6, "Fahrgäste je 1.000 Einw.", "passengers per 1,000 inhabitants"),
}
NORMALISABLE = [i for i in CATALOG.indicators if normalisable(i)]
values = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
populations = st.integers(min_value=1, max_value=10_000_000)


def test_every_total_of_the_catalog_has_its_scale_written_down():
    assert {i.id for i in NORMALISABLE} == set(EXPECTED)


@pytest.mark.parametrize("indicator", NORMALISABLE, ids=lambda i: i.id)
@given(value=values, population=populations)
def test_per_1000_is_raw_times_scale_over_population_times_1000(indicator, value, population):
    scale, _, _ = EXPECTED[indicator.id]
    assert per1000(value, indicator, population) == pytest.approx(value * scale / population * 1000, rel=1e-12)
    assert absolute(value, indicator, population) == value


@pytest.mark.parametrize("indicator", NORMALISABLE, ids=lambda i: i.id)
def test_the_unit_label_names_the_scaled_unit(indicator):
    _, german, english = EXPECTED[indicator.id]
    assert per1000_unit(indicator, "de") == german
    assert per1000_unit(indicator, "en") == english
    for label in (german, english):
        assert not any(word in label for word in ("Mio.", "million", "GWh", "Tsd."))


@pytest.mark.parametrize(("unit", "factor", "base"), [
    ("Mio. Fahrgäste", 1e6, "Fahrgäste"), ("million passengers", 1e6, "passengers"), ("Tsd. t", 1e3, "t"),
    ("thousand tonnes", 1e3, "tonnes"), ("GWh", 1e3, "MWh"), ("TWh", 1e6, "MWh"), ("MWh", 1.0, "MWh"),
    ("kWh", 1.0, "kWh"), ("kt", 1e3, "t"), ("Mrd. Euro", 1e9, "Euro"), ("Räder", 1.0, "Räder"), ("%", 1.0, "%"),
])
def test_unit_scales(unit, factor, base):
    assert (unit_scale(unit).factor, unit_scale(unit).base) == (factor, base)


@given(value=values, population=populations)
def test_values_stored_per_capita_are_related_to_1000_inhabitants_without_a_scale(value, population):
    per_inhabitant = CATALOG.indicator("co2-per-inhabitant")
    per_thousand = CATALOG.indicator("charge-points-per-1000")
    assert capita_kind(per_inhabitant) == PER_INHABITANT and capita_kind(per_thousand) == PER1000
    assert per1000(value, per_inhabitant, population) == pytest.approx(value * 1000)
    assert absolute(value, per_inhabitant, population) == pytest.approx(value * population)
    assert per1000(value, per_thousand, population) == value
    assert absolute(value, per_thousand, population) == pytest.approx(value * population / 1000)
    assert per1000_unit(per_inhabitant, "de") == "t je 1.000 Einw."
    assert per1000_unit(per_inhabitant, "en") == "t per 1,000 inhabitants"


def test_shares_and_means_are_never_related_to_the_population():
    for indicator in CATALOG.indicators:
        if indicator.unit.de.strip() == "%" or indicator.aggregation == "mean":
            assert capita_kind(indicator) is None
            assert per1000(5.0, indicator, 1000) is None
        else:
            assert capita_kind(indicator) in (COUNT, PER1000, PER_INHABITANT)
    assert per1000(5.0, NORMALISABLE[0], None) is None and per1000(None, NORMALISABLE[0], 1000) is None


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("per-capita"))


@pytest.mark.parametrize("indicator_id", sorted(EXPECTED))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_explorer_shows_every_total_per_1000_by_the_rule(cockpit, indicator_id, lang):
    scale, german, english = EXPECTED[indicator_id]
    indicator = cockpit.catalog.indicator(indicator_id)
    query = f"ind={indicator_id}&from=2024-01&to=2025-12&res=month"
    plain = build_explore(cockpit, Role.INTERNAL, parse_qs(query), lang, now=NOW)
    normed = build_explore(cockpit, Role.INTERNAL, parse_qs(query + "&norm=per1000"), lang, now=NOW)
    assert normed.panels[0].normalised and normed.records
    assert normed.panels[0].unit == (german if lang == "de" else english)
    population = cockpit.catalog.population
    assert len(normed.records) == len(plain.records)
    for raw, shown in zip(plain.records, normed.records, strict=True):
        assert shown.value == pytest.approx(raw.value * scale / population * 1000, rel=1e-9)
        assert shown.unit == normed.panels[0].unit
    trace = normed.panels[0].traces[0]
    assert [p.value for p in trace.points] == [r.value for r in normed.records]
    decimals = per1000_decimals(indicator)
    assert normed.table.rows[0][3] == format_number(normed.table.keys[0][3], decimals, lang)
