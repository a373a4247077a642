"""Alerts end to end: a local SMTP server (aiosmtpd) and a local webhook (pytest-httpserver) receive each alert
once when a state changes and once on recovery; nothing is sent again on later checks; everything is logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
from aiosmtpd.handlers import Message

from cockpit.alerts import AlertConfigError, load_alert_config, run_alerts
from cockpit.alerts.config import AlertConfig
from cockpit.measures import Measure, Report
from cockpit.sources.base import make_frame
from cockpit.sources.config import SourceConfig
from tests.fixtures.services import free_port
from tests.fixtures.smtp import smtp_fixture


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


smtp = smtp_fixture(Inbox)


@pytest.fixture
def webhook(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def config(smtp, webhook, rules) -> AlertConfig:
    controller, _ = smtp
    return AlertConfig.model_validate({
        "lang": "de",
        "channels": [
            {"id": "mail", "type": "email", "host": "127.0.0.1", "port": controller.port,
             "sender": "cockpit@gera.example", "to": ["klimaschutz@gera.example"]},
            {"id": "hook", "type": "webhook", "url": webhook.url_for("/hook")},
        ],
        "rules": rules,
    })


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body_of(message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def hook_bodies(webhook) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in webhook.log]


def co2_rows(value_2025: float):
    values = {2021: 6.4, 2022: 6.2, 2023: 6.0, 2024: 5.8, 2025: value_2025}
    return make_frame([dict(indicator="co2-per-inhabitant", district="", period_start=f"{y}-01-01T00:00:00+01:00",
                            period_end=f"{y + 1}-01-01T00:00:00+01:00", value=v, raw=str(y))
                       for y, v in values.items()])


def write(store, frame, source="bilanz"):
    run = store.start_run(source)
    store.write_batch(source, run, frame, [], len(frame))


def test_goal_getting_worse_alerts_once_by_mail_and_webhook_and_once_on_recovery(store, catalog, smtp, webhook):
    _, inbox = smtp
    cfg = config(smtp, webhook, [{"id": "goal-worse", "kind": "goal_status_worse", "channels": ["mail", "hook"],
                                  "only": ["co2-halve-2030"]}])
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)

    write(store, co2_rows(5.5))  # ahead of the path (5.7 expected for 2025): on track
    assert run_alerts(store, catalog, [], cfg, now) == []  # first sight: nothing to compare with

    write(store, co2_rows(7.5))  # the 2025 value is revised: far behind the path
    sent = run_alerts(store, catalog, [], cfg, now)
    assert [(n.subject, n.event) for n in sent] == [("co2-halve-2030", "fired")]
    assert sent[0].channels == {"mail": "ok", "hook": "ok"}
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "klimaschutz@gera.example"
    assert body_of(mail).strip() == ("Ziel „CO2-Ausstoß: 4,9 t je Einwohner bis 2030 (halb so viel wie 1990)“ "
                                      "hat sich verschlechtert: von Auf Kurs auf Nicht auf Kurs.")
    assert subject_of(mail).startswith("SmartCity Cockpit – Warnung: Ziel")
    assert hook_bodies(webhook)[0]["event"] == "fired"
    assert hook_bodies(webhook)[0]["status"] == "off_track"

    for _ in range(3):  # later checks with the same status send nothing
        assert run_alerts(store, catalog, [], cfg, now) == []
    assert len(inbox.messages) == 1 and len(webhook.log) == 1

    write(store, co2_rows(5.5))  # back on track: one recovery
    sent = run_alerts(store, catalog, [], cfg, now)
    assert [(n.subject, n.event) for n in sent] == [("co2-halve-2030", "recovered")]
    assert run_alerts(store, catalog, [], cfg, now) == []
    assert len(inbox.messages) == 2 and "Entwarnung" in subject_of(inbox.messages[1])
    assert [b["event"] for b in hook_bodies(webhook)] == ["fired", "recovered"]

    log = store.alert_log()
    assert [(entry["event"], entry["channels"]) for entry in log] == [
        ("recovered", {"mail": "ok", "hook": "ok"}), ("fired", {"mail": "ok", "hook": "ok"})]


def test_source_failing_n_runs_in_a_row_and_recovery(sqlite_store, catalog, smtp, webhook):
    store = sqlite_store
    _, inbox = smtp
    cfg = config(smtp, webhook, [{"id": "failing", "kind": "source_failing", "runs": 2, "channels": ["mail", "hook"]}])
    source = SourceConfig(id="smard", connector="smard", location="http://127.0.0.1:9/none", schedule={"interval": "PT1H"})

    store.fail_run(store.start_run("smard"), "HTTP 503")
    assert run_alerts(store, catalog, [source], cfg) == []  # one failure is not yet N in a row
    store.fail_run(store.start_run("smard"), "HTTP 503")
    sent = run_alerts(store, catalog, [source], cfg)
    assert [(n.subject, n.event) for n in sent] == [("smard", "fired")]
    assert "2-mal in Folge" in body_of(inbox.messages[0])
    store.fail_run(store.start_run("smard"), "HTTP 503")
    assert run_alerts(store, catalog, [source], cfg) == []

    write(store, make_frame([]), source="smard")  # a successful run
    sent = run_alerts(store, catalog, [source], cfg)
    assert [(n.subject, n.event) for n in sent] == [("smard", "recovered")]
    assert [b["event"] for b in hook_bodies(webhook)] == ["fired", "recovered"]


def measure(**extra) -> Measure:
    return Measure.model_validate({"id": "hydrogen-buses", "name": {"de": "Wasserstoffbusse", "en": "Hydrogen buses"},
                                   "description": {"de": "d", "en": "d"}, "field": "public-transport",
                                   "department": "gvb", "status": "in_progress", "start": "2026-01-01", **extra})


def test_measure_update_overdue_alerts_and_recovers_after_a_report(sqlite_store, catalog, smtp, webhook):
    store = sqlite_store
    _, inbox = smtp
    store.import_measures([measure()])
    cfg = config(smtp, webhook, [{"id": "overdue", "kind": "measure_overdue", "channels": ["mail"]}])
    # quarterly from 1 January: due on 1 April 2026, 00:00 Berlin
    assert run_alerts(store, catalog, [], cfg, datetime(2026, 3, 31, 21, 59, tzinfo=UTC)) == []
    sent = run_alerts(store, catalog, [], cfg, datetime(2026, 4, 2, 8, 0, tzinfo=UTC))
    assert [(n.subject, n.event) for n in sent] == [("hydrogen-buses", "fired")]
    assert "01.04.2026" in body_of(inbox.messages[0])
    store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 4, 3, 9, 0, tzinfo=UTC),
                               author="gvb-staff", status="in_progress", percent=10, text="Förderantrag gestellt"))
    sent = run_alerts(store, catalog, [], cfg, datetime(2026, 4, 3, 10, 0, tzinfo=UTC))
    assert [(n.subject, n.event) for n in sent] == [("hydrogen-buses", "recovered")]
    assert len(webhook.log) == 0  # the rule notifies by e-mail only


def test_a_failing_channel_is_recorded_and_does_not_resend(sqlite_store, catalog, webhook):
    store = sqlite_store
    store.import_measures([measure()])
    cfg = AlertConfig.model_validate({
        "channels": [{"id": "mail", "type": "email", "host": "127.0.0.1", "port": free_port(),
                      "sender": "a@b.example", "to": ["c@d.example"], "timeout": 2}],
        "rules": [{"id": "overdue", "kind": "measure_overdue", "channels": ["mail"]}]})
    now = datetime(2026, 5, 1, tzinfo=UTC)
    sent = run_alerts(store, catalog, [], cfg, now)
    assert sent[0].channels["mail"].startswith("e-mail failed")
    assert store.alert_log()[0]["channels"]["mail"].startswith("e-mail failed")
    assert run_alerts(store, catalog, [], cfg, now) == []


def test_alert_configuration_errors_name_file_record_and_field(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text("rules:\n  - {id: stale, kind: indicator_stale, channels: [mail]}\n", encoding="utf-8")
    with pytest.raises(AlertConfigError, match=r"alerts.yaml.*unknown channel 'mail'"):
        load_alert_config(path)
    path.write_text("rules:\n  - {id: x, kind: goal_status_better}\n", encoding="utf-8")
    with pytest.raises(AlertConfigError, match=r"alerts.yaml, record rules 1 \(id 'x'\), field 'rules.0.kind'"):
        load_alert_config(path)


def test_the_scheduler_runs_the_alert_job_only_with_a_configuration(sqlite_store, catalog, tmp_path, monkeypatch):
    from cockpit.jobs.ingest import Ingestor
    from cockpit.runtime import build_scheduler  # the ingest jobs plus the alert job

    monkeypatch.delenv("COCKPIT_ALERTS", raising=False)
    assert build_scheduler(Ingestor(sqlite_store, catalog), []).get_job("alerts") is None
    path = tmp_path / "alerts.yaml"
    path.write_text("interval: PT5M\nrules:\n  - {id: stale, kind: indicator_stale}\n", encoding="utf-8")
    monkeypatch.setenv("COCKPIT_ALERTS", str(path))
    job = build_scheduler(Ingestor(sqlite_store, catalog), []).get_job("alerts")
    assert job is not None and job.trigger.interval.total_seconds() == 300
    assert job.func is run_alerts
