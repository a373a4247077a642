"""Bench stores kept between runs: `python -m bench --reuse NAME` generates the store once (SQLite: NAME.db in
--workdir; PostgreSQL: the database NAME on --pg-url, with NAME_empty for the empty-store baseline) and writes its
generation record beside it (bench-record-NAME-BACKEND.json in --workdir); a later run with the same NAME finds
both and measures the store without generating it again. The ingest rows of such a run are the generating run's,
each beside its baseline from that same run, and say so (with the time of the generation).

The record holds what the generating run measured: size (the --size asked for), rows, seconds (whole store),
copy_rows (rows stored by COPY, PostgreSQL), sample_rows, sample_seconds (the first rows through the real ingest),
raw_seconds (the same rows by raw COPY/executemany into a bare table: the ingest's baseline), bytes (on disk after
generation) and generated_at (ISO time, UTC). /work/pg100/gen.py-style scripts write the same keys, so their JSON
is a record as it is (`--record PATH`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psycopg

RECORD_KEYS = ("size", "rows", "seconds", "copy_rows", "sample_rows", "sample_seconds", "raw_seconds", "bytes",
               "generated_at")


@dataclass(frozen=True)
class Kept:
    """A kept bench store: its URL, its empty twin's URL, where its record is, and whether it exists already."""

    url: str
    empty_url: str
    record_path: Path
    exists: bool


def record_path(workdir: Path, name: str, backend: str) -> Path:
    return workdir / f"bench-record-{name}-{backend}.json"


def read_record(path: Path) -> dict:
    record = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in RECORD_KEYS if key not in record]
    if missing:
        raise SystemExit(f"{path}: not a bench generation record (missing {', '.join(missing)})")
    return record


def write_record(path: Path, record: dict) -> None:
    path.write_text(json.dumps(record, indent=1), encoding="utf-8")


def generated_when(record: dict) -> str:
    """'2026-12-06 07:05 UTC': when the generating run finished."""
    return pd.Timestamp(record["generated_at"]).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")


def _plain(base: str) -> str:
    return base.replace("postgresql+psycopg://", "postgresql://")


def _database_exists(base: str, name: str) -> bool:
    with psycopg.connect(f"{_plain(base)}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _create_database(base: str, name: str) -> None:
    with psycopg.connect(f"{_plain(base)}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def kept_store(backend: str, name: str, workdir: Path, pg_base: str | None = None,
               record: Path | None = None) -> Kept:
    """The kept store NAME of `backend` (created empty when it does not exist yet; then the run generates it).

    A store without its record is refused (it may be half generated: drop it, or name its record with --record);
    a record named with --record needs its store."""
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"--reuse {name!r}: letters, digits and _ only")
    path = record or record_path(workdir, name, backend)
    if backend == "sqlite":
        database = workdir / f"{name}.db"
        exists = database.exists()
        url, empty_url = f"sqlite:///{database}", f"sqlite:///{workdir / f'{name}_empty.db'}"
    else:
        if not pg_base:
            raise SystemExit("--reuse on PostgreSQL needs --pg-url (a server that outlives the run)")
        exists = _database_exists(pg_base, name)
        for database in (name, f"{name}_empty"):
            if not _database_exists(pg_base, database):
                _create_database(pg_base, database)
        url, empty_url = f"{pg_base}/{name}", f"{pg_base}/{name}_empty"
    if exists and not path.exists():
        raise SystemExit(f"the {backend} store {name!r} exists but has no generation record at {path}: drop it to "
                         "generate it again, or name its record with --record")
    if not exists and record is not None:
        raise SystemExit(f"--record {record}: the {backend} store {name!r} it describes does not exist")
    return Kept(url, empty_url, path, exists)
