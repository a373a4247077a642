"""The offices' comments on a report before it is published: the content kept for publishing, the state machine
(draft -> submitted per office, pending -> published by an admin), who may comment on what, the comments in the
published PDF and XLSX with the office's name, and the reminder: to the offices that have not submitted, once."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pikepdf
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cockpit.kpi import LOCAL_TZ
from cockpit.reports import build_report, parse_period, review
from cockpit.reports.archive import generate_archived
from cockpit.reports.codec import content_from_json, content_to_json
from cockpit.reports.pdf import render_pdf
from cockpit.reports.schedule import load_schedules, publish_pending, run_schedule, send_reminders
from cockpit.roles import PUBLIC_VIEWER, Role, Viewer
from tests.unit.opendata_support import measures_cockpit
from tests.unit.test_reports_schedule import smtp  # noqa: F401 - fixture

H2 = parse_period("2026-H2")
T0 = datetime(2027, 1, 2, 6, 0, tzinfo=LOCAL_TZ)
UMWELT = Viewer(Role.INTERNAL, "anna", "umweltamt")
VERKEHR = Viewer(Role.INTERNAL, "bernd", "verkehr")
ADMIN = Viewer(Role.ADMIN, "chef")
CO2, CHARGE = ("goal", "co2-halve-2030"), ("goal", "charge-points-2030")
QUARTER, CHARGING = ("measure", "smart-quarter-energy"), ("measure", "charging-points-city-centre")


@pytest.fixture
def cockpit(tmp_path, monkeypatch):
    return measures_cockpit(tmp_path, monkeypatch)


def pending(cockpit, days: int = 14, remind: int = 3) -> int:
    archived = generate_archived(cockpit, H2, "public", "de", created_by="test", now=T0,
                                 plan=review.Plan(days, remind))
    assert archived.created
    return archived.id


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_kept_content_renders_the_same_report(cockpit):
    content = build_report(cockpit, H2, "internal", "en")
    back = content_from_json(content_to_json(content))
    assert back == content and back.fingerprint() == content.fingerprint()
    assert text_of(render_pdf(back, T0)) == text_of(render_pdf(content, T0))


def test_a_pending_report_is_neither_listed_nor_served_to_the_public(cockpit):
    report_id = pending(cockpit)
    assert cockpit.store.archived_reports(Role.PUBLIC) == []
    assert cockpit.store.archived_report_file(Role.PUBLIC, report_id, "pdf") is None
    assert [r.id for r in cockpit.store.archived_reports(Role.INTERNAL, published=False)] == [report_id]
    found = cockpit.store.review(report_id)
    assert found.departments == ("abfallwirtschaft", "gvb", "umweltamt", "verkehr")  # who owns goals or measures
    assert found.deadline == T0 + timedelta(days=14) and found.remind_at == T0 + timedelta(days=11)


def test_an_office_comments_only_on_its_own_items_until_it_submits(cockpit):
    report_id = pending(cockpit)
    assert {(i.kind, i.id) for i in review.own_items(cockpit, report_id, UMWELT)} == {
        CO2, ("goal", "renewable-electricity-80-2030"), QUARTER}
    review.save(cockpit, report_id, UMWELT, {CO2: "  Die Bilanz 2025 kommt im März.  ", QUARTER: "Läuft."})
    with pytest.raises(review.ReviewError) as err:
        review.save(cockpit, report_id, UMWELT, {CHARGE: "nicht unseres"})
    assert err.value.code == "item"
    with pytest.raises(review.ReviewError) as err:
        review.save(cockpit, report_id, UMWELT, {CO2: "x" * (review.MAX_COMMENT + 1)})
    assert err.value.code == "too_long"
    for outsider in (PUBLIC_VIEWER, Viewer(Role.INTERNAL, "ohne"), Viewer(Role.INTERNAL, "geb", "gebaeudemanagement")):
        with pytest.raises(review.ReviewError) as err:
            review.save(cockpit, report_id, outsider, {})
        assert err.value.status == 404
    assert review.department_state(cockpit, report_id, "umweltamt") == review.DRAFT
    review.save(cockpit, report_id, UMWELT, {QUARTER: ""})  # emptied: removed
    assert {(c.kind, c.item_id, c.text) for c in cockpit.store.report_comments(report_id)} == {
        (*CO2, "Die Bilanz 2025 kommt im März.")}
    review.submit(cockpit, report_id, UMWELT)
    assert review.department_state(cockpit, report_id, "umweltamt") == review.SUBMITTED
    with pytest.raises(review.ReviewError) as err:
        review.save(cockpit, report_id, UMWELT, {CO2: "doch anders"})
    assert err.value.code == "submitted"
    assert [a["action"] for a in cockpit.store.audit_entries(action="report.submit")] == ["report.submit"]


def test_an_admin_publishes_with_every_saved_comment_and_the_office_names(cockpit):
    report_id = pending(cockpit)
    review.save(cockpit, report_id, UMWELT, {CO2: "Die Bilanz 2025 kommt im März."})
    review.submit(cockpit, report_id, UMWELT)
    review.save(cockpit, report_id, VERKEHR, {CHARGING: "Zwölf Ladepunkte sind bestellt."})  # a draft only
    states = {s.department: s.state for s in review.status(cockpit, report_id, "de")}
    assert states == {"umweltamt": review.SUBMITTED, "verkehr": review.DRAFT, "gvb": review.DRAFT,
                      "abfallwirtschaft": review.DRAFT}
    assert review.missing(cockpit, report_id) == ("abfallwirtschaft", "gvb", "verkehr")
    with pytest.raises(review.ReviewError):
        review.publish(cockpit, report_id, UMWELT)
    assert review.publish(cockpit, report_id, ADMIN)
    [listed] = cockpit.store.archived_reports(Role.PUBLIC)
    assert listed.id == report_id and listed.published
    _, pdf = cockpit.store.archived_report_file(Role.PUBLIC, report_id, "pdf")
    with pikepdf.open(io.BytesIO(pdf)) as document:  # still tagged PDF/UA with the comments
        assert document.Root.MarkInfo.Marked is True and "/StructTreeRoot" in document.Root
        with document.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
    text = text_of(pdf)
    assert "Stellungnahme Umweltamt – Klimaschutzmanagement: Die Bilanz 2025 kommt im März." in text
    assert ("Stellungnahme Tiefbau- und Verkehrsamt zur Maßnahme „Öffentliche Ladepunkte in der Innenstadt“: "
            "Zwölf Ladepunkte sind bestellt.") in text
    _, xlsx = cockpit.store.archived_report_file(Role.PUBLIC, report_id, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx))["Stellungnahmen der Ämter"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == [
        ["Ziel", "CO2-Ausstoß: 4,9 t je Einwohner bis 2030 (halb so viel wie 1990)",
         "Umweltamt – Klimaschutzmanagement", "Die Bilanz 2025 kommt im März."],
        ["Maßnahme", "Öffentliche Ladepunkte in der Innenstadt", "Tiefbau- und Verkehrsamt",
         "Zwölf Ladepunkte sind bestellt."]]
    for attempt in (lambda: review.publish(cockpit, report_id, ADMIN),
                    lambda: review.save(cockpit, report_id, VERKEHR, {CHARGING: "zu spät"})):
        with pytest.raises(review.ReviewError) as err:
            attempt()
        assert err.value.code == "published"
    [entry] = cockpit.store.audit_entries(action="report.publish")
    assert entry["actor"] == "chef" and "missing=abfallwirtschaft,gvb,verkehr" in entry["detail"]


SCHEDULES = """
channels:
  - {id: council, type: email, host: 127.0.0.1, port: PORT, sender: cockpit@gera.example, to: [rat@gera.example]}
  - {id: umwelt, type: email, host: 127.0.0.1, port: PORT, sender: cockpit@gera.example, to: [umwelt@gera.example]}
  - {id: verkehr, type: email, host: 127.0.0.1, port: PORT, sender: cockpit@gera.example, to: [verkehr@gera.example]}
schedules:
  - {id: council-half-year, period: half, cron: "0 6 2 1,7 *", channels: [council],
     comments: {days: 10, remind_days: 3}}
departments:
  umweltamt: [umwelt]
  verkehr: [verkehr]
"""


def test_the_reminder_goes_once_to_the_offices_that_have_not_submitted(cockpit, smtp, tmp_path):  # noqa: F811
    controller, inbox = smtp
    path = tmp_path / "reports.yaml"
    path.write_text(SCHEDULES.replace("PORT", str(controller.port)), encoding="utf-8")
    config = load_schedules(path)
    outcome = run_schedule(cockpit, config, config.schedules[0], today=date(2027, 1, 2), now=T0)
    assert outcome.created and outcome.delivered == ()  # pending: mailed when published
    assert cockpit.store.archived_reports(Role.PUBLIC) == [] and inbox.messages == []
    review.submit(cockpit, outcome.report_id, UMWELT)
    assert send_reminders(cockpit, config, T0 + timedelta(days=7) - timedelta(minutes=1)) == []  # not yet
    sent = send_reminders(cockpit, config, T0 + timedelta(days=7))
    assert sent == ["verkehr verkehr: ok"]  # umweltamt submitted; gvb and abfallwirtschaft have no channel
    [mail] = [m.decode("utf-8", "replace") for m in inbox.messages]
    assert "To: verkehr@gera.example" in mail and "Erinnerung: Stellungnahme zum Bericht 2. Halbjahr 2026" in mail
    assert send_reminders(cockpit, config, T0 + timedelta(days=8)) == []  # once, not on every tick
    assert len(inbox.messages) == 1
    assert cockpit.store.claim_reminder(outcome.report_id) is False


def test_a_pending_scheduled_report_is_mailed_to_the_subscribers_when_published(tmp_path, monkeypatch,
                                                                                 smtp):  # noqa: F811
    controller, inbox = smtp
    path = tmp_path / "reports.yaml"
    path.write_text(SCHEDULES.replace("PORT", str(controller.port)), encoding="utf-8")
    cockpit = measures_cockpit(tmp_path, monkeypatch, report_schedules=path)
    config = load_schedules(path)
    outcome = run_schedule(cockpit, config, config.schedules[0], today=date(2027, 1, 2), now=T0)
    review.save(cockpit, outcome.report_id, VERKEHR, {CHARGING: "Zwölf Ladepunkte sind bestellt."})
    assert inbox.messages == []
    assert publish_pending(cockpit, outcome.report_id, ADMIN) is True
    [mail] = [m.decode("utf-8", "replace") for m in inbox.messages]
    assert "To: rat@gera.example" in mail and 'filename="bericht-2026-H2-public-de.pdf"' in mail
    _, pdf = cockpit.store.archived_report_file(Role.PUBLIC, outcome.report_id, "pdf")
    assert "Zwölf Ladepunkte sind bestellt." in text_of(pdf)
    with pytest.raises(review.ReviewError):
        publish_pending(cockpit, outcome.report_id, ADMIN)
    assert len(inbox.messages) == 1


def test_no_reminder_for_a_published_report_or_without_a_reminder_point(cockpit):
    published = pending(cockpit)
    review.publish(cockpit, published, ADMIN)
    assert review.Plan(5, 0).remind_at(T0) is None and review.Plan(5, 5).remind_at(T0) is None
    assert cockpit.store.due_reminders(T0 + timedelta(days=30)) == []


def test_review_rows_on_both_backends(store):
    """The migration's tables on SQLite and PostgreSQL: submit and the reminder claim succeed once, publishing
    replaces the files and sets the flag once."""
    report_id = store.archive_report(period="2026-H2", audience="public", lang="de", data_version=1,
                                     rules_version="2", inputs_sha256="0" * 64, state="{}", pdf=b"%PDF draft",
                                     xlsx=b"PK draft", published=False)
    store.add_review(report_id, "{}", ["verkehr", "umweltamt"], ["council"], T0 + timedelta(days=10),
                     T0 + timedelta(days=7))
    assert store.review(report_id).departments == ("umweltamt", "verkehr")
    store.save_report_comments(report_id, "verkehr", {("measure", "m1"): "eins"}, "bernd")
    store.save_report_comments(report_id, "verkehr", {("measure", "m1"): "zwei"}, "bernd")
    assert [c.text for c in store.report_comments(report_id, "verkehr")] == ["zwei"]
    assert store.report_comments(report_id, "umweltamt") == []
    assert store.submit_report_comments(report_id, "verkehr", "bernd") is True
    assert store.submit_report_comments(report_id, "verkehr", "bernd") is False
    assert [r.report_id for r in store.due_reminders(T0 + timedelta(days=7))] == [report_id]
    assert store.claim_reminder(report_id, T0 + timedelta(days=7)) is True
    assert store.claim_reminder(report_id, T0 + timedelta(days=7)) is False
    assert store.due_reminders(T0 + timedelta(days=8)) == []
    assert store.archived_reports(Role.PUBLIC) == []
    assert store.publish_report(report_id, b"%PDF final", b"PK final", "chef") is True
    assert store.publish_report(report_id, b"%PDF again", b"PK again", "chef") is False
    assert store.archived_report_file(Role.PUBLIC, report_id, "pdf")[1] == b"%PDF final"
    assert store.pending_reviews() == []
