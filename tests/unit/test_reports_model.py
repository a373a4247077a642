"""The council report's content model: period, sections, audience filter, changes since the last report,
reproducibility."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cockpit.i18n import format_number, format_percent, t
from cockpit.kpi.pathway import round_tonnes, whole_tonnes
from cockpit.measures.demo import load_demo_measures
from cockpit.reports import ReportState, build_report, parse_period
from cockpit.roles import Role, Viewer
from cockpit.views.pathway import build_pathway
from layouts.app import create_app
from tests.unit.explorer_support import demo_cockpit
from tests.unit.opendata_support import INTERNAL_GOAL, seeded_cockpit, write

TODAY = date(2026, 11, 25)
H2 = parse_period("2026-H2")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("report"))


@pytest.fixture
def seeded(tmp_path):
    cockpit = seeded_cockpit(tmp_path)
    load_demo_measures(cockpit.store, cockpit.catalog)
    return cockpit


@pytest.mark.parametrize(("text", "start", "end", "de", "en"), [
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "2. Halbjahr 2026", "Half-year 2 of 2026"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "Jahr 2026", "Year 2026"),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "4. Quartal 2026", "Quarter 4 of 2026"),
    ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31), "1. Quartal 2025", "Quarter 1 of 2025"),
])
def test_periods(text, start, end, de, en):
    period = parse_period(text)
    assert (period.code, period.start, period.end) == (text, start, end)
    assert (period.text("de"), period.text("en")) == (de, en)


@pytest.mark.parametrize("text", ["2026-H3", "2026-Q5", "26-H1", "2026-M1", "", "2026-h2x"])
def test_bad_periods_name_the_accepted_forms(text):
    with pytest.raises(ValueError, match="YYYY|H1-H2"):
        parse_period(text)


def test_title_page_and_summary(demo):
    report = build_report(demo, H2, "public", "de", today=TODAY)
    facts = dict(report.facts)
    assert facts["Stadt"] == "Gera"
    assert facts["Berichtszeitraum"] == "2. Halbjahr 2026 (01.07.2026 – 31.12.2026)"
    assert facts["Datenstand"] == "25.11.2026"  # the period still runs: judged today
    assert facts["Zielgruppe"] == "Öffentlichkeit"
    assert facts["Datenversion"] == str(demo.store.data_version())
    assert facts["Version der Zielregeln"] == "2"
    assert len(facts["Prüfsumme der Eingangsdaten (SHA-256)"]) == 64
    assert report.demo and report.demo_text.startswith("Demodaten")
    counted = sum(c.count for c in report.summary.counts)
    assert counted == len(report.goals) > 0
    assert report.summary.goal_total_text == f"{len(report.goals)} Ziele"
    assert report.summary.changes == () and "erste Bericht" in report.summary.changes_empty_text
    past = build_report(demo, parse_period("2025"), "public", "en", today=TODAY)
    assert past.at == date(2025, 12, 31) and dict(past.facts)["Data as of"] == "31 Dec 2025"


def test_field_sections_hold_each_goal_with_its_figures_chart_and_measures(demo):
    report = build_report(demo, H2, "public", "de", today=TODAY)
    catalog_fields = [f.id for f in demo.catalog.fields]
    assert [f.id for f in report.fields] == [f for f in catalog_fields if f in {s.id for s in report.fields}]
    assert all(f.goals for f in report.fields)  # no empty section
    co2 = next(g for g in report.goals if g.id == "co2-halve-2030")
    assert co2.status_text in {"Auf Kurs", "Gefährdet", "Nicht auf Kurs"}
    assert co2.assessed_text.startswith("Ist 20") and "t je Einw." in co2.assessed_text
    assert co2.position_text.startswith("Lage gegenüber dem Zielpfad: ")
    assert co2.reason_text and co2.reason_text in co2.chart.alt and co2.status_text in co2.chart.alt
    chart = co2.chart
    assert chart.path[0] == (1990, 9.8) and chart.path[-1][0] == 2030
    assert chart.trend and chart.trend[-1][0] == 2030
    rows = {r[0]: r for r in chart.table.rows}
    year, value = chart.values[-1]
    assert rows[str(year)][1] == f"{value:.2f}".replace(".", ",")
    assert rows["1990"][2] == "9,80"
    measures = {m.id: m for m in co2.measures}
    assert "smart-quarter-energy" in measures
    entry = measures["smart-quarter-energy"]
    assert entry.office == "Umweltamt – Klimaschutzmanagement"  # the office, not a person
    assert entry.last_report_text == "Letzter Fortschrittsbericht: 23.02.2026"
    assert entry.check_text.startswith("Nachhaltigkeits-Check")
    assert entry.overdue and entry.status_text == "In Umsetzung"
    sources = {s.name: s for s in report.sources}
    assert all(s.licence for s in sources.values())
    assert sources["Energie- und CO2-Bilanz der Stadt Gera"].synthetic
    pathway = report.extra_sections[0]  # the demo has a CO2 balance: the climate pathway follows the fields
    assert report.tables == (tuple(g.chart.table for g in report.goals)  # a table for every chart
                             + tuple(c.table for c in pathway.charts) + pathway.tables)


def shown_t(value) -> str:
    """Whole tonnes of the API's 0.1 t figure, as every page and report shows them (kpi.pathway.whole_tonnes)."""
    return format_number(whole_tonnes(value), 0, "de")


def test_climate_pathway_section_has_the_numbers_of_klimapfad(demo):
    report = build_report(demo, H2, "public", "de", today=TODAY)
    assert [s.id for s in report.extra_sections] == ["pathway"]
    section = report.extra_sections[0]
    view = build_pathway(demo, Role.PUBLIC, "de")
    assert section.title == "Klimapfad: Reichen die Maßnahmen?"
    sentence, balance, target, budget, quality = section.paragraphs[:5]
    assert sentence == view.sentence and sentence.startswith("Die beschlossenen Maßnahmen decken ")
    first = min(view.observed)
    assert balance.startswith(f"Emissionen {view.y0}: {shown_t(view.observed[view.y0])} t CO2e, ")
    assert f"als {first} ({shown_t(view.observed[first])} t)" in balance
    year = view.target_year
    assert target == (f"Im Zieljahr {year}: Plan mit Maßnahmen {shown_t(view.plan[year])} t, "
                      f"Zielpfad {shown_t(view.target[year])} t, "
                      f"Trend ohne Maßnahmen {shown_t(view.bau[year])} t.")
    assert f"verbleibend: {shown_t(view.budget_remaining)} t" in budget
    assert budget.endswith(view.budget_text) and "aufgebraucht" in view.budget_text
    assert quality.startswith(f"Datenqualität der Bilanz {view.y0}: {view.quality[-1].value_text} (")
    assert section.paragraphs[-1] == view.source_line and "Demodaten" in view.source_line
    sectors = next(tb for tb in section.tables if tb.id == "pathway-sectors")
    assert sectors.headers[1:6] == ("Private Haushalte", "Gewerbe, Handel, Dienstleistungen", "Industrie",
                                    "Kommunale Einrichtungen", "Verkehr")
    assert sectors.rows[-1][0] == str(view.y0) and sectors.rows[-1][6] == shown_t(view.observed[view.y0])
    (chart,) = section.charts
    assert chart.alt.startswith("Liniendiagramm der CO2-Emissionen") and view.sentence in chart.alt
    assert dict(chart.trend)[year] == view.plan[year] and dict(chart.path)[year] == view.target[year]
    assert chart.table in report.tables  # in the appendix
    english = build_report(demo, H2, "public", "en", today=TODAY).extra_sections[0]
    assert english.title == "Climate pathway: are the measures enough?"
    assert english.paragraphs[0] == build_pathway(demo, Role.PUBLIC, "en").sentence
    assert english.paragraphs[1].startswith(f"Emissions in {view.y0}: ")


def test_public_pathway_section_neither_names_nor_counts_an_internal_measure(demo):
    internal_measure = next(m for m in demo.store.measures(Viewer(Role.INTERNAL))
                            if m.visibility == "internal" and m.effects)
    name = internal_measure.name.get("de")
    public = build_report(demo, H2, "public", "de", today=TODAY).extra_sections[0]
    internal = build_report(demo, H2, "internal", "de", today=TODAY).extra_sections[0]
    assert name not in repr(public)
    assert name in {row[0] for tb in internal.tables for row in tb.rows}
    api = create_app(demo).server.test_client().get("/api/v1/pathway").get_json()
    year = str(api["meta"]["target_year"])
    public_plan = dict(public.charts[0].trend)[int(year)]
    assert round_tonnes(public_plan) == api["plan"][year]  # the public plan is the open data's
    assert dict(internal.charts[0].trend)[int(year)] < public_plan  # the internal effect counts internally only


def test_pathway_coverage_and_gap_equal_the_pathway_api(demo):
    api = create_app(demo).server.test_client().get("/api/v1/pathway").get_json()
    for lang in ("de", "en"):
        section = build_report(demo, H2, "public", lang, today=TODAY).extra_sections[0]
        figures = dict(next(tb for tb in section.tables if tb.id == "pathway-figures").rows)
        year = api["meta"]["target_year"]
        gap_label = t("pathway.figure.gap" if api["gap"] > 0 else "pathway.figure.buffer", lang, year=year)
        assert figures[t("pathway.figure.coverage", lang)] == format_percent(api["coverage"], 0, lang)
        # whole tonnes of the number the API gives to 0.1 t: one rounding rule, the same digits
        assert figures[gap_label] == f"{format_number(whole_tonnes(abs(api['gap'])), 0, lang)} t"
        assert format_percent(api["coverage"], 0, lang) in section.paragraphs[0]
        assert figures[gap_label].removesuffix(" t") in section.paragraphs[0]  # the same number in the sentence
        assert figures[t("pathway.figure.budget", lang)] == (
            f"{format_number(whole_tonnes(api['budget_remaining']), 0, lang)} t")


def test_no_balance_no_pathway_section(seeded):
    assert seeded.store.balance_inputs()[0].empty
    assert build_report(seeded, H2, "public", "de", today=TODAY).extra_sections == ()


def test_english_report(demo):
    report = build_report(demo, H2, "public", "en", today=TODAY)
    assert report.title == "Report on goals and measures – Gera"
    assert dict(report.facts)["Audience"] == "Public"
    assert report.demo_text.startswith("Demo data")
    assert {g.status_text for g in report.goals} <= {"On track", "At risk", "Off track", "No data"}


def test_public_report_holds_only_what_the_public_api_shows(seeded):
    client = create_app(seeded).server.test_client()
    api_goals = {g["id"] for g in client.get("/api/v1/goals?per_page=100").get_json()["data"]}
    api_indicators = {i["id"] for i in client.get("/api/v1/indicators?per_page=100").get_json()["data"]}
    public = build_report(seeded, H2, "public", "de", today=TODAY)
    assert public.goals and {g.id for g in public.goals} <= api_goals
    assert {g.indicator_id for g in public.goals} <= api_indicators
    assert INTERNAL_GOAL not in {g.id for g in public.goals}
    public_measures = {m.id for m in seeded.store.measures(Viewer(Role.PUBLIC))}
    assert {m.id for m in public.measures} <= public_measures
    assert "Gebäudestrom" not in repr(public)  # not even the internal goal's name
    internal = build_report(seeded, H2, "internal", "de", today=TODAY)
    assert INTERNAL_GOAL in {g.id for g in internal.goals}
    assert dict(internal.facts)["Zielgruppe"] == "Verwaltung (intern)"


def test_changes_since_the_last_report(demo):
    first = build_report(demo, H2, "public", "de", today=TODAY)
    co2 = next(g for g in first.goals if g.id == "co2-halve-2030")
    other = "on_track" if co2.status != "on_track" else "off_track"
    overdue = first.state.overdue_measures
    assert overdue  # the demo has overdue progress reports
    before = ReportState("2026-H1", {**first.state.goal_status, co2.id: other}, overdue[1:])
    report = build_report(demo, H2, "public", "de", previous=before, today=TODAY)
    assert report.summary.changes_title == "Seit dem letzten Bericht (2026-H1)"
    words = {"on_track": "Auf Kurs", "off_track": "Nicht auf Kurs"}
    assert report.summary.changes[0] == \
        f"{co2.name}: Status von „{words[other]}“ zu „{co2.status_text}“ geändert."
    newly = next(m for m in report.measures if m.id == overdue[0]) if overdue[0] in \
        {m.id for m in report.measures} else None
    assert len(report.summary.changes) == 2 and "neu überfällig" in report.summary.changes[1]
    if newly is not None:
        assert report.summary.changes[1].startswith(f"{newly.name} ({newly.office})")
    same = build_report(demo, H2, "public", "de", previous=first.state, today=TODAY)
    assert same.summary.changes == ()
    assert same.summary.changes_empty_text == "Keine Statusänderungen und keine neu überfälligen Maßnahmen."
    assert ReportState.from_json(first.state.to_json()) == first.state


def test_same_data_version_same_content(seeded):
    one = build_report(seeded, H2, "public", "de", today=TODAY)
    again = build_report(seeded, H2, "public", "de", today=TODAY)
    assert again.fingerprint() == one.fingerprint() and again.provenance == one.provenance
    write(seeded, [("recycling-rate", "", "2026-11-01T00:00:00+01:00", 58.0)])
    changed = build_report(seeded, H2, "public", "de", today=TODAY)
    assert changed.provenance.data_version > one.provenance.data_version
    assert changed.provenance.inputs_sha256 != one.provenance.inputs_sha256
    assert replace(one, provenance=None, facts=()) != replace(changed, provenance=None, facts=())  # the content too
