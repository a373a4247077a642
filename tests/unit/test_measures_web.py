"""The progress report endpoint with Flask's test client: only staff of the owning office (and admins) can
record a report, also by a crafted request; cross-site posts and bad input never reach the store; bad input
comes back as a note on the form, never a 500."""

from __future__ import annotations

import json

import pytest

from cockpit.config import load_settings
from cockpit.measures.demo import load_demo_measures
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache

PASSWORD = "measures-test-password"
URL = "/measure/hydrogen-buses/report?lang=de"  # owned by the gvb
FORM = {"status": "in_progress", "percent": "15", "milestone": "funding", "text": "Förderbescheid liegt vor"}


@pytest.fixture
def cockpit(tmp_path):
    clear_cache()
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False,
                             internal_password=PASSWORD, secret_key="test-secret")
    cockpit = open_cockpit(settings)
    load_demo_measures(cockpit.store, cockpit.catalog)
    return cockpit


@pytest.fixture
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()


def router_request(client, pathname: str, search: str):
    """The Dash Pages routing callback for a page, as the browser sends it on load."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json(), ensure_ascii=False)


def login(client):
    response = client.post("/login?lang=de", data={"password": PASSWORD})
    assert response.status_code == 303


def reports(cockpit) -> int:
    return len(cockpit.store.measure_reports(Role.ADMIN, "hydrogen-buses"))


def test_the_public_cannot_report_even_by_a_crafted_post(client, cockpit):
    before = reports(cockpit)
    response = client.post(URL, data=FORM)
    assert response.status_code == 403
    assert reports(cockpit) == before


def test_staff_without_the_owning_department_cannot_report(client, cockpit, monkeypatch):
    login(client)
    before = reports(cockpit)
    assert client.post(URL, data=FORM).status_code == 403  # shared login without a department
    monkeypatch.setattr(cockpit.settings, "shared_login_department", "verkehr")
    assert client.post(URL, data=FORM).status_code == 403
    assert reports(cockpit) == before


def test_staff_of_the_owning_department_report_and_get_back_to_the_page(client, cockpit, monkeypatch):
    monkeypatch.setattr(cockpit.settings, "shared_login_department", "gvb")
    login(client)
    before = reports(cockpit)
    response = client.post(URL, data=FORM)
    assert response.status_code == 303
    assert response.headers["Location"] == "/measure/hydrogen-buses?lang=de&saved=1#measure-report-form"
    latest = cockpit.store.measure_reports(Role.PUBLIC, "hydrogen-buses")[0]
    assert reports(cockpit) == before + 1
    assert (latest.author, latest.status, latest.percent, latest.milestone) == (
        "Mitarbeitende (gvb)", "in_progress", 15, "funding")

    bad = client.post(URL, data={**FORM, "percent": "150"})
    assert bad.status_code == 303 and "report_error=percent" in bad.headers["Location"]
    assert reports(cockpit) == before + 1
    crafted = client.post(URL, data={**FORM, "status": "<b>done</b>"})
    assert "report_error=status" in crafted.headers["Location"]
    assert client.post("/measure/no-such-measure/report", data=FORM).status_code == 403


def test_cross_site_posts_are_refused(client, cockpit, monkeypatch):
    monkeypatch.setattr(cockpit.settings, "shared_login_department", "gvb")
    login(client)
    before = reports(cockpit)
    response = client.post(URL, data=FORM, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert reports(cockpit) == before


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

    login(client)
    assert "Innovationszentrum mit Stadtdatenlabor" in text(router_request(client, "/measures", "?lang=de"))
    staff_status = text(router_request(client, "/status", "?lang=de"))
    assert "waste-containers" in staff_status and "HTTP 503 from the broker" in staff_status


def test_measure_pages_have_their_title_in_the_first_html(client):
    page = client.get("/measure/hydrogen-buses?lang=en").get_data(as_text=True)
    assert "<title>Measure – SmartCity Cockpit Gera</title>" in page
    assert "<title>Maßnahmen – SmartCity Cockpit Gera</title>" in client.get("/measures").get_data(as_text=True)
