"""Measures in the store (SQLite and PostgreSQL) and on the screens: visibility filtered in SQL, report history
with who and when, status and milestones applied, permission checked on submit, goal block, chart annotations,
wall counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cockpit import PROJECT_ROOT
from cockpit.measures import Measure, Report, load_measures
from cockpit.measures.demo import load_demo_measures
from cockpit.measures.reporting import ReportRejected, submit_report
from cockpit.roles import Role, Viewer
from cockpit.views.measures import (
    build_measure,
    build_measures,
    build_wall_measures,
    chart_annotations,
    goal_measures,
    measures_by_goal,
    overdue_summary,
)

DEMO = PROJECT_ROOT / "data" / "measures.yaml"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class FakeCockpit:
    """What the view builders read: the catalog and the store."""

    catalog: object
    store: object


@pytest.fixture
def cockpit(store, catalog):
    load_demo_measures(store, catalog)
    return FakeCockpit(catalog, store)


def test_demo_import_keeps_every_field_and_internal_measures_stay_internal_in_sql(cockpit, catalog):
    store = cockpit.store
    stored = {m.id: m.model_copy(update={"created_at": None}) for m in store.measures(Role.ADMIN)}
    assert stored == {m.id: m for m in load_measures(DEMO, catalog)}
    public_ids = {m.id for m in store.measures(Role.PUBLIC)}
    assert "innovation-centre" not in public_ids and len(public_ids) == 5
    assert store.measure(Viewer(Role.PUBLIC), "innovation-centre") is None
    assert store.measure(Viewer(Role.INTERNAL), "innovation-centre") is not None
    assert store.measure_reports(Role.PUBLIC, "innovation-centre") == []
    assert all(r.measure_id != "innovation-centre" for r in store.measure_reports(Role.PUBLIC))
    assert load_demo_measures(store, catalog) == 0  # only on the first start


def test_reports_are_kept_with_who_and_when_and_update_the_measure(cockpit):
    store = cockpit.store
    before = len(store.measure_reports(Role.PUBLIC, "hydrogen-buses"))
    store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
                               author="anna", status="in_progress", percent=5, milestone="funding",
                               text="Förderbescheid eingegangen"))
    store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 11, 3, 9, tzinfo=UTC),
                               author="bert", status="postponed", text="Lieferverzug"))
    reports = store.measure_reports(Role.PUBLIC, "hydrogen-buses")
    assert len(reports) == before + 2
    assert [(r.author, r.status) for r in reports[:2]] == [("bert", "postponed"), ("anna", "in_progress")]
    assert reports[0].reported_at == datetime(2026, 11, 3, 9, tzinfo=UTC)
    m = store.measure(Role.PUBLIC, "hydrogen-buses")
    assert m.status == "postponed"
    assert m.milestone("funding").reached.isoformat() == "2026-11-02"
    assert store.last_reports(Role.PUBLIC)["hydrogen-buses"] == datetime(2026, 11, 3, 9, tzinfo=UTC)
    # re-importing the definitions keeps the history
    store.import_measures(load_measures(DEMO))
    assert len(store.measure_reports(Role.PUBLIC, "hydrogen-buses")) == before + 2


def test_a_progress_report_moves_the_data_version_so_cached_pages_show_it(cockpit):
    store = cockpit.store
    before = store.data_version()
    store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 11, 4, 9, tzinfo=UTC),
                               author="gvb-staff", status="in_progress", percent=20, text="Ausschreibung läuft"))
    assert store.data_version() > before


def test_submit_checks_the_permission_and_the_input(cockpit):
    store = cockpit.store
    gvb = Viewer(Role.INTERNAL, "gvb-staff", "gvb")
    for viewer in (Viewer(Role.PUBLIC), Viewer(Role.INTERNAL), Viewer(Role.INTERNAL, "x", "umweltamt")):
        with pytest.raises(ReportRejected, match="keinen Fortschritt melden"):
            submit_report(store, viewer, "hydrogen-buses", "in_progress", 10, "", "Text", "de")
    with pytest.raises(ReportRejected, match="not report progress"):  # internal measure unknown to the public
        submit_report(store, Viewer(Role.PUBLIC), "innovation-centre", "planned", None, "", "x", "en")
    for percent in ("abc", 101, -1, 12.5):
        with pytest.raises(ReportRejected, match="0 bis 100"):
            submit_report(store, gvb, "hydrogen-buses", "in_progress", percent, "", "Text", "de")
    with pytest.raises(ReportRejected, match="gültigen Stand"):
        submit_report(store, gvb, "hydrogen-buses", "done", 10, "", "Text", "de")
    with pytest.raises(ReportRejected, match="gehört nicht"):
        submit_report(store, gvb, "hydrogen-buses", "in_progress", 10, "pilot-150", "Text", "de")
    with pytest.raises(ReportRejected, match="kurzen Bericht"):
        submit_report(store, gvb, "hydrogen-buses", "in_progress", 10, "", "   ", "de")
    assert submit_report(store, gvb, "hydrogen-buses", "in_progress", "20", "funding", "Bescheid da", "de",
                         now=NOW) == "Bericht gespeichert."
    assert submit_report(store, Viewer(Role.ADMIN, "admin"), "innovation-centre", "in_progress", None, "",
                         "Planung läuft wieder", "de", now=NOW)
    latest = store.measure_reports(Role.ADMIN, "hydrogen-buses")[0]
    assert (latest.author, latest.percent, latest.milestone) == ("gvb-staff", 20, "funding")


def test_list_filters_counts_and_overdue(cockpit):
    view = build_measures(cockpit, Role.PUBLIC, "de", now=NOW)
    assert view.total_text == "5 Maßnahmen"
    assert {c.status: c.count for c in view.counts} == {"planned": 1, "in_progress": 3, "completed": 1,
                                                         "postponed": 0, "cancelled": 0}
    overdue = {c.id for c in view.cards if c.overdue}
    assert overdue == {"charging-points-city-centre", "hydrogen-buses", "smart-quarter-energy"}
    assert view.overdue_count == 3
    assert [c.id for c in build_measures(cockpit, Role.PUBLIC, "de", {"department": "verkehr"}, NOW).cards] == [
        "e-bike-boxes", "charging-points-city-centre"]
    economic = build_measures(cockpit, Role.PUBLIC, "de", {"dimension": "economic"}, NOW)
    assert {c.id for c in economic.cards} == {"smart-waste-collection", "charging-points-city-centre"}
    by_status = build_measures(cockpit, Role.PUBLIC, "en", {"status": "planned", "field": "public-transport"}, NOW)
    assert [c.name for c in by_status.cards] == ["Hydrogen buses in public transport"]
    junk = build_measures(cockpit, Role.PUBLIC, "de", {"status": "<script>", "field": "nope"}, NOW)
    assert junk.filters["status"] == "" and len(junk.cards) == 5
    internal = build_measures(cockpit, Role.INTERNAL, "de", now=NOW)
    assert len(internal.cards) == 6 and internal.cards[0].demo


def test_detail_goal_block_annotations_and_wall(cockpit):
    detail = build_measure(cockpit, Role.PUBLIC, "smart-quarter-energy", "de", now=NOW)
    assert detail.card.check_complete and not detail.can_report
    assert [(x.kind, x.target_id, x.effect_text) for x in detail.links] == [
        ("goal", "co2-halve-2030", "erwartete Wirkung \u22120,05\u00a0t je Einw. ab 2027"),
        ("indicator", "final-energy-use", "erwartete Wirkung \u221212\u00a0GWh ab 2027")]
    staff = Viewer(Role.INTERNAL, "anna", "umweltamt")
    assert build_measure(cockpit, staff, "smart-quarter-energy", "de", now=NOW).can_report
    assert build_measure(cockpit, Role.PUBLIC, "innovation-centre", "de") is None
    # a public measure linked to an internal indicator does not reveal it
    internal_link = build_measure(cockpit, Role.PUBLIC, "smart-waste-collection", "de", now=NOW)
    assert "smart-bin-fill-level" not in {x.target_id for x in internal_link.links}

    assert {c.id for c in goal_measures(cockpit, Role.PUBLIC, "co2-halve-2030", "de", NOW)} == {
        "hydrogen-buses", "smart-quarter-energy"}
    marks = chart_annotations(cockpit, Role.PUBLIC, "co2-per-inhabitant", "de")
    assert [(a.date_text, a.kind, a.measure_id) for a in marks][:2] == [
        ("15.01.2025", "start", "smart-quarter-energy"), ("20.02.2026", "milestone", "smart-quarter-energy")]
    assert any(a.label == "Beginn: Wasserstoffbusse im Stadtverkehr" for a in marks)
    assert chart_annotations(cockpit, Role.PUBLIC, "municipal-buildings-electricity", "de") == ()
    assert chart_annotations(cockpit, Role.INTERNAL, "municipal-buildings-electricity", "de")

    wall = build_wall_measures(cockpit, Role.PUBLIC, "de", now=NOW)
    assert wall.title == "Maßnahmen" and wall.overdue_count == 3 and wall.demo
    assert sum(c.count for c in wall.counts) == 5


def test_goal_measures_and_overdue_reports_for_the_goal_page_and_the_overview(cockpit):
    by_goal = measures_by_goal(cockpit, Role.PUBLIC, "de", NOW)
    co2 = by_goal["co2-halve-2030"]
    assert [c.id for c in co2.cards] == ["smart-quarter-energy", "hydrogen-buses"]  # by name
    assert co2.total_text == "2 Maßnahmen" and co2.href == "/measures?lang=de&goal=co2-halve-2030"
    assert co2.overdue_count == sum(c.overdue for c in co2.cards)
    assert "renewable-electricity-80-2030" not in by_goal  # no measure linked

    summary = overdue_summary(cockpit, Role.PUBLIC, "de", NOW)
    assert summary.count == 3 and summary.text == "3 Maßnahmen mit überfälligem Fortschrittsbericht"
    assert summary.href == "/measures?lang=de&overdue=1"
    assert overdue_summary(cockpit, Role.PUBLIC, "en", NOW).text == "3 measures with an overdue progress report"
    assert overdue_summary(cockpit, Role.INTERNAL, "de", NOW).count == 4  # + the internal innovation centre
    overdue = build_measures(cockpit, Role.PUBLIC, "de", {"overdue": "1"}, now=NOW)
    assert len(overdue.cards) == 3 and all(c.overdue for c in overdue.cards)
    assert build_measures(cockpit, Role.PUBLIC, "de", {"overdue": "yes"}, now=NOW).filters["overdue"] == ""
    # one report and the count goes down; nothing overdue: no line at all
    for card in overdue.cards:
        cockpit.store.record_report(Report(measure_id=card.id, reported_at=NOW, author="t", status="in_progress",
                                           text="Bericht"))
    assert overdue_summary(cockpit, Role.PUBLIC, "de", NOW).count == 0
    assert overdue_summary(cockpit, Role.PUBLIC, "de", NOW).text is None


def test_measure_without_check_is_shown_as_check_open(store, catalog):
    store.import_measures([Measure.model_validate({
        "id": "new", "name": {"de": "Neu", "en": "New"}, "description": {"de": "d", "en": "d"},
        "field": "climate-energy", "department": "umweltamt",
        "check": {"social": {"assessment": "neutral", "justification": {"de": "s", "en": "s"}}}})])
    card = build_measures(FakeCockpit(catalog, store), Role.PUBLIC, "de", now=NOW).cards[0]
    assert not card.check_complete and card.check_text == "Nachhaltigkeits-Check offen"
    assert [d.assessment_text for d in card.dimensions] == ["nicht bewertet", "neutral", "nicht bewertet"]
