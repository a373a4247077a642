"""Backup and restore of the whole database (docs/operations.md): PostgreSQL with pg_dump / pg_restore (custom
format, every table including accounts, sessions, audit log and the migration version), SQLite with its online
backup API (a consistent copy while the cockpit runs). A restore goes into an empty database only."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL, make_url

from cockpit.store.schema import metadata


class BackupError(Exception):
    """A backup or restore cannot be made; the message says why."""


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest under /usr/lib/postgresql/*/bin (Debian)."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(Path(f).parent.name),
                         reverse=True):
        if Path(folder, name).exists():
            return str(Path(folder, name))
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian package postgresql-client)")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password (not in the process list) and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, out: Path) -> None:
    """Write a backup of the database at `database_url` to `out` (a new file)."""
    url = make_url(database_url)
    if out.exists():
        raise BackupError(f"{out}: exists already; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"{source}: no such database file")
        with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        return
    conninfo, env = _libpq(url)
    done = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file",
                           str(out), "--dbname", conninfo], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")


def restore(database_url: str, source: Path, engine: Engine) -> None:
    """Restore the backup `source` into the empty database at `database_url` (`engine` connects to it)."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    tables = inspect(engine).get_table_names()
    if tables:
        raise BackupError(f"the database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): restore "
                          "into a new, empty database")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine.dispose()
        with sqlite3.connect(source) as src, sqlite3.connect(_sqlite_path(url)) as dst:
            if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{source}: not an intact SQLite database")
            src.backup(dst)
        return
    conninfo, env = _libpq(url)
    done = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                           "--single-transaction", "--dbname", conninfo, str(source)], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the cockpit's schema that exists in the database (to compare a restore)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {table.name: int(conn.execute(select(func.count()).select_from(table)).scalar())
                for table in metadata.sorted_tables if table.name in present}
