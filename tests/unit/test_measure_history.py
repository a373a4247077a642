"""Changes of a measure's climate effect and cost in its history (the list of progress reports on the measure page):
in the store on both backends, and as the view model the page shows (author or office, Europe/Berlin date in the
viewer's language, newest first beside the progress reports, nothing of a measure the viewer may not see)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from cockpit.config import load_settings
from cockpit.measures import load_measures
from cockpit.measures.demo import load_demo_measures
from cockpit.measures.model import Report
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache
from cockpit.views.measures import build_measure
from tests.unit.test_pathway_store import DEMO_MEASURES

# 23:30 UTC on 28 March 2026 is 00:30 on 29 March in Gera (CET): the date a user sees is the local one
CHANGED_AT = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)


def changed(measure, reduction_t: float, cost: dict | None):
    effect = measure.effects[0].model_copy(update={"reduction_t": reduction_t})
    new_cost = None if cost is None else measure.cost.model_copy(update=cost)
    return measure.model_copy(update={"effects": [effect], "cost": new_cost})


def test_every_change_is_kept_with_author_and_date_and_only_for_visible_measures(store, catalog):
    measures = {m.id: m for m in load_measures(DEMO_MEASURES, catalog)}
    store.import_measures(list(measures.values()))
    store.import_measures(list(measures.values()), author="nobody")  # unchanged: no new entry
    bus = measures["hydrogen-buses"]
    store.import_measures([changed(bus, 1500, {"one_off_eur": 9_900_000})], author="Klimaschutz", now=CHANGED_AT)
    store.import_measures([changed(bus, 1500, None)], author="Kämmerei", now=CHANGED_AT.replace(hour=23, minute=45))
    history = store.effect_changes(Role.ADMIN, "hydrogen-buses")
    assert [(c["kind"], c["author"]) for c in history] == [
        ("effects", "import"), ("cost", "import"), ("effects", "Klimaschutz"), ("cost", "Klimaschutz"),
        ("cost", "Kämmerei")]
    assert history[2]["value"] == [{"sector": "transport", "reduction_t": 1500, "start_year": 2028, "full_year": 2030,
                                    "end_year": 2041}]
    assert history[3]["value"] == {"one_off_eur": 9_900_000, "per_year_eur": 180_000}
    assert history[4]["value"] is None and history[2]["recorded_at"] == CHANGED_AT
    assert store.effect_changes(Role.PUBLIC, "hydrogen-buses") == history
    assert store.effect_changes(Role.ADMIN, "innovation-centre")  # internal, with an effect
    assert store.effect_changes(Role.PUBLIC, "innovation-centre") == []


@pytest.fixture
def cockpit(tmp_path):
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", load_demo=False))
    load_demo_measures(cockpit.store, cockpit.catalog)
    bus = cockpit.store.measure(Role.ADMIN, "hydrogen-buses")
    cockpit.store.import_measures([changed(bus, 1500, {"per_year_eur": 210_000})], author="Klimaschutzmanagerin",
                                  now=CHANGED_AT)
    return cockpit


def rows(view):
    return [(r.when_text, r.author, r.status_text, r.text) for r in view.reports]


def test_the_measure_page_lists_effect_changes_with_author_and_local_date(cockpit):
    staff = build_measure(cockpit, Role.INTERNAL, "hydrogen-buses", "de")
    effect = next(r for r in rows(staff) if r[2] == "Klimawirkung geändert")
    assert effect == ("29.03.2026, 00:30", "Klimaschutzmanagerin", "Klimawirkung geändert",
                      "Verkehr: 1.500 t CO2e je Jahr; Beginn 2028, volle Wirkung 2030, Ende 2041")
    cost = next(r for r in rows(staff) if r[2] == "Kosten geändert")
    assert cost[1:] == ("Klimaschutzmanagerin", "Kosten geändert", "9.600.000 € einmalig, 210.000 € je Jahr")
    first = [r for r in rows(staff) if r[2] == "Klimawirkung erfasst"]
    assert len(first) == 1 and first[0][1] == "import" and "1.100 t CO2e" in first[0][3]

    english = build_measure(cockpit, Role.INTERNAL, "hydrogen-buses", "en")
    assert ("29 Mar 2026, 00:30", "Klimaschutzmanagerin", "Climate effect changed",
            "Transport: 1,500 t CO2e per year; from 2028, full effect 2030, end 2041") in rows(english)

    public = build_measure(cockpit, Role.PUBLIC, "hydrogen-buses", "de")
    changes = [r for r in rows(public) if r[2].startswith(("Klimawirkung", "Kosten"))]
    assert len(changes) == 4 and {r[1] for r in changes} == {"Verkehrsbetrieb (GVB)"}  # the office, no person
    assert "Klimaschutzmanagerin" not in repr(public)
    assert build_measure(cockpit, Role.PUBLIC, "innovation-centre", "de") is None


def test_effect_changes_and_progress_reports_form_one_history_newest_first(cockpit):
    cockpit.store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
                                       author="staff-gvb", status="in_progress", percent=20, text="Ausschreibung"))
    cockpit.store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 4, 1, 9, tzinfo=UTC),
                                       author="staff-gvb", status="in_progress", percent=30, text="Zuschlag"))
    history = rows(build_measure(cockpit, Role.INTERNAL, "hydrogen-buses", "de"))
    texts = [r[3] for r in history]
    change = texts.index("Verkehr: 1.500 t CO2e je Jahr; Beginn 2028, volle Wirkung 2030, Ende 2041")
    assert texts.index("Zuschlag") < change < texts.index("Ausschreibung")


def test_the_migration_makes_existing_effects_and_costs_the_first_history_entries(store, catalog):
    from cockpit.store import migrate

    store.import_measures(load_measures(DEMO_MEASURES, catalog), author="Umweltamt", now=CHANGED_AT)
    before = store.effect_changes(Role.ADMIN, "hydrogen-buses")
    # as a database made before the history existed: 0014's downgrade by hand (it drops the table and its index),
    # because 0015 (observations partitioned on PostgreSQL) has no way back; its upgrade is a no-op when done
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE measure_effect_changes"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0013_report_comments'"))
    assert migrate.current_revision(store.engine) == "0013_report_comments"
    with store.engine.connect() as conn:
        assert "measure_effect_changes" not in sa_inspect(conn).get_table_names()
    migrate.upgrade(store.engine)
    after = store.effect_changes(Role.ADMIN, "hydrogen-buses")
    assert [(c["kind"], c["value"], c["author"], c["recorded_at"]) for c in after] == [
        (c["kind"], c["value"], c["author"], c["recorded_at"]) for c in before]
    assert [c["kind"] for c in after] == ["effects", "cost"] and after[0]["author"] == "Umweltamt"
