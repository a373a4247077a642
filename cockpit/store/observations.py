"""Observation writes (idempotent upsert with revision history) and role-filtered reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import repeat

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, bindparam, insert, or_, select, text, union_all, update

from cockpit.catalog import Catalog
from cockpit.store import partitions, rollups
from cockpit.store.schema import indicators, job_runs, observation_revisions, observations
from cockpit.store.visibility import joined_on, visible_indicators

KEY = ["indicator_id", "district", "period_start"]
VALUE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def stored(self) -> int:
        return self.inserted + self.updated


def sync_indicators(conn: Connection, catalog: Catalog, now: datetime) -> None:
    """Mirror the catalog's indicators (the visibility used by every read) into the indicators table."""
    existing = {row.id for row in conn.execute(select(indicators.c.id))}
    for ind in catalog.indicators:
        values = dict(domain=ind.domain, visibility=ind.visibility, unit=ind.unit.de, aggregation=ind.aggregation,
                      rhythm=str(ind.rhythm), spatial=ind.spatial, owner=ind.owner, updated_at=now)
        if ind.id in existing:
            conn.execute(update(indicators).where(indicators.c.id == ind.id).values(**values))
        else:
            conn.execute(insert(indicators).values(id=ind.id, **values))


def _utc_us(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.as_unit("us")


def upsert(conn: Connection, frame: pd.DataFrame, source_id: str, run_id: int, now: datetime) -> UpsertCounts:
    """Insert new keys, update changed values (keeping the old one as a revision), skip identical ones; keep the
    rollups and the per-source counts exact in the same transaction. Runs under the store's write lock."""
    if frame.empty:
        return UpsertCounts()
    batch = frame.rename(columns={"indicator": "indicator_id"})[KEY + ["period_end", "value"]].copy()
    batch["indicator_id"] = batch["indicator_id"].astype(str)
    batch["district"] = batch["district"].astype(str)
    batch["period_start"] = _utc_us(batch["period_start"])
    batch["period_end"] = _utc_us(batch["period_end"])
    batch["value"] = batch["value"].astype("float64")
    if batch.duplicated(subset=KEY).any():
        batch = batch.drop_duplicates(subset=KEY, keep="last")
    _check_references(conn, batch, run_id)
    existing = _existing(conn, batch)
    if existing.empty:
        new, old = batch, existing
        changed = existing
    else:
        merged = batch.merge(existing, on=KEY, how="left", suffixes=("", "_old"))
        found = merged["id"].notna()
        new, old = merged[~found], merged[found]
        changed = old[(old["value"] - old["value_old"]).abs()
                      > VALUE_TOLERANCE * old["value_old"].abs().clip(lower=1)]
    if not new.empty:
        if conn.dialect.name == "postgresql":  # each year's partition before its first row (cockpit.store.partitions)
            partitions.ensure_years(conn, set(new["period_start"].dt.year.unique().tolist()))
        _insert_new(conn, new, source_id, run_id, now)
    if not changed.empty:
        conn.execute(insert(observation_revisions), [
            dict(observation_id=int(r.id), value=float(r.value_old), source_id=r.source_id_old,
                 run_id=None if pd.isna(r.run_id_old) else int(r.run_id_old),
                 valid_from=r.ingested_at_old.to_pydatetime(), replaced_at=now, replaced_by_run=run_id)
            for r in changed.itertuples(index=False)
        ])
        conn.execute(  # the period start names the row's partition on PostgreSQL (the key is (id, period_start))
            update(observations).where(observations.c.id == bindparam("row_id"),
                                       observations.c.period_start == bindparam("row_start")).values(
                value=bindparam("new_value"), source_id=source_id, run_id=run_id, ingested_at=now),
            [dict(row_id=int(i), row_start=s.to_pydatetime(), new_value=float(v))
             for i, s, v in zip(changed["id"], changed["period_start"], changed["value"], strict=True)])
    rollups.apply_write(conn, new[KEY + ["value"]], changed[KEY])
    touched = pd.concat([new[KEY], changed[KEY]], ignore_index=True) if not changed.empty else new[KEY]
    counts = touched["indicator_id"].value_counts(sort=False)  # few indicators: count them before the groupby
    deltas = [pd.DataFrame({"indicator_id": counts.index.astype(str), "source_id": source_id,
                            "n": counts.to_numpy()})]
    if not changed.empty:
        deltas.append(pd.DataFrame({"indicator_id": changed["indicator_id"], "source_id": changed["source_id_old"],
                                    "n": -1}))
    rollups.adjust_sources(conn, pd.concat(deltas, ignore_index=True))
    return UpsertCounts(inserted=len(new), updated=len(changed), unchanged=len(old) - len(changed))


_COLUMNS = ("indicator_id", "district", "period_start", "period_end", "value", "source_id", "run_id", "ingested_at")


def _sqlite_stamps(series: pd.Series) -> list:
    """UTC timestamps in the text form SQLAlchemy stores on SQLite ('YYYY-MM-DD HH:MM:SS.ffffff'), None where
    missing. Vectorised, and each distinct instant is formatted once (sensor series share their period starts)."""
    missing = series.isna().to_numpy()
    if missing.all():
        return [None] * len(series)
    values = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    distinct, inverse = np.unique(values, return_inverse=True)
    out = np.char.replace(np.datetime_as_string(distinct, unit="us"), "T", " ").astype(object)[inverse.reshape(-1)]
    if missing.any():
        out[missing] = None
    return out.tolist()


_PG_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us").astype("int64")
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
_COPY_TRAILER = b"\xff\xff"


def _copy_binary(new: pd.DataFrame, source_id: str, run_id: int, now: datetime) -> list[bytes]:
    """The new rows in PostgreSQL's binary COPY format, built with NumPy: the rows of one (indicator, district,
    period_end present or not) share one fixed record layout, so each such group is one structured array
    (big-endian lengths, int64 microseconds since 2000-01-01 UTC for timestamps, float8 values)."""
    def micros(series: pd.Series) -> np.ndarray:
        values = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        return values.view("int64") - _PG_EPOCH_US

    starts = micros(new["period_start"])
    ends_missing = new["period_end"].isna().to_numpy()
    ends = np.where(ends_missing, 0, micros(new["period_end"].fillna(new["period_start"])))
    values = new["value"].to_numpy(dtype="float64")
    ingested = int(pd.Timestamp(now).tz_convert("UTC").tz_localize(None).to_datetime64().astype(
        "datetime64[us]").astype("int64") - _PG_EPOCH_US)
    ind_codes, ind_names = pd.factorize(new["indicator_id"])
    dist_codes, dist_names = pd.factorize(new["district"])
    source = source_id.encode()
    group = (ind_codes.astype("int64") * len(dist_names) + dist_codes) * 2 + ends_missing
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    chunks = [_COPY_HEADER]
    for rows in np.split(order, bounds):
        first = rows[0]
        ind, dist = str(ind_names[ind_codes[first]]).encode(), str(dist_names[dist_codes[first]]).encode()
        no_end = bool(ends_missing[first])
        fields = [("count", ">i2"), ("ind_len", ">i4")] + ([("ind", f"S{len(ind)}")] if ind else []) + [
            ("dist_len", ">i4")] + ([("dist", f"S{len(dist)}")] if dist else []) + [
            ("start_len", ">i4"), ("start", ">i8"), ("end_len", ">i4")] + ([] if no_end else [("end", ">i8")]) + [
            ("value_len", ">i4"), ("value", ">f8"), ("source_len", ">i4")] + (
            [("source", f"S{len(source)}")] if source else []) + [
            ("run_len", ">i4")] + ([] if run_id is None else [("run", ">i4")]) + [
            ("ingested_len", ">i4"), ("ingested", ">i8")]
        record = np.zeros(len(rows), dtype=np.dtype(fields))
        record["count"] = len(_COLUMNS)
        record["ind_len"], record["dist_len"], record["source_len"] = len(ind), len(dist), len(source)
        if ind:
            record["ind"] = ind
        if dist:
            record["dist"] = dist
        if source:
            record["source"] = source
        record["start_len"], record["start"] = 8, starts[rows]
        if no_end:
            record["end_len"] = -1
        else:
            record["end_len"], record["end"] = 8, ends[rows]
        record["value_len"], record["value"] = 8, values[rows]
        if run_id is None:
            record["run_len"] = -1
        else:
            record["run_len"], record["run"] = 4, run_id
        record["ingested_len"], record["ingested"] = 8, ingested
        chunks.append(record.tobytes())
    chunks.append(_COPY_TRAILER)
    return chunks


def _insert_new(conn: Connection, new: pd.DataFrame, source_id: str, run_id: int, now: datetime) -> None:
    """Bulk insert of keys known to be absent (the write lock is held): COPY on PostgreSQL, one executemany of
    prepared tuples on SQLite - no per-row type processing in Python."""
    n = len(new)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            with cursor.copy(f"COPY observations ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT binary)") as copy:
                for chunk in _copy_binary(new, source_id, run_id, now):
                    copy.write(chunk)
        finally:
            cursor.close()
        return
    stamp = pd.Timestamp(now).tz_convert("UTC").tz_localize(None).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = zip(new["indicator_id"].tolist(), new["district"].tolist(), _sqlite_stamps(new["period_start"]),
               _sqlite_stamps(new["period_end"]), new["value"].tolist(), repeat(source_id, n), repeat(run_id, n),
               repeat(stamp, n), strict=True)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(f"INSERT INTO observations ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * 8)})", rows)
    finally:
        cursor.close()


def _check_references(conn: Connection, batch: pd.DataFrame, run_id: int) -> None:
    """What the foreign keys of `observations` check per row on SQLite, once per batch (PostgreSQL has no such
    constraints since migration 0010_ingest): every indicator id is in `indicators`, and the run exists."""
    wanted = set(batch["indicator_id"].unique().tolist())
    found = set(conn.execute(select(indicators.c.id).where(indicators.c.id.in_(sorted(wanted)))).scalars())
    if wanted - found:
        raise ValueError(f"observations of indicators missing from the store's indicators table: "
                         f"{', '.join(sorted(wanted - found))} (sync the catalog first)")
    if run_id is not None and conn.execute(select(job_runs.c.id).where(job_runs.c.id == run_id)).first() is None:
        raise ValueError(f"observations of run {run_id}, which does not exist")


_EXISTING_COLUMNS = ["id", *KEY, "value_old", "source_id_old", "run_id_old", "ingested_at_old"]
_PAIRS_PER_QUERY = 100


def _stored_ends(conn: Connection, spans: pd.DataFrame) -> pd.Series:
    """Per (indicator_id, district) row of `spans`: the latest stored period start (NaT: none stored), one
    backward index seek each."""
    ends = []
    for offset in range(0, len(spans), _PAIRS_PER_QUERY):
        part = spans.iloc[offset:offset + _PAIRS_PER_QUERY]
        params, values = {}, []
        for n, (indicator_id, district) in enumerate(zip(part["indicator_id"], part["district"], strict=True)):
            params[f"i{n}"], params[f"d{n}"] = indicator_id, district
            values.append(f"({n}, :i{n}, :d{n})")
        found = dict(conn.execute(text(
            f"WITH k(n, i, d) AS (VALUES {', '.join(values)}) SELECT k.n, (SELECT max(o.period_start) FROM "
            "observations o WHERE o.indicator_id = k.i AND o.district = k.d) FROM k"), params).all())
        ends += [found.get(n) for n in range(len(part))]
    return pd.to_datetime(pd.Series(ends, index=spans.index, dtype=object), utc=True)


def _existing(conn: Connection, batch: pd.DataFrame) -> pd.DataFrame:
    """Stored rows with the batch's keys: one index range seek per (indicator, district) over the batch's period
    starts of that pair (the key index is indicator_id, district, period_start)."""
    spans = batch.groupby(["indicator_id", "district"], sort=True)["period_start"].agg(["min", "max"]).reset_index()
    spans = spans[spans["min"] <= _stored_ends(conn, spans)]  # appends (the usual case) need no lookup
    if spans.empty:
        return pd.DataFrame(columns=_EXISTING_COLUMNS)
    rows = []
    columns = (observations.c.id, observations.c.indicator_id, observations.c.district, observations.c.period_start,
               observations.c.value.label("value_old"), observations.c.source_id.label("source_id_old"),
               observations.c.run_id.label("run_id_old"), observations.c.ingested_at.label("ingested_at_old"))
    for offset in range(0, len(spans), _PAIRS_PER_QUERY):
        part = spans.iloc[offset:offset + _PAIRS_PER_QUERY]
        conditions = [and_(observations.c.indicator_id == i, observations.c.district == d,
                           observations.c.period_start >= lo.to_pydatetime(),
                           observations.c.period_start <= hi.to_pydatetime())
                      for i, d, lo, hi in part.itertuples(index=False, name=None)]
        rows.extend(conn.execute(select(*columns).where(or_(*conditions))).all())
    existing = pd.DataFrame(rows, columns=_EXISTING_COLUMNS)
    if existing.empty:
        return existing
    existing["indicator_id"] = existing["indicator_id"].astype("str")
    existing["district"] = existing["district"].astype("str")
    existing["period_start"] = _utc_us(existing["period_start"])
    existing["ingested_at_old"] = pd.to_datetime(existing["ingested_at_old"], utc=True)
    existing["value_old"] = existing["value_old"].astype("float64")
    return existing


# ------------------------------------------------------------------------------------------------ reads


def _visible(levels: tuple[str, ...]):
    """Join condition of observations with the indicators the viewer may see."""
    return joined_on(observations.c.indicator_id, levels)


def read_observations(conn: Connection, levels: tuple[str, ...], indicator_ids: list[str] | None = None,
                      district: str | None = "", start: datetime | None = None,
                      end: datetime | None = None) -> pd.DataFrame:
    """Observations of visible indicators; district "" = city-wide only, None = every district and city-wide."""
    query = select(
        observations.c.indicator_id.label("indicator"), observations.c.district, observations.c.period_start,
        observations.c.period_end, observations.c.value, observations.c.source_id,
    ).select_from(observations.join(indicators, _visible(levels)))
    if indicator_ids is not None:
        query = query.where(observations.c.indicator_id.in_(indicator_ids))
    if district is not None:
        query = query.where(observations.c.district == district)
    if start is not None:
        query = query.where(observations.c.period_start >= start)
    if end is not None:
        query = query.where(observations.c.period_start < end)
    query = query.order_by(observations.c.indicator_id, observations.c.district, observations.c.period_start)
    return _frame(conn.execute(query).mappings().all(),
                  ["indicator", "district", "period_start", "period_end", "value", "source_id"])


LATEST_COLUMNS = ["indicator", "period_start", "period_end", "value", "source_id", "ingested_at", "rank"]


def read_latest(conn: Connection, levels: tuple[str, ...], count: int = 2,
                indicator_ids: list[str] | None = None) -> pd.DataFrame:
    """The `count` most recent city-wide observations of each visible indicator (of `indicator_ids` only, when
    given; rank 1 = latest): one backward index seek per indicator on the key index (indicator_id, district,
    period_start), in one query."""
    columns = LATEST_COLUMNS
    query = select(indicators.c.id).where(visible_indicators(levels)).order_by(indicators.c.id)
    if indicator_ids is not None:
        query = query.where(indicators.c.id.in_(sorted(set(indicator_ids))))
    visible = conn.execute(query).scalars().all()
    if not visible:
        return _frame([], columns)
    parts = []
    for indicator_id in visible:
        part = select(observations.c.indicator_id.label("indicator"), observations.c.period_start,
                      observations.c.period_end, observations.c.value, observations.c.source_id,
                      observations.c.ingested_at).where(
            observations.c.indicator_id == indicator_id, observations.c.district == "").order_by(
            observations.c.period_start.desc()).limit(count).subquery()
        parts.append(select(part))
    rows = []
    for offset in range(0, len(parts), 200):  # SQLite allows 500 terms in one compound select
        rows.extend(conn.execute(union_all(*parts[offset:offset + 200])).all())
    frame = _frame([tuple(row) + (0,) for row in rows], columns)
    frame = frame.sort_values(["indicator", "period_start"], ascending=[True, False], kind="stable")
    frame["rank"] = frame.groupby("indicator").cumcount() + 1
    return frame.reset_index(drop=True)


def read_monthly(conn: Connection, levels: tuple[str, ...], indicator_ids: list[str] | None = None,
                 since: datetime | None = None) -> pd.DataFrame:
    """City-wide monthly aggregates per visible indicator (sum for sum-indicators, else mean), from the rollups."""
    frame = rollups.read_aggregates(conn, levels, "month", indicator_ids, "", since)
    frame = frame.rename(columns={"bucket": "month"})
    frame["value"] = frame["sum"].where(_aggregation_of(conn, frame["indicator"]) == "sum",
                                        frame["sum"] / frame["n"]).astype("float64")
    return frame[["indicator", "month", "value", "n"]].reset_index(drop=True)


def _aggregation_of(conn: Connection, indicator: pd.Series) -> pd.Series:
    return indicator.map(dict(conn.execute(select(indicators.c.id, indicators.c.aggregation)).all()))


GRAINS = rollups.GRAINS
AGGREGATE_COLUMNS = rollups.AGGREGATE_COLUMNS


def read_aggregates(conn: Connection, levels: tuple[str, ...], grain: str, indicator_ids: list[str] | None = None,
                    district: str | None = "", since: datetime | None = None,
                    until: datetime | None = None) -> pd.DataFrame:
    """Per indicator, district and Europe/Berlin calendar bucket (year, month or day) of visible indicators:
    count, sum, min, max, the last value and its period start, and `value` = the indicator's own aggregation
    (sum -> sum, mean -> sum / n, last -> last value). `bucket` is the local start of the bucket (tz-aware,
    Europe/Berlin); `since`/`until` select the buckets overlapping [since, until). Read from the rollups."""
    return rollups.read_aggregates(conn, levels, grain, indicator_ids, district, since, until)


def read_indicator_sources(conn: Connection, levels: tuple[str, ...]) -> pd.DataFrame:
    """Which source delivered observations of which visible indicator (indicator, source_id)."""
    return rollups.read_indicator_sources(conn, levels)


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("period_start", "period_end", "ingested_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    if "value" in frame:
        frame["value"] = frame["value"].astype("float64")
    return frame
