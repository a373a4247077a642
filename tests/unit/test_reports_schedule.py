"""Report schedules: the configuration (errors name file, record and field), the period that ended last, a run
that archives and mails the PDF and XLSX once (a second run keeps the archived report and mails nothing), and the
jobs only in the process holding the scheduler lease."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from cockpit.cli import main
from cockpit.jobs.leader import LeaderScheduler
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
from tests.fixtures.smtp import smtp_fixture
from tests.unit.opendata_support import measures_cockpit, seeded_cockpit

SCHEDULES = """
channels:
  - {id: council, type: email, host: 127.0.0.1, port: PORT, sender: cockpit@gera.example,
     to: [ratsbuero@gera.example]}
schedules:
  - {id: council-half-year, period: half, audience: public, lang: de, cron: "0 6 2 1,7 *", channels: [council]}
  - {id: controlling, period: quarter, audience: internal, lang: en, cron: "0 7 5 1,4,7,10 *"}
"""


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


smtp = smtp_fixture(Inbox)


@pytest.fixture
def cockpit(tmp_path, monkeypatch):
    return measures_cockpit(tmp_path, monkeypatch)


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


def test_report_jobs_run_only_in_the_lease_holder(database_url, tmp_path, monkeypatch):
    """Two cockpits on one database (as two `serve` processes: separate engines) compete for the lease; only the
    holder's scheduler has the report jobs, and its run archives the report once."""
    monkeypatch.setenv("COCKPIT_DEMO_TODAY", "2026-11-25")
    path = tmp_path / "reports.yaml"
    path.write_text(SCHEDULES.replace("PORT", "25").replace("channels: [council]}", "channels: []}"),
                    encoding="utf-8")
    first_cockpit = seeded_cockpit(tmp_path, database_url=database_url, report_schedules=path)
    second_cockpit = seeded_cockpit(tmp_path, rows=[], database_url=database_url, report_schedules=path)
    leaders = [LeaderScheduler(c.store, lambda c=c: add_report_jobs(BackgroundScheduler(), c))
               for c in (first_cockpit, second_cockpit)]
    try:
        assert [leader.tick() for leader in leaders] == [True, False]
        assert leaders[1].scheduler is None
        jobs = {j.id: j for j in leaders[0].scheduler.get_jobs()}
        assert sorted(jobs) == [JOB_PREFIX + "controlling", JOB_PREFIX + "council-half-year"]
        job = jobs[JOB_PREFIX + "council-half-year"]
        assert str(job.trigger).startswith("cron[")
        outcome = job.func(*job.args, today=date(2027, 1, 2))  # what the trigger runs on 2 January
        assert outcome.created and outcome.delivered == ()
        assert [r.id for r in second_cockpit.store.archived_reports(Role.PUBLIC)] == [outcome.report_id]
    finally:
        for leader in leaders:
            if leader.scheduler is not None:
                leader.scheduler.shutdown(wait=False)
        for c in (first_cockpit, second_cockpit):
            c.store.engine.dispose()
    unset = replace(first_cockpit, settings=first_cockpit.settings.model_copy(update={"report_schedules": None}))
    assert add_report_jobs(BackgroundScheduler(), unset).get_jobs() == []  # no configuration: no jobs
    assert isinstance(load_schedules(path), ScheduleConfig)


def test_check_config_names_a_bad_schedule_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "reports.yaml"
    path.write_text("schedules:\n  - {id: yearly, period: decade, cron: '0 6 2 1 *'}\n", encoding="utf-8")
    monkeypatch.setenv("COCKPIT_REPORT_SCHEDULES", str(path))
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    assert main(["check-config"]) == 2
    assert "record schedules 1 (id 'yearly'), field 'schedules.0.period'" in capsys.readouterr().err
