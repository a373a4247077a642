"""The requests that answered 500 in the attack test (issue 19), each by name: 400 (or 404) with one warning line
and no traceback, on both backends; NUL characters never reach the database; control characters in log lines
are escaped."""

from __future__ import annotations

import json
import logging

import pytest

from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.measures.demo import load_demo_measures
from cockpit.printable import EscapeControlCharacters, printable
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache
from tests.fixtures.forms import login_token, post_login, session_csrf

PASSWORD = "Ein langes Passwort für die Härtung 2026"
ROUTER = ".._pages_content.children..._pages_store.data.."
OUTPUTS = [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}]


def router_body(pathname="/", search="?lang=de", **changes):
    body = {"output": ROUTER, "outputs": OUTPUTS,
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def cockpit(tmp_path, database_url):
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=database_url, load_demo=False,
                                         secret_key="hardening-test-secret-0123456789"))
    load_demo_measures(cockpit.store, cockpit.catalog)
    Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments}).add_user("chef", PASSWORD, "admin", None)
    return cockpit


@pytest.fixture
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()


CALLBACK_CASES = {
    "page path without /": json.dumps(router_body("status")),
    "empty page path": json.dumps(router_body("")),
    "outputs missing": json.dumps({k: v for k, v in router_body().items() if k != "outputs"}),
    "outputs empty": json.dumps(router_body(outputs=[])),
    "outputs mismatched": json.dumps(router_body(outputs=[{"id": "x", "property": "children"}, OUTPUTS[1]])),
    "outputs one of two": json.dumps(router_body(outputs=OUTPUTS[:1])),
    "JSON nested 3,000 levels": '{"output":' + "[" * 3000 + "]" * 3000 + "}",
    "JSON nested 500 levels": json.dumps(router_body(state=json.loads("[" * 500 + "]" * 500))),
    "lone surrogate in the query": json.dumps(router_body(search="?token=\ud800")),
    "NUL in the page path": json.dumps(router_body("/measure/a\x00b")),
    "invalid UTF-8": b'{"output": "\xff\xfe"}',
    "clientside callback": json.dumps({**router_body(), "output": "_pages_dummy.children"}),
}


@pytest.mark.parametrize("case", CALLBACK_CASES)
def test_malformed_callback_requests_get_400_and_one_warning(client, caplog, case):
    caplog.set_level(logging.WARNING)
    response = client.post("/_dash-update-component", data=CALLBACK_CASES[case], content_type="application/json")
    assert response.status_code == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert len([r for r in caplog.records if r.name == "cockpit.requests"]) == 1


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/nope.js", "/_dash-component-suites/nope/x.js",
                                  "/_dash-component-suites/dash/../../etc/passwd"])
def test_unknown_dash_assets_are_404(client, caplog, path):
    assert client.get(path).status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_nul_never_reaches_the_database(client, cockpit, caplog):
    """On PostgreSQL a NUL in text raised a driver error (500): login name, measure id and report text."""
    login_token(client)
    response = client.post("/login?lang=de", data={"username": "chef\x00", "password": PASSWORD,
                                                   "csrf_token": login_token(client)})
    assert response.status_code == 400
    assert post_login(client, {"username": "chef", "password": PASSWORD}).status_code == 303
    measure = cockpit.store.measures(Role.ADMIN)[0].id
    form = {"status": "in_progress", "percent": "10", "text": "Bericht\x00mit NUL", "csrf_token": session_csrf(client)}
    before = len(cockpit.store.measure_reports(Role.ADMIN, measure))
    assert client.post(f"/measure/{measure}/report?lang=de", data=form).status_code == 400
    assert client.post("/measure/a%00b/report?lang=de", data={**form, "text": "ok"}).status_code == 400
    assert client.get("/measure/a%00b?lang=de").status_code == 400
    assert len(cockpit.store.measure_reports(Role.ADMIN, measure)) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # the same report without the NUL is stored
    assert client.post(f"/measure/{measure}/report?lang=de", data={**form, "text": "Bericht ohne NUL"}).status_code \
        == 303


def test_log_lines_and_terminal_output_show_control_characters_as_escapes(caplog):
    assert printable("a\x1b[2Jb\r\nFAKE\u202e\x00") == "a\\x1b[2Jb\\r\\nFAKE\\u202e\\x00"
    assert printable("Grüße, 1.234,5 €") == "Grüße, 1.234,5 €"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "login failed for %s", ("evil\nFAKE LINE",), None)
    EscapeControlCharacters().filter(record)
    assert record.getMessage() == "login failed for evil\\nFAKE LINE"
