"""Report schedules: the configuration (errors name file, record and field), the period that ended last, a run
that archives and mails the PDF and XLSX once (a second run keeps the archived report and mails nothing), and the
jobs only in the process holding the scheduler lease."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from apscheduler.schedulers.background import BackgroundScheduler

from cockpit.jobs.leader import LeaderScheduler
from cockpit.measures.demo import load_demo_measures
from cockpit.reports.schedule import (
    JOB_PREFIX,
    ScheduleConfig,
    ScheduleError,
    add_report_jobs,
    last_ended,
    load_schedules,
    run_schedule,
)
from cockpit.roles import Role
from tests.unit.opendata_support import seeded_cockpit

SCHEDULES = """
channels:
  - {id: council, type: email, host: 127.0.0.1, port: PORT, sender: cockpit@gera.example,
     to: [ratsbuero@gera.example]}
schedules:
  - {id: council-half-year, period: half, audience: public, lang: de, cron: "0 6 2 1,7 *", channels: [council]}
  - {id: controlling, period: quarter, audience: internal, lang: en, cron: "0 7 5 1,4,7,10 *"}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def cockpit(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DEMO_TODAY", "2026-11-25")
    cockpit = seeded_cockpit(tmp_path)
    load_demo_measures(cockpit.store, cockpit.catalog)
    return cockpit


@pytest.mark.parametrize(("kind", "today", "code"), [
    ("half", date(2027, 1, 2), "2026-H2"), ("half", date(2026, 7, 2), "2026-H1"),
    ("quarter", date(2026, 10, 5), "2026-Q3"), ("quarter", date(2027, 1, 5), "2026-Q4"),
    ("year", date(2027, 1, 2), "2026"),
])
def test_the_period_that_ended_last(kind, today, code):
    assert last_ended(kind, today).code == code


def test_bad_schedules_name_file_record_and_field(tmp_path):
    path = tmp_path / "reports.yaml"
    path.write_text("schedules:\n  - {id: ok, period: half, cron: '0 6 2 1,7 *'}\n"
                    "  - {id: broken, period: month, cron: '0 6 2 1,7 *'}\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"reports.yaml, record schedules 2 \(id 'broken'\), field "
                                            r"'schedules.1.period'"):
        load_schedules(path)
    path.write_text("schedules:\n  - {id: x, period: half, cron: '0 6 2 13 *'}\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match="field 'schedules.0.cron'"):
        load_schedules(path)
    path.write_text("schedules:\n  - {id: x, period: half, cron: '0 6 2 1 *', channels: [nobody]}\n",
                    encoding="utf-8")
    with pytest.raises(ScheduleError, match="unknown channel 'nobody'"):
        load_schedules(path)


def test_a_scheduled_report_is_archived_and_mailed_once(cockpit, smtp, tmp_path):
    controller, inbox = smtp
    path = tmp_path / "reports.yaml"
    path.write_text(SCHEDULES.replace("PORT", str(controller.port)), encoding="utf-8")
    config = load_schedules(path)
    schedule = config.schedules[0]
    outcome = run_schedule(cockpit, config, schedule, today=date(2027, 1, 2))
    assert outcome.created and outcome.delivered == ("council: ok",)
    reports = cockpit.store.archived_reports(Role.PUBLIC)
    assert [(r.id, r.period, r.created_by) for r in reports] == [(outcome.report_id, "2026-H2",
                                                                 "schedule:council-half-year")]
    assert len(inbox.messages) == 1
    mail = inbox.messages[0].decode("utf-8", "replace")
    assert "Subject: Bericht 2. Halbjahr 2026" in mail
    assert 'filename="bericht-2026-H2-public-de.pdf"' in mail and 'filename="bericht-2026-H2-public-de.xlsx"' in mail
    again = run_schedule(cockpit, config, schedule, today=date(2027, 1, 2))
    assert (again.report_id, again.created, again.delivered) == (outcome.report_id, False, ())
    assert len(inbox.messages) == 1  # not mailed twice


def test_report_jobs_run_only_in_the_lease_holder(cockpit, tmp_path):
    path = tmp_path / "reports.yaml"
    path.write_text(SCHEDULES.replace("PORT", "25"), encoding="utf-8")

    def factory():
        return add_report_jobs(BackgroundScheduler(), cockpit, path)

    first, second = LeaderScheduler(cockpit.store, factory), LeaderScheduler(cockpit.store, factory)
    try:
        assert first.tick() and not second.tick()
        assert second.scheduler is None
        jobs = sorted(j.id for j in first.scheduler.get_jobs())
        assert jobs == [JOB_PREFIX + "controlling", JOB_PREFIX + "council-half-year"]
        assert str(first.scheduler.get_job(JOB_PREFIX + "council-half-year").trigger).startswith("cron[")
    finally:
        if first.scheduler is not None:
            first.scheduler.shutdown(wait=False)
    assert add_report_jobs(BackgroundScheduler(), cockpit, None).get_jobs() == []  # no configuration: no jobs
    assert isinstance(load_schedules(path), ScheduleConfig)
