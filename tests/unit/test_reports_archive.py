"""The report archive (store on SQLite and PostgreSQL; the archive never regenerates silently; "since the last
report" from the archive) and its web side: /berichte, /berichte/<id>.pdf|.xlsx, /api/v1/reports, the admin form."""

from __future__ import annotations

import io
import json
from datetime import date

import pikepdf
import pytest

from cockpit.reports import parse_period
from cockpit.reports.archive import generate_archived, previous_state
from cockpit.roles import Role, Viewer
from cockpit.store.reports import sha256
from layouts.app import create_app
from tests.conftest import migrated_store
from tests.integration.test_auth import router
from tests.unit.opendata_support import PASSWORD, login, measures_cockpit, write


def test_store_keeps_reports_and_filters_the_public_in_sql(database_url, catalog):
    store = migrated_store(database_url, catalog)
    try:
        common = dict(lang="de", data_version=3, rules_version="2", inputs_sha256="a" * 64, state="{}")
        public = store.archive_report(period="2026-H2", audience="public", pdf=b"%PDF-public", xlsx=b"PK1",
                                      **common)
        internal = store.archive_report(period="2026-H2", audience="internal", pdf=b"%PDF-internal",
                                        xlsx=b"PK2", **common)
        draft = store.archive_report(period="2026-Q4", audience="public", pdf=b"%PDF-draft", xlsx=b"PK3",
                                     published=False, **common)
        assert [r.id for r in store.archived_reports(Role.PUBLIC)] == [public]
        assert [r.id for r in store.archived_reports(Viewer(Role.INTERNAL, "x", "verkehr"))] == \
            [draft, internal, public]
        assert store.archived_report_file(Role.PUBLIC, internal) is None
        assert store.archived_report_file(Role.PUBLIC, draft) is None
        report, data = store.archived_report_file(Role.PUBLIC, public)
        assert data == b"%PDF-public" and report.pdf_sha256 == sha256(b"%PDF-public")
        assert store.archived_report_file(Role.ADMIN, internal, "xlsx")[1] == b"PK2"
        with pytest.raises(ValueError):
            store.archived_report_file(Role.ADMIN, internal, "docx")
    finally:
        store.engine.dispose()


@pytest.fixture
def cockpit(tmp_path, monkeypatch):
    return measures_cockpit(tmp_path, monkeypatch)


def test_archive_is_never_regenerated_silently_and_feeds_the_next_report(cockpit):
    h1, h2 = parse_period("2026-H1"), parse_period("2026-H2")
    first = generate_archived(cockpit, h1, "public", "de")
    assert first.created
    again = generate_archived(cockpit, h1, "public", "de")
    assert (again.id, again.created) == (first.id, False)  # same inputs: the archived report is kept
    _, pdf = cockpit.store.archived_report_file(Role.PUBLIC, first.id)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.Root.MarkInfo.Marked is True
    assert previous_state(cockpit, h2, "public", "de").period == "2026-H1"
    assert previous_state(cockpit, h2, "public", "en") is None  # other language: its own series
    assert previous_state(cockpit, h2, "internal", "de") is None  # other audience
    second = generate_archived(cockpit, h2, "public", "de")
    assert second.created and second.id != first.id
    write(cockpit, [("recycling-rate", "", "2026-11-01T00:00:00+01:00", 58.0)])
    third = generate_archived(cockpit, h2, "public", "de")
    assert third.created and third.id != second.id  # new data: a new report, the old one stays
    assert {r.id for r in cockpit.store.archived_reports(Role.PUBLIC)} == {first.id, second.id, third.id}


def test_berichte_lists_public_reports_with_stable_urls(cockpit):
    public = generate_archived(cockpit, parse_period("2026-H2"), "public", "de").id
    internal = generate_archived(cockpit, parse_period("2026-H2"), "internal", "de").id
    client = create_app(cockpit).server.test_client()
    listing = client.get("/api/v1/reports").get_json()["data"]
    assert [r["id"] for r in listing] == [public]
    assert listing[0]["pdf_url"].endswith(f"/berichte/{public}.pdf") and listing[0]["period"] == "2026-H2"
    pdf = client.get(f"/berichte/{public}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert sha256(pdf.data) == listing[0]["pdf_sha256"]
    assert client.get(f"/berichte/{public}.xlsx").data.startswith(b"PK")
    assert client.get(f"/berichte/{internal}.pdf").status_code == 404
    assert client.get(f"/berichte/{internal}.xlsx").status_code == 404
    assert client.get("/berichte/999.pdf").status_code == 404
    shown = json.dumps(router("/berichte")(client).get_json(), ensure_ascii=False)
    assert "2. Halbjahr 2026" in shown and f"/berichte/{public}.pdf" in shown
    assert f"/berichte/{internal}.pdf" not in shown and "Verwaltung (intern)" not in shown
    assert "Half-year 2 of 2026" in json.dumps(router("/berichte", "?lang=en")(client).get_json())
    staff = create_app(cockpit).server.test_client()
    login(staff)
    assert staff.get(f"/berichte/{internal}.pdf").status_code == 200
    assert staff.get(f"/berichte/{internal}.pdf").headers["Cache-Control"] == "private, no-store"
    assert [r["id"] for r in staff.get("/api/v1/reports").get_json()["data"]] == [public]  # the API is public


def props_of(node):
    """Every component's props in a Dash response."""
    if isinstance(node, dict):
        if "props" in node and isinstance(node["props"], dict):
            yield node["props"]
        for value in node.values():
            yield from props_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from props_of(value)


def test_admins_generate_reports_from_the_web_with_the_csrf_token(cockpit):
    app = create_app(cockpit)
    admin = app.server.test_client()
    login(admin)  # the first admin, created from the configured password
    anonymous = app.server.test_client()
    assert anonymous.post("/berichte/erstellen", data={"period": "2026-H2"}).status_code == 404
    shown = router("/berichte")(admin).get_data(as_text=True)
    csrf = next((p["value"] for p in props_of(json.loads(shown)) if p.get("name") == "csrf_token"), None)
    assert csrf, "no CSRF field in the admin's form"
    assert "csrf_token" not in router("/berichte")(anonymous).get_data(as_text=True)  # no form for the public
    bad = admin.post("/berichte/erstellen?lang=de", data={"csrf_token": "0" * 64, "period": "2026-H2",
                                                          "audience": "public", "report_lang": "de"})
    assert bad.status_code == 403
    wrong = admin.post("/berichte/erstellen?lang=de", data={"csrf_token": csrf, "period": "2026-H9",
                                                            "audience": "public", "report_lang": "de"})
    assert wrong.status_code == 400 and "Zeitraum ungültig" in wrong.get_data(as_text=True)
    done = admin.post("/berichte/erstellen?lang=de", data={"csrf_token": csrf, "period": "2026-H2",
                                                           "audience": "public", "report_lang": "en"})
    assert done.status_code == 303 and "created=" in done.headers["Location"]
    listing = anonymous.get("/api/v1/reports").get_json()["data"]
    assert [(r["period"], r["lang"], r["audience"]) for r in listing] == [("2026-H2", "en", "public")]
    assert PASSWORD  # the admin logged in with the configured password
    assert date.fromisoformat(listing[0]["created_iso"][:10])
