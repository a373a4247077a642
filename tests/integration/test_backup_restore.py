"""`run.py backup --out` and `run.py restore --from` (docs/operations.md) on both backends: a store populated by the
real demo ingest, a progress report and a staff account is backed up while open, restored into an empty database,
and the restored one has the same rows in every table, the same CSV export and the same data version; a restore
into a database that is not empty is refused and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

from bench import pg
from cockpit import PROJECT_ROOT
from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.measures.model import Report
from cockpit.runtime import open_cockpit
from cockpit.store.backup import table_counts
from cockpit.views import clear_cache


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COCKPIT_DATABASE_URL": url, "COCKPIT_LOAD_DEMO": "false"}
    env.pop("COCKPIT_DATABASE_READ_URL", None)
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), *args], env=env, capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=600)


def empty_database(request, database_url: str, tmp_path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'cockpit.db'}"
    return pg.create_database(request.getfixturevalue("postgres_server"), prefix="cockpit_restored")


def test_a_backup_restores_into_an_empty_database_with_the_same_rows_and_export(request, database_url, tmp_path):
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=database_url, load_demo=True))
    cockpit.load_demo_if_empty()
    cockpit.store.record_report(Report(measure_id="hydrogen-buses", reported_at=datetime(2026, 11, 30, tzinfo=UTC),
                                       author="staff-gvb", status="in_progress", percent=55, text="Depot fertig"))
    Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments}).add_user(
        "staff-gvb", "Ein langes Passwort für Sicherungen 2026", "staff", "gvb")
    source_counts = table_counts(cockpit.store.engine)
    version = cockpit.store.data_version()
    assert source_counts["observations"] > 1000 and source_counts["measure_reports"] >= 1
    assert source_counts["users"] == 1

    out = tmp_path / "backup" / "cockpit.backup"
    made = cli(database_url, "backup", "--out", str(out))  # while the cockpit still holds its connections
    assert made.returncode == 0, made.stderr
    assert out.stat().st_size > 0 and f"{sum(source_counts.values())} rows" in made.stdout
    again = cli(database_url, "backup", "--out", str(out))
    assert again.returncode == 2 and "exists already" in again.stderr  # never overwrites a backup

    target = empty_database(request, database_url, tmp_path)
    restored = cli(target, "restore", "--from", str(out))
    assert restored.returncode == 0, restored.stderr
    assert f"observations: {source_counts['observations']}" in restored.stdout

    copy = open_cockpit(load_settings(database_url=target, load_demo=False), migrate=False)
    assert table_counts(copy.store.engine) == source_counts
    assert copy.store.data_version() == version
    export = [cli(url, "export", "--role", "admin").stdout for url in (database_url, target)]
    assert export[0] == export[1] and export[0].count("\n") > 1000
    assert copy.store.measure_reports("admin", "hydrogen-buses")[0].text == "Depot fertig"

    refused = cli(target, "restore", "--from", str(out))  # the restored database is not empty any more
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert table_counts(copy.store.engine) == source_counts
    copy.store.engine.dispose()
    cockpit.store.engine.dispose()


def test_restore_names_a_missing_backup_file(sqlite_url, tmp_path):
    done = cli(sqlite_url, "restore", "--from", str(tmp_path / "no-such.backup"))
    assert done.returncode == 2 and "no-such.backup: no such backup file" in done.stderr
