"""A process killed with SIGKILL in the middle of an ingest leaves no partial batch; the next run stores all once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta

import yaml

from cockpit import PROJECT_ROOT
from cockpit.store import Store

DAYS = 9_000  # from 2000-01-02 (timestamps before 2000 are rejected as implausible) to 2024
INDICATORS = ("renewable-share-electricity", "recycling-rate", "bev-share", "residual-waste-per-inhabitant",
              "household-waste-per-inhabitant")
ROWS = DAYS * len(INDICATORS)


def big_csv(path):
    start = date(2000, 1, 2)  # local midnight of 1 January 2000 is still 1999 in UTC
    header = "Datum;" + ";".join(f"Q{i}" for i in range(len(INDICATORS)))
    values = ";".join(["{v},5"] * len(INDICATORS))
    lines = [header] + [f"{start + timedelta(days=i):%d.%m.%Y};" + values.format(v=40 + i % 20) for i in range(DAYS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def setup(tmp_path):
    csv = tmp_path / "big.csv"
    big_csv(csv)
    sources = {"sources": [{"id": "big", "connector": "statistics-csv", "location": str(csv),
                            "schedule": {"interval": "P1D"},
                            "options": {"period": {"column": "Datum", "format": "%d.%m.%Y", "rhythm": "day"},
                                        "indicators": [{"id": ind, "expr": f"Q{i}"}
                                                       for i, ind in enumerate(INDICATORS)]}}]}
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    db = tmp_path / "c.db"
    env = {**os.environ, "COCKPIT_DATABASE_URL": f"sqlite:///{db}", "COCKPIT_SOURCES": str(tmp_path / "sources.yaml"),
           "COCKPIT_LOAD_DEMO": "false"}
    return db, env


def count(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from observations").fetchone()[0]


def ingest(env):
    return subprocess.Popen([sys.executable, str(PROJECT_ROOT / "run.py"), "ingest", "big"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_mid_write_leaves_no_partial_batch_and_the_next_run_stores_everything_once(tmp_path):
    db, env = setup(tmp_path)
    wal = db.with_name(db.name + "-wal")
    killed_mid_write = False
    for _attempt in range(3):
        proc = ingest(env)
        baseline = None
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            size = wal.stat().st_size if wal.exists() else 0
            baseline = size if baseline is None else baseline
            if size > baseline + 1_000_000:  # the batch's pages are being written: the transaction is open
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        proc.wait(timeout=60)
        stored = count(db)
        assert stored in (0, ROWS), f"partial batch of {stored} rows after SIGKILL"
        if proc.returncode == -signal.SIGKILL and stored == 0:
            killed_mid_write = True
            break
    assert killed_mid_write, "the ingest was never killed inside its write transaction"
    store = Store.from_url(env["COCKPIT_DATABASE_URL"])
    assert set(store.runs()["status"]) == {"running"}  # the killed run never finished
    finished = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "ingest", "big"], env=env,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert count(db) == ROWS
    assert subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "ingest", "big"], env=env,
                          capture_output=True, text=True, timeout=300).returncode == 0
    assert count(db) == ROWS
    assert list(store.runs()["rows_stored"])[:2] == [0, ROWS]
