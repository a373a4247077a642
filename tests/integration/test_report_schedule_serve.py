"""The report scheduler across two real `run.py serve` processes on one PostgreSQL (the production shape: each
`serve` runs the scheduler in its gunicorn master, guarded by the lease in the database, `cockpit.jobs.leader`).
Two schedules are due every minute; exactly one report per schedule and period is archived. Then the lease
holder stops, the other process takes the lease over and its schedules fire again: the archived reports are kept
(same inputs), still one per schedule and period."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from cockpit import PROJECT_ROOT, clock
from cockpit.config import load_settings
from cockpit.jobs.leader import LEASE
from cockpit.reports.schedule import last_ended
from cockpit.runtime import open_cockpit
from cockpit.store.schema import archived_reports
from tests.fixtures.services import free_port
from tests.integration.test_scale_out import stop
from tests.unit.opendata_support import ROWS, write

pytestmark = pytest.mark.postgres

SCHEDULES = """
schedules:
  - {id: public-quarter, period: quarter, audience: public, lang: de, cron: "* * * * *"}
  - {id: internal-quarter, period: quarter, audience: internal, lang: en, cron: "* * * * *"}
"""


def start_serve(tmp_path: Path, name: str, env: dict) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    proc = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "run.py"), "serve", "--host", "127.0.0.1",
                             "--port", str(free_port())], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "w"), start_new_session=True)  # noqa: SIM115
    return proc, log


def wait_until(check, seconds: float, procs, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        for proc, log in procs:
            assert proc.poll() is None, f"serve exited: {log.read_text()[-2000:]}"
        time.sleep(1)
    raise AssertionError(f"{what} within {seconds} s; logs: "
                         + " | ".join(log.read_text()[-1500:] for _, log in procs))


def test_one_report_per_schedule_across_two_serve_processes(tmp_path, postgres_url):
    seed = open_cockpit(load_settings(database_url=postgres_url, load_demo=False))  # migrates; a little data
    write(seed, ROWS)
    seed.store.engine.dispose()
    (tmp_path / "reports.yaml").write_text(SCHEDULES, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")  # no ingest: the data stay put
    env = {**os.environ, "COCKPIT_DATABASE_URL": postgres_url, "COCKPIT_LOAD_DEMO": "false",
           "COCKPIT_PROXY": "false", "COCKPIT_SECRET_KEY": secrets.token_urlsafe(32), "COCKPIT_LOG_LEVEL": "INFO",
           "COCKPIT_REPORT_SCHEDULES": str(tmp_path / "reports.yaml"), "COCKPIT_SOURCES": str(tmp_path / "sources.yaml"),
           "COCKPIT_WORKERS": "1"}
    procs = [start_serve(tmp_path, name, env) for name in ("first", "second")]
    engine = create_engine(postgres_url)

    def reports() -> Counter:
        with engine.connect() as conn:
            return Counter(conn.execute(select(archived_reports.c.created_by, archived_reports.c.period)).all())

    def holder_pid() -> int | None:
        holder = seed.store.lease_holder(LEASE)  # 'host:pid:random'
        return int(holder.split(":")[1]) if holder else None

    try:
        first = wait_until(lambda: reports() if len(reports()) == 2 else None, 150, procs, "both reports archived")
        period = last_ended("quarter", clock.today()).code
        assert set(first) == {("schedule:public-quarter", period), ("schedule:internal-quarter", period)}
        assert set(first.values()) == {1}
        leader_pid = wait_until(holder_pid, 30, procs, "a lease holder")
        by_pid = {proc.pid: (proc, log) for proc, log in procs}
        assert leader_pid in by_pid, (leader_pid, list(by_pid))
        leader = by_pid.pop(leader_pid)
        stop(leader[0])
        survivor = next(iter(by_pid.values()))
        wait_until(lambda: holder_pid() == survivor[0].pid, 60, [survivor], "the lease moved to the other process")
        kept = re.compile(r"report schedule (public|internal)-quarter: kept report")
        wait_until(lambda: len(set(kept.findall(survivor[1].read_text()))) == 2, 90, [survivor],
                   "the other process ran both schedules")
        assert reports() == first  # one report per schedule and period, across both processes
        assert "archived report" not in survivor[1].read_text()  # the survivor made none
    finally:
        for proc, _ in procs:
            stop(proc)
        engine.dispose()
        seed.store.engine.dispose()
