"""The operations page /status: staff see the runs, quarantine and alerts of the sources that feed indicators they
may see (admins all), on both backends; German pages show German words and counts in the German format."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.roles import Role, Viewer
from cockpit.runtime import open_cockpit
from cockpit.sources.base import Reject, make_frame
from cockpit.store.measures import AlertState
from cockpit.views import clear_cache
from cockpit.views.status import build_status, source_indicators
from tests.integration.test_auth import (
    DEPARTMENT,
    DEPARTMENT_GOAL,
    INTERNAL,
    OTHER,
    OWNER,
    PASSWORD,
    department_catalog,
)

# source -> the indicator it feeds in data/sources.yaml (public, internal, department-only)
PUBLIC_SOURCE, INTERNAL_SOURCE, DEPARTMENT_SOURCE = "waste-balance", "building-meters", "waste-containers"


def raw_marker(source: str) -> str:
    return f"RAW-RECORD-OF-{source}"


@pytest.fixture
def cockpit(tmp_path, database_url):
    clear_cache()
    settings = load_settings(database_url=database_url, load_demo=False, catalog=department_catalog(tmp_path),
                             secret_key="status-test-secret-0123456789")
    cockpit = open_cockpit(settings)
    for source in (PUBLIC_SOURCE, INTERNAL_SOURCE, DEPARTMENT_SOURCE):
        run_id = cockpit.store.start_run(source)
        rejects = [Reject(raw=f"{raw_marker(source)} {n}", reason="unknown district 'mars'") for n in range(60)]
        cockpit.store.write_batch(source, run_id, make_frame([]), rejects, 1234,
                                  message=f"HTTP 503 from the server of {source}")
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    for subject in (DEPARTMENT_SOURCE, DEPARTMENT, DEPARTMENT_GOAL, PUBLIC_SOURCE):
        state = AlertState(f"rule:{subject}", "rule", subject, True, None, None, now)
        cockpit.store.record_alert(state, "fired", f"ALERT-ABOUT-{subject}", {"mail": "ok"})
    accounts = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments})
    accounts.add_user("owner", PASSWORD, "staff", OWNER)
    accounts.add_user("other", PASSWORD, "staff", OTHER)
    return cockpit


def test_sources_are_mapped_to_the_indicators_they_feed(cockpit):
    feeds = source_indicators(cockpit)
    assert INTERNAL in feeds[INTERNAL_SOURCE] and DEPARTMENT in feeds[DEPARTMENT_SOURCE]
    assert "recycling-rate" in feeds[PUBLIC_SOURCE]
    assert "charge-points-per-1000" in feeds["charging-register"]  # from the connector's default options


@pytest.mark.parametrize("who, sees", [
    (Viewer(Role.INTERNAL, "other", OTHER), {PUBLIC_SOURCE, INTERNAL_SOURCE}),
    (Viewer(Role.INTERNAL, "owner", OWNER), {PUBLIC_SOURCE, INTERNAL_SOURCE, DEPARTMENT_SOURCE}),
    (Viewer(Role.ADMIN, "admin"), {PUBLIC_SOURCE, INTERNAL_SOURCE, DEPARTMENT_SOURCE}),
])
def test_staff_see_runs_quarantine_and_alerts_of_the_sources_feeding_what_they_may_see(cockpit, who, sees):
    view = build_status(cockpit, who, "de")
    shown_sources = {s.source_id for s in view.sources} & {PUBLIC_SOURCE, INTERNAL_SOURCE, DEPARTMENT_SOURCE}
    assert shown_sources == sees
    assert {q.source_id for q in view.quarantine} == sees
    assert {e.source_id for e in view.errors} == sees
    assert set(view.source_options) >= sees and not ({DEPARTMENT_SOURCE} - sees) & set(view.source_options)
    subjects = {a.subject for a in view.alerts}
    hidden = DEPARTMENT_SOURCE not in sees
    assert (DEPARTMENT_SOURCE in subjects, DEPARTMENT in subjects, DEPARTMENT_GOAL in subjects) == (not hidden,) * 3
    assert PUBLIC_SOURCE in subjects
    assert any(DEPARTMENT_GOAL in key for key in view.firing) == (not hidden)
    # a crafted filter for a source the viewer may not see shows nothing of it
    filtered = build_status(cockpit, who, "de", source=DEPARTMENT_SOURCE)
    assert (DEPARTMENT_SOURCE in {q.source_id for q in filtered.quarantine}) == (not hidden)


def test_the_public_gets_nothing_from_the_view(cockpit):
    view = build_status(cockpit, Role.PUBLIC, "de")
    assert not view.sources and not view.quarantine and not view.alerts and not view.errors and not view.firing


def login(client, who: str):
    page = client.get("/login?lang=de").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0] if 'name="csrf_token"' in page else ""
    response = client.post("/login?lang=de", data={"username": who, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def status_page(client, lang: str = "de") -> str:
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/status"},
                       {"id": "_pages_location", "property": "search", "value": f"?lang={lang}"}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_status_page_of_staff_of_another_department_shows_nothing_of_the_department_source(cockpit):
    from layouts.app import create_app

    app = create_app(cockpit)
    other, owner = app.server.test_client(), app.server.test_client()
    login(other, "other")
    login(owner, "owner")
    hidden = [raw_marker(DEPARTMENT_SOURCE), f"ALERT-ABOUT-{DEPARTMENT}", f"ALERT-ABOUT-{DEPARTMENT_GOAL}",
              f"HTTP 503 from the server of {DEPARTMENT_SOURCE}"]
    page = status_page(other)
    assert raw_marker(INTERNAL_SOURCE) in page
    assert not [marker for marker in hidden if marker in page]
    page = status_page(owner)
    assert all(marker in page for marker in hidden)


def test_german_status_page_has_german_words_and_german_numbers(cockpit):
    from layouts.app import create_app

    app = create_app(cockpit)
    client = app.server.test_client()
    login(client, "owner")
    page = status_page(client, "de")
    assert "1.234" in page and '"1234"' not in page  # counts of read and rejected records
    assert "Unbekannter Stadtteil „mars“" in page and "unknown district" not in page
    assert "Statistik-Tabelle (CSV)" in page and '"statistics-csv"' not in page
    assert "mail: zugestellt" in page and "mail: ok" not in page
    # a connector's English message is marked as such, in German and with lang="en"
    assert "Technische Meldung der Schnittstelle, auf Englisch:" in page and '"lang": "en"' in page
    english = status_page(client, "en")
    assert "1,234" in english and "unknown district 'mars'" in english and "mail: delivered" in english


def test_a_successful_run_with_a_note_is_no_error(cockpit):
    """A run that stored everything may carry a note on how its payload was read (e.g. the demo's history); staff
    must not find it under "Letzte Fehler"."""
    run_id = cockpit.store.start_run("charging-register")
    cockpit.store.write_batch("charging-register", run_id, make_frame([]), [], 0, note="NOTE-NOT-AN-ERROR")
    view = build_status(cockpit, Viewer(Role.ADMIN, "admin"), "de")
    assert not any("NOTE-NOT-AN-ERROR" in e.error for e in view.errors)
    assert {e.source_id for e in view.errors} >= {PUBLIC_SOURCE, INTERNAL_SOURCE, DEPARTMENT_SOURCE}
    assert next(s for s in view.sources if s.source_id == "charging-register").status == "ok"
