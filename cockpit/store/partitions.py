"""PostgreSQL: `observations` partitioned by time, one partition per UTC calendar year.

Layout (migration 0015_partition_observations; SQLite keeps one plain table, same store API):

- `observations` is `PARTITION BY RANGE (period_start)`; the partition of year Y is `observations_y<Y>` and holds
  `'<Y>-01-01 00:00+00' <= period_start < '<Y+1>-01-01 00:00+00'` (UTC years, whatever the local time zone);
  `observations_default` is the DEFAULT partition, a safety net that should stay empty.
- Primary key (id, period_start) and the observation key (indicator_id, district, period_start) both contain the
  partition key, so each is one partition-local btree per year; the upsert (`cockpit.store.observations`) looks
  keys up per (indicator, district, period range) and so reads only the partitions of the batch's years. A BRIN
  index on period_start (a few pages per partition) serves reads by time alone (archive, SensorThings).
- Partitions are created before rows need them: a write creates the partitions of its batch's years in its own
  transaction (`ensure_years`), and the scheduled job `ensure_ahead` creates the current and next years' and moves
  any row found in the DEFAULT partition into a real partition (logged as a warning: it should never be needed).
- The archive (`cockpit.store.raw_years.remove_archived`, after it verified its Parquet files) removes whole local
  years of indicators with `remove_groups`: a `DROP TABLE` of a partition whose rows are all archived, a rewrite
  of a partition that keeps only a few other rows (a UTC year holds the first hour of the next Europe/Berlin
  year, which is archived a year later), else a DELETE. `local_groups` counts a partition's rows per indicator
  and local year. `drop_raw_year` does the same for one indicator and UTC year. Rollups stay.

The conversion of an existing, unpartitioned store (`convert`) is online and resumable: see its docstring and
docs/partitioning.md.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

from cockpit.clock import local_year_bounds
from cockpit.store.base import WRITE_LOCK_KEY

log = logging.getLogger(__name__)

TABLE = "observations"
DEFAULT_PARTITION = "observations_default"
CONVERT_LOCK_KEY = 0x70617274  # "part": one conversion at a time
_NEW = "observations_partitioned"  # the partitioned table while a conversion copies into it
_PROGRESS = "observations_partition_progress"
_CHANGES = "observations_partition_changes"


def partition_name(year: int) -> str:
    return f"{TABLE}_y{year}"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a partition year in UTC."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _columns_ddl(name: str) -> str:
    return (f"CREATE TABLE {name} ("
            f"id integer NOT NULL DEFAULT nextval('observations_id_seq'::regclass), "
            "indicator_id varchar(64) NOT NULL, district varchar(64) NOT NULL, period_start timestamptz NOT NULL, "
            "period_end timestamptz, value double precision NOT NULL, source_id varchar(64) NOT NULL, "
            "run_id integer, ingested_at timestamptz NOT NULL, "
            f"CONSTRAINT pk_{name} PRIMARY KEY (id, period_start), "
            f"CONSTRAINT uq_{name}_key UNIQUE (indicator_id, district, period_start)"
            ") PARTITION BY RANGE (period_start)")


def _create_partitioned(conn: Connection, name: str) -> None:
    """The partitioned table `name` with its BRIN index and DEFAULT partition (no year partitions yet)."""
    conn.exec_driver_sql(_columns_ddl(name))
    conn.exec_driver_sql(f"CREATE INDEX ix_{name}_period_start_brin ON {name} USING brin (period_start)")
    default = DEFAULT_PARTITION if name == TABLE else f"{name}_default"
    conn.exec_driver_sql(f"CREATE TABLE {default} PARTITION OF {name} DEFAULT")


def _rename_to_final(conn: Connection, name: str) -> None:
    conn.exec_driver_sql(f"ALTER TABLE {name} RENAME TO {TABLE}")
    conn.exec_driver_sql(f"ALTER TABLE {TABLE} RENAME CONSTRAINT pk_{name} TO pk_{TABLE}")
    conn.exec_driver_sql(f"ALTER TABLE {TABLE} RENAME CONSTRAINT uq_{name}_key TO uq_{TABLE}_key")
    conn.exec_driver_sql(f"ALTER INDEX ix_{name}_period_start_brin RENAME TO ix_{TABLE}_period_start_brin")
    conn.exec_driver_sql(f"ALTER TABLE {name}_default RENAME TO {DEFAULT_PARTITION}")
    conn.exec_driver_sql(f"ALTER SEQUENCE observations_id_seq OWNED BY {TABLE}.id")


def _drop_revision_fk(conn: Connection) -> None:
    """observation_revisions.observation_id cannot reference a partitioned table's id alone (a unique key must
    contain the partition key); the store writes both in one transaction, as with 0010_ingest's keys."""
    names = conn.exec_driver_sql(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'observation_revisions'::regclass "
        "AND confrelid = 'observations'::regclass").scalars().all()
    for name in names:
        conn.exec_driver_sql(f'ALTER TABLE observation_revisions DROP CONSTRAINT "{name}"')


def is_partitioned(conn: Connection) -> bool:
    """True on PostgreSQL when `observations` is the partitioned table (False on SQLite)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = 'observations' AND c.relnamespace = current_schema()::regnamespace)").scalar())


def years(conn: Connection) -> set[int]:
    """The years that have a partition."""
    names = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'observations'::regclass").scalars()
    prefix = partition_name(0)[:-1]
    return {int(n[len(prefix):]) for n in names if n.startswith(prefix) and n[len(prefix):].isdigit()}


def _create_year(conn: Connection, year: int, parent: str = TABLE) -> int:
    """Create the partition of `year`, moving the rows of that year out of the DEFAULT partition (a partition
    whose range has rows in DEFAULT cannot be created directly): the new table is filled first and then attached,
    all in the caller's transaction. Returns the rows moved."""
    name, (lo, hi) = partition_name(year), year_bounds(year)
    default = DEFAULT_PARTITION if parent == TABLE else f"{parent}_default"
    bounds = dict(lo=lo, hi=hi)
    waiting = conn.execute(text(f"SELECT count(*) FROM {default} WHERE period_start >= :lo AND period_start < :hi"),
                           bounds).scalar_one()
    if not waiting:
        conn.execute(text(f"CREATE TABLE {name} PARTITION OF {parent} FOR VALUES FROM ('{lo.isoformat()}') "
                          f"TO ('{hi.isoformat()}')"))
        return 0
    conn.exec_driver_sql(f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS)")
    conn.execute(text(f"WITH moved AS (DELETE FROM {default} WHERE period_start >= :lo AND period_start < :hi "
                      f"RETURNING *) INSERT INTO {name} SELECT * FROM moved"), bounds)
    conn.exec_driver_sql(f"ALTER TABLE {parent} ATTACH PARTITION {name} FOR VALUES FROM ('{lo.isoformat()}') "
                         f"TO ('{hi.isoformat()}')")
    return int(waiting)


def ensure_years(conn: Connection, wanted: set[int]) -> list[int]:
    """Create the missing partitions of `wanted` years (in the caller's write transaction; PostgreSQL with a
    partitioned `observations` only - elsewhere nothing happens). Returns the years created."""
    if not wanted or not is_partitioned(conn):
        return []
    missing = sorted(set(wanted) - years(conn))
    for year in missing:
        moved = _create_year(conn, year)
        log.info("observations: partition %s created%s", partition_name(year),
                 f" ({moved} rows moved from {DEFAULT_PARTITION})" if moved else "")
    return missing


def ensure_ahead(conn: Connection, now: datetime, ahead: int = 1) -> dict:
    """The scheduled job's work (in one write transaction): the partitions of the current year and the next
    `ahead` years exist, and the DEFAULT partition is empty again - each year found in it gets its partition and
    its rows (a warning names them: it should never happen, writes create their partitions). Idempotent."""
    if not is_partitioned(conn):
        return {"created": [], "drained": {}}
    stray = dict(conn.exec_driver_sql(
        f"SELECT extract(year FROM period_start AT TIME ZONE 'UTC')::int, count(*) FROM {DEFAULT_PARTITION} "
        "GROUP BY 1").all())
    if stray:
        log.warning("observations: %d rows in %s (years %s): moving them into their year partitions",
                    sum(stray.values()), DEFAULT_PARTITION, ", ".join(map(str, sorted(stray))))
    created = ensure_years(conn, {now.year + k for k in range(ahead + 1)} | set(stray))
    return {"created": created, "drained": {int(y): int(n) for y, n in stray.items()}}


def layout(conn: Connection) -> list[tuple[str, str, int]]:
    """(partition, bounds, rows estimate) of every partition, for operators and tests."""
    return [tuple(row) for row in conn.exec_driver_sql(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'observations'::regclass ORDER BY 1").all()]


def default_rows(conn: Connection) -> int:
    """Rows in the DEFAULT partition (none unless a write missed its year's partition; `ensure_ahead` moves
    them)."""
    return int(conn.exec_driver_sql(f"SELECT count(*) FROM {DEFAULT_PARTITION}").scalar_one())


def drop_raw_year(conn: Connection, indicator_id: str, year: int) -> int:
    """Remove the raw observations (and their revisions) of one indicator in one UTC calendar year, in the
    caller's write transaction; the rollups stay. A DROP TABLE of the year's partition when it holds no other
    indicator's rows (PostgreSQL, partitioned), else a DELETE. Returns the rows removed. The caller (the archive)
    has written and verified them elsewhere first."""
    lo, hi = year_bounds(year)
    bounds = dict(i=indicator_id, lo=lo, hi=hi)
    if conn.dialect.name == "sqlite":
        lo, hi = lo.replace(tzinfo=None), hi.replace(tzinfo=None)
        bounds.update(lo=lo.strftime("%Y-%m-%d %H:%M:%S.%f"), hi=hi.strftime("%Y-%m-%d %H:%M:%S.%f"))
    where = "indicator_id = :i AND period_start >= :lo AND period_start < :hi"
    name = partition_name(year)
    if is_partitioned(conn) and year in years(conn):
        other = conn.execute(text(f"SELECT 1 FROM {name} WHERE indicator_id < :i OR indicator_id > :i LIMIT 1"),
                             bounds).first()
        if other is None:
            count = conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            conn.exec_driver_sql(f"DELETE FROM observation_revisions WHERE observation_id IN (SELECT id FROM {name})")
            conn.exec_driver_sql(f"DROP TABLE {name}")
            log.info("observations: partition %s dropped (%d rows of %s)", name, count, indicator_id)
            return int(count)
    conn.execute(text(f"DELETE FROM observation_revisions WHERE observation_id IN "
                      f"(SELECT id FROM observations WHERE {where})"), bounds)
    return int(conn.execute(text(f"DELETE FROM observations WHERE {where}"), bounds).rowcount)


def _local_split(year: int) -> datetime:
    """Where the partition of UTC `year` passes from local year `year` to `year + 1` (Dec 31, 23:00 UTC in
    winter time): the partition's last hour belongs to the next Europe/Berlin year."""
    return local_year_bounds(year)[1]


def local_groups(conn: Connection, year: int, indicator_id: str | None = None) -> dict[tuple[str, int], tuple]:
    """Rows of the partition of UTC `year` per (indicator, Europe/Berlin year) - the local years are `year` and,
    for the partition's last hour, `year + 1` - as (rows, fingerprint): the fingerprint is the sum of the rows'
    transaction ids (`xmin`), which changes with every insert, update or delete of one of the group's rows, so a
    group whose (rows, fingerprint) is the same in two transactions was not written in between. Only
    `indicator_id`'s rows when given; empty when the partition does not exist."""
    if not is_partitioned(conn) or year not in years(conn):
        return {}
    only = "WHERE indicator_id = :i " if indicator_id is not None else ""
    found = conn.execute(text(f"SELECT indicator_id, period_start >= :split, count(*), sum(xmin::text::bigint) "
                              f"FROM {partition_name(year)} {only}GROUP BY 1, 2"),
                         dict(split=_local_split(year), i=indicator_id)).all()
    return {(str(indicator), year + int(later)): (int(count), int(mark)) for indicator, later, count, mark in found}


def _group_filter(year: int, groups: set[tuple[str, int]]) -> tuple[str, dict]:
    """SQL condition (and parameters) for the rows of `groups` (indicator, local year) in the partition of UTC
    `year`."""
    clauses, params = [], {"split": _local_split(year)}
    for k, (indicator, local_year) in enumerate(sorted(groups)):
        side = "period_start < :split" if local_year == year else "period_start >= :split"
        clauses.append(f"(indicator_id = :i{k} AND {side})")
        params[f"i{k}"] = indicator
    return " OR ".join(clauses), params


def remove_groups(conn: Connection, year: int, groups: dict[tuple[str, int], int], kept: int) -> str:
    """Remove the rows of `groups` ((indicator, local year) -> rows, as `local_groups` counted them; archived and
    verified by the caller) and their
    revisions from the partition of UTC `year`, which keeps `kept` other rows, in the caller's write transaction:

    - nothing kept: `DROP TABLE` of the partition (instant, frees the disk at once);
    - fewer rows kept than removed: the kept rows are copied into a new table that replaces the partition (the
      cost of the few rows, not of a DELETE of millions);
    - else a DELETE of the groups' rows in this partition.

    Returns what was done: "drop", "rewrite" or "delete". A later write into the dropped year's range creates
    the partition again (`ensure_years`)."""
    name = partition_name(year)
    where, params = _group_filter(year, set(groups))
    if kept == 0:
        conn.exec_driver_sql(f"DELETE FROM observation_revisions WHERE observation_id IN (SELECT id FROM {name})")
        conn.exec_driver_sql(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        conn.exec_driver_sql(f"DROP TABLE {name}")
        log.info("observations: partition %s dropped (all its rows archived)", name)
        return "drop"
    conn.execute(text(f"DELETE FROM observation_revisions WHERE observation_id IN "
                      f"(SELECT id FROM {name} WHERE {where})"), params)
    if kept >= sum(groups.values()):
        conn.execute(text(f"DELETE FROM {name} WHERE {where}"), params)
        return "delete"
    lo, hi = year_bounds(year)
    conn.exec_driver_sql(f"CREATE TABLE {name}_rest (LIKE {TABLE} INCLUDING DEFAULTS)")
    conn.execute(text(f"INSERT INTO {name}_rest SELECT * FROM {name} WHERE NOT ({where})"), params)
    conn.exec_driver_sql(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
    conn.exec_driver_sql(f"DROP TABLE {name}")
    conn.exec_driver_sql(f"ALTER TABLE {name}_rest RENAME TO {name}")
    conn.exec_driver_sql(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{lo.isoformat()}') "
                         f"TO ('{hi.isoformat()}')")
    log.info("observations: partition %s rewritten with its %d unarchived rows", name, kept)
    return "rewrite"


# ------------------------------------------------------------------------------ conversion of an existing store


def locked_here(conn: Connection) -> bool:
    """True when this transaction holds a lock on `observations` (an earlier migration of the same run created or
    altered it): then only this transaction can convert it (`convert_here`)."""
    return bool(conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE l.pid = pg_backend_pid() AND c.relname = 'observations')").scalar())


def convert_here(conn: Connection) -> None:
    """Convert `observations` in the caller's transaction, in one go (a new store - the table is empty - or one
    migrated from before 0010 in the same run); continues a conversion `convert` left unfinished."""
    if not conn.exec_driver_sql(f"SELECT to_regclass('{_PROGRESS}') IS NOT NULL").scalar():
        _setup(conn)
    _swap(conn)


def convert(engine: Engine, batch_rows: int = 500_000, max_batches: int | None = None) -> bool:
    """Convert an existing unpartitioned `observations` (PostgreSQL) into the partitioned table, online: writers
    go on while the rows are copied; only the final swap takes the table's lock, for a short transaction.

    1. Setup (once): the partitioned table `observations_partitioned` with the year partitions of the stored
       rows, a progress marker (the highest id copied) and a trigger that logs the id of every row updated or
       deleted from then on.
    2. Copy, in batches of `batch_rows` ids in id order (insertion order, the primary key's index: each batch
       is one index range scan; the rows fall into their year partitions), each batch committed together with
       its progress marker - after a kill the next call continues after the last committed batch. A batch holds
       the store's write lock (writers wait for it, a few seconds at most), so no id below the marker commits
       later.
    3. Swap, in one transaction under an exclusive lock: copy the rows inserted since the last batch, re-copy
       the logged updated/deleted ids, drop the old table, rename the new one and its constraints.

    `max_batches` stops after that many batches (returns False: call again to go on). Returns True when
    `observations` is partitioned. Several callers at once take turns on an advisory lock."""
    with engine.connect() as lock_conn:
        lock_conn.exec_driver_sql(f"SELECT pg_advisory_lock({CONVERT_LOCK_KEY})")
        try:
            return _convert(engine, batch_rows, max_batches)
        finally:
            lock_conn.exec_driver_sql(f"SELECT pg_advisory_unlock({CONVERT_LOCK_KEY})")
            lock_conn.commit()


def _convert(engine: Engine, batch_rows: int, max_batches: int | None) -> bool:
    with engine.begin() as conn:
        if is_partitioned(conn):
            return True
        started = conn.exec_driver_sql(f"SELECT to_regclass('{_PROGRESS}') IS NOT NULL").scalar()
        if not started:
            _setup(conn)
    done = 0
    while max_batches is None or done < max_batches:
        with engine.begin() as conn:
            _hold_writers(conn)
            copied, top = conn.exec_driver_sql(
                f"SELECT copied_id, (SELECT coalesce(max(id), 0) FROM {TABLE}) FROM {_PROGRESS}").one()
            if copied >= top:
                break
            _copy_ids(conn, copied, copied + batch_rows)
            conn.exec_driver_sql(f"UPDATE {_PROGRESS} SET copied_id = %s, batches = batches + 1",
                                 (copied + batch_rows,))
        done += 1
        log.info("observations: partition conversion copied ids up to %d of %d", min(copied + batch_rows, top), top)
    else:
        return False
    with engine.begin() as conn:
        _swap(conn)
    log.info("observations: conversion to the partitioned table done")
    return True


def conversion_state(conn: Connection) -> dict | None:
    """A conversion under way (`convert` stopped or killed before its swap): ids copied, the highest id, batches
    committed and when it started; None when none is under way (or not PostgreSQL)."""
    if conn.dialect.name != "postgresql" or not conn.exec_driver_sql(
            f"SELECT to_regclass('{_PROGRESS}') IS NOT NULL").scalar():
        return None
    copied, batches, started, top = conn.exec_driver_sql(
        f"SELECT copied_id, batches, started_at, (SELECT coalesce(max(id), 0) FROM {TABLE}) FROM {_PROGRESS}").one()
    return {"copied_id": int(min(copied, top)), "max_id": int(top), "batches": int(batches), "started_at": started}


def _hold_writers(conn: Connection) -> None:
    """Wait for the store's writers and keep new ones out until this transaction ends (their advisory lock): a
    writer's ids are then all committed or not yet taken, so copying by id range misses none."""
    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))


def _setup(conn: Connection) -> None:
    _hold_writers(conn)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_NEW}")
    _create_partitioned(conn, _NEW)
    span = conn.exec_driver_sql(
        f"SELECT extract(year FROM min(period_start) AT TIME ZONE 'UTC')::int, "
        f"extract(year FROM max(period_start) AT TIME ZONE 'UTC')::int FROM {TABLE}").one()
    now = datetime.now(UTC).year
    first, last = (span[0], max(span[1], now + 1)) if span[0] is not None else (now, now + 1)
    for year in range(first, last + 1):
        _create_year(conn, year, parent=_NEW)
    conn.exec_driver_sql(f"CREATE TABLE {_CHANGES} (id integer NOT NULL)")
    conn.exec_driver_sql(
        f"CREATE FUNCTION {_CHANGES}_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {_CHANGES} VALUES (OLD.id); RETURN NULL; END $$")
    conn.exec_driver_sql(f"CREATE TRIGGER {_CHANGES}_trigger AFTER UPDATE OR DELETE ON {TABLE} "
                         f"FOR EACH ROW EXECUTE FUNCTION {_CHANGES}_log()")
    conn.exec_driver_sql(f"CREATE TABLE {_PROGRESS} (copied_id bigint NOT NULL, batches integer NOT NULL, "
                         "started_at timestamptz NOT NULL DEFAULT now())")
    conn.exec_driver_sql(f"INSERT INTO {_PROGRESS} (copied_id, batches) VALUES (0, 0)")


_COLS = "id, indicator_id, district, period_start, period_end, value, source_id, run_id, ingested_at"


def _copy_ids(conn: Connection, after: int, upto: int) -> None:
    conn.exec_driver_sql(f"INSERT INTO {_NEW} ({_COLS}) SELECT {_COLS} FROM {TABLE} WHERE id > %s AND id <= %s "
                         "ON CONFLICT DO NOTHING", (after, upto))


def _swap(conn: Connection) -> None:
    _hold_writers(conn)
    conn.exec_driver_sql(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    copied = conn.exec_driver_sql(f"SELECT copied_id FROM {_PROGRESS}").scalar_one()
    _copy_ids(conn, copied, 2**62)
    conn.exec_driver_sql(f"DELETE FROM {_NEW} WHERE id IN (SELECT id FROM {_CHANGES})")
    conn.exec_driver_sql(f"INSERT INTO {_NEW} ({_COLS}) SELECT {_COLS} FROM {TABLE} "
                         f"WHERE id IN (SELECT id FROM {_CHANGES})")
    _drop_revision_fk(conn)
    conn.exec_driver_sql("ALTER SEQUENCE observations_id_seq OWNED BY NONE")
    conn.exec_driver_sql(f"DROP TABLE {TABLE}")
    conn.exec_driver_sql(f"DROP FUNCTION {_CHANGES}_log()")
    conn.exec_driver_sql(f"DROP TABLE {_CHANGES}, {_PROGRESS}")
    _rename_to_final(conn, _NEW)
