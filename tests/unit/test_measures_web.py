"""The progress report endpoint with Flask's test client and real accounts logged in through /login: only staff
of the owning office (and admins) can record a report, also by a crafted request (role x measure table);
cross-site posts and bad input never reach the store; bad input comes back as a note on the form, never a 500."""

from __future__ import annotations

import json

import pytest

from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.measures.demo import load_demo_measures
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import build_goals, build_overview, clear_cache
from tests.fixtures.callbacks import refresh_request
from tests.fixtures.forms import post_login, session_csrf
from tests.unit.test_app import router_request

PASSWORD = "measures-test-password"  # of the bootstrap admin `admin` (COCKPIT_INTERNAL_PASSWORD)
STAFF_PASSWORD = "Ein langes Passwort für Maßnahmen 2026"
URL = "/measure/hydrogen-buses/report?lang=de"  # owned by the gvb
FORM = {"status": "in_progress", "percent": "15", "milestone": "funding", "text": "Förderbescheid liegt vor"}
STAFF = {"staff-gvb": "gvb", "staff-verkehr": "verkehr", "staff-none": None}  # login -> department


@pytest.fixture
def cockpit(tmp_path):
    clear_cache()
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False,
                             internal_password=PASSWORD, secret_key="test-secret")
    cockpit = open_cockpit(settings)
    load_demo_measures(cockpit.store, cockpit.catalog)
    accounts = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments})
    accounts.bootstrap_admin(PASSWORD)  # what the app does on an empty account table
    for login_name, department in STAFF.items():
        accounts.add_user(login_name, STAFF_PASSWORD, "staff", department)
    return cockpit


@pytest.fixture
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()



def text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json(), ensure_ascii=False)


def login(client, who: str = "admin"):
    """Log in like the login form does (admin = the bootstrap account)."""
    password = PASSWORD if who == "admin" else STAFF_PASSWORD
    response = post_login(client, {"username": who, "password": password})
    assert response.status_code == 303


def reports(cockpit) -> int:
    return len(cockpit.store.measure_reports(Role.ADMIN, "hydrogen-buses"))


# role x measure: who may record a progress report (hydrogen-buses: gvb, charging-points-city-centre: verkehr,
# innovation-centre: gebaeudemanagement, internal)
REPORT_TABLE = [
    ("public", "hydrogen-buses", 403),
    ("public", "innovation-centre", 403),
    ("staff-gvb", "hydrogen-buses", 303),  # staff of the owning department
    ("staff-gvb", "charging-points-city-centre", 403),  # staff of another department
    ("staff-verkehr", "hydrogen-buses", 403),
    ("staff-verkehr", "charging-points-city-centre", 303),
    ("staff-verkehr", "innovation-centre", 403),  # may read the internal measure, not report on it
    ("staff-none", "hydrogen-buses", 403),  # staff without a department
    ("admin", "hydrogen-buses", 303),  # admins for every measure
    ("admin", "innovation-centre", 303),
]


@pytest.mark.parametrize(("who", "measure", "expected"), REPORT_TABLE)
def test_who_may_report_progress_on_which_measure(client, cockpit, who, measure, expected):
    if who != "public":
        login(client, who)
    before = len(cockpit.store.measure_reports(Role.ADMIN, measure))
    form = {**FORM, "milestone": ""}
    response = client.post(f"/measure/{measure}/report?lang=de", data={**form, "csrf_token": session_csrf(client)})
    assert response.status_code == expected
    after = cockpit.store.measure_reports(Role.ADMIN, measure)
    if expected == 303:
        assert response.headers["Location"] == f"/measure/{measure}?lang=de&saved=1#measure-report-form"
        assert len(after) == before + 1 and after[0].author == who and after[0].text == FORM["text"]
    else:
        assert len(after) == before


@pytest.mark.parametrize(("who", "shows_form"), [
    ("public", False), ("staff-gvb", True), ("staff-verkehr", False), ("staff-none", False), ("admin", True)])
def test_the_measure_page_offers_the_form_only_to_who_may_report(client, who, shows_form):
    if who != "public":
        login(client, who)
    page = text(router_request(client, "/measure/hydrogen-buses", "?lang=de"))
    assert ("measure-report-form" in page) is shows_form
    assert ("Fortschritt melden können angemeldete Mitarbeitende" in page) is not shows_form


def test_staff_of_the_owning_department_report_and_get_back_to_the_page(client, cockpit):
    login(client, "staff-gvb")
    before = reports(cockpit)
    response = client.post(URL, data={**FORM, "csrf_token": session_csrf(client)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/measure/hydrogen-buses?lang=de&saved=1#measure-report-form"
    latest = cockpit.store.measure_reports(Role.PUBLIC, "hydrogen-buses")[0]
    assert reports(cockpit) == before + 1
    assert (latest.author, latest.status, latest.percent, latest.milestone) == (
        "staff-gvb", "in_progress", 15, "funding")

    bad = client.post(URL, data={**FORM, "percent": "150", "csrf_token": session_csrf(client)})
    assert bad.status_code == 303 and "report_error=percent" in bad.headers["Location"]
    assert reports(cockpit) == before + 1
    crafted = client.post(URL, data={**FORM, "status": "<b>done</b>", "csrf_token": session_csrf(client)})
    assert "report_error=status" in crafted.headers["Location"]
    unknown = client.post("/measure/no-such-measure/report", data={**FORM, "csrf_token": session_csrf(client)})
    assert unknown.status_code == 403


def test_cross_site_posts_are_refused(client, cockpit):
    login(client, "staff-gvb")
    before = reports(cockpit)
    response = client.post(URL, data={**FORM, "csrf_token": session_csrf(client)},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert reports(cockpit) == before


def test_reports_without_the_sessions_csrf_token_are_refused(client, cockpit):
    """A form posted without an Origin header (old browsers, privacy tools) still needs the session's token."""
    from layouts.app import create_app

    login(client, "staff-gvb")
    other = create_app(cockpit).server.test_client()
    login(other, "admin")
    before = reports(cockpit)
    for token in (None, "", "forged", session_csrf(other)):  # missing, empty, made up, another session's
        data = FORM if token is None else {**FORM, "csrf_token": token}
        response = client.post(URL, data=data)
        assert response.status_code == 403 and "abgelaufen" in response.get_data(as_text=True)
    assert reports(cockpit) == before
    # the measure page's form carries the token of the session that sees it
    page = json.dumps(router_request(client, "/measure/hydrogen-buses", "?lang=de").get_json())
    assert session_csrf(client) in page
    assert client.post(URL, data={**FORM, "csrf_token": session_csrf(client)}).status_code == 303


def test_crafted_page_requests_never_show_internal_measures_or_operations_to_the_public(client, cockpit):
    """The Dash routing callback is what the browser calls: the role comes from the session, not the request."""
    run_id = cockpit.store.start_run("waste-containers")
    cockpit.store.fail_run(run_id, "HTTP 503 from the broker")
    public_list = text(router_request(client, "/measures", "?lang=de&status=postponed"))
    assert "Innovationszentrum" not in public_list and "0 Zurückgestellt" in public_list
    assert "nicht öffentlich" in text(router_request(client, "/measure/innovation-centre", "?lang=de"))
    public_status = text(router_request(client, "/status", "?lang=de"))
    assert "nur für angemeldete Mitarbeitende" in public_status
    assert "waste-containers" not in public_status and "HTTP 503" not in public_status

    login(client, "staff-verkehr")
    assert "Innovationszentrum mit Stadtdatenlabor" in text(router_request(client, "/measures", "?lang=de"))
    staff_status = text(router_request(client, "/status", "?lang=de"))
    assert "waste-containers" in staff_status and "HTTP 503 from the broker" in staff_status


def test_admins_see_the_status_page_and_the_report_form(client):
    login(client, "admin")
    admin_status = text(router_request(client, "/status", "?lang=de"))
    assert "nur für angemeldete Mitarbeitende" not in admin_status and "Datenquellen" in admin_status
    assert "measure-report-form" in text(router_request(client, "/measure/innovation-centre", "?lang=de"))


def test_measure_pages_have_their_title_in_the_first_html(client):
    page = client.get("/measure/hydrogen-buses?lang=en").get_data(as_text=True)
    assert "<title>Measure – SmartCity Cockpit Gera</title>" in page
    assert "<title>Maßnahmen – SmartCity Cockpit Gera</title>" in client.get("/measures").get_data(as_text=True)


def test_the_goal_page_shows_each_goals_measures_and_overdue_reports(client, cockpit):
    goal = build_goals(cockpit, Role.PUBLIC, "de").goal("co2-halve-2030")
    assert {c.id for c in goal.measures.cards} == {"hydrogen-buses", "smart-quarter-energy"}
    overdue = [c.name for c in goal.measures.cards if c.overdue]
    assert overdue  # the demo's smart quarter has not reported since February
    page = text(router_request(client, "/goals", "?lang=de"))  # the page's layout(), rendered on the server
    assert "Maßnahmen für dieses Ziel" in page and "Bericht überfällig" in page
    assert '"/measures?lang=de&goal=co2-halve-2030"' in page and '"/measure/smart-quarter-energy?lang=de"' in page
    refreshed = text(refresh_request(client, "goals-content"))
    assert "Wasserstoffbusse im Stadtverkehr" in refreshed and "Bericht überfällig" in refreshed
    assert "Innovationszentrum" not in refreshed  # internal measure, public viewer
    english = text(refresh_request(client, "goals-content", "?lang=en"))
    assert "Measures for this goal" in english and "Report overdue" in english


def test_a_report_clears_the_overdue_note_on_the_goal_page(client, cockpit):
    def overdue_on_goal() -> set[str]:
        goal = build_goals(cockpit, Role.PUBLIC, "de").goal("co2-halve-2030")
        return {c.id for c in goal.measures.cards if c.overdue}

    assert "smart-quarter-energy" in overdue_on_goal()
    login(client, "admin")
    form = {"status": "in_progress", "percent": "60", "milestone": "", "text": "Neuer Stand"}
    assert client.post("/measure/smart-quarter-energy/report?lang=de", data={**form, "csrf_token": session_csrf(client)}).status_code == 303
    assert "smart-quarter-energy" not in overdue_on_goal()


def test_the_overview_says_how_many_visible_measures_are_overdue(client, cockpit):
    public = build_overview(cockpit, Role.PUBLIC, "de").measures_overdue
    staff = build_overview(cockpit, Role.INTERNAL, "de").measures_overdue
    assert public.count >= 1 and staff.count == public.count + 1  # + the internal innovation centre
    page = text(router_request(client, "/", "?lang=de"))
    assert public.text in page and '"/measures?lang=de&overdue=1"' in page
    login(client, "staff-verkehr")
    assert staff.text in text(refresh_request(client, "overview-content"))
    listed = text(router_request(client, "/measures", "?lang=de&overdue=1"))
    assert "Nur Maßnahmen mit überfälligem Fortschrittsbericht." in listed
    assert listed.count("measures-card__name") == staff.count


def test_the_public_sees_the_reporting_office_staff_see_who_reported(client, cockpit):
    """Privacy of staff: a progress report shows the public its office, never the login name (which would
    also hand out account names to lock out); logged-in staff see the author."""
    login(client, "staff-gvb")
    assert client.post(URL, data={**FORM, "csrf_token": session_csrf(client)}).status_code == 303
    staff_page = text(router_request(client, "/measure/hydrogen-buses", "?lang=de"))
    assert "staff-gvb" in staff_page and "Förderbescheid liegt vor" in staff_page
    public = create_public_client(cockpit)
    for lang, header in (("de", "Berichtende Stelle"), ("en", "Reporting office")):
        page = text(router_request(public, "/measure/hydrogen-buses", f"?lang={lang}"))
        assert "Förderbescheid liegt vor" in page  # the report itself is public
        assert "staff-gvb" not in page and header in page
        office = next(d.name.get(lang) for d in cockpit.catalog.departments if d.id == "gvb")
        assert office in page
    demo_page = text(router_request(public, "/measure/smart-waste-collection", "?lang=de"))
    assert "Abfallwirtschaft (Demo)" not in demo_page  # the recorded author of the demo reports


def test_the_measure_page_links_its_goals_and_indicators(client):
    page = text(router_request(client, "/measure/smart-waste-collection", "?lang=de"))
    assert "/goals?lang=de#goal-recycling-rate-eu" in page
    assert "/indicator/residual-waste-per-inhabitant?lang=de" in page
    assert "smart-bin-fill-level" not in page  # an internal indicator is neither named nor linked for the public


def create_public_client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()
