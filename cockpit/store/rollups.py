"""Rollups: per indicator, district and Europe/Berlin day, month and year - count, sum, min, max, last value and
its period start - kept exact in the transaction that writes the observations; and the small table of which
source delivered which indicator.

Exactness under revisions comes from recomputing every bucket holding a revised row, bottom up: a day from its
raw rows (an index range seek on the observation key), a month from its days, a year from its months. Every other
bucket a write touched only gained new keys: the batch's own aggregates of them are added to it in one upsert
(counts and sums add up; min, max and the last value compare), so a bulk append reads no stored observation back.
Re-deliveries of identical values touch nothing. The buckets' local days are computed in pandas, so no backend
needs a time-zone function.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import repeat
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    case,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from cockpit.config import LOCAL_TZ_NAME
from cockpit.store.schema import UTCDateTime, indicator_sources, indicators, observations, rollups
from cockpit.store.visibility import joined_on

GRAINS = ("year", "month", "day")
AGGREGATE_COLUMNS = ["indicator", "district", "bucket", "n", "sum", "min", "max", "last_value", "last_start", "value"]
_CHILD = {"month": "day", "year": "month"}

# The buckets one write touched, per connection (a temporary table, emptied before each use).
_keys_metadata = MetaData()
rollup_keys = Table(
    "rollup_keys",
    _keys_metadata,
    Column("grain", String(5)),
    Column("indicator_id", String(64)),
    Column("district", String(64)),
    Column("bucket", String(10)),
    Column("next_bucket", String(10)),
    Column("lo", UTCDateTime),  # UTC bounds of a day bucket: lo <= period_start < hi
    Column("hi", UTCDateTime),
    prefixes=["TEMPORARY"],
)


def _ensure_keys_table(conn: Connection) -> None:
    conn.execute(CreateTable(rollup_keys, if_not_exists=True))
    _empty_keys(conn)


def _empty_keys(conn: Connection) -> None:
    # TRUNCATE on PostgreSQL: temporary tables are never vacuumed, deleted rows would pile up
    conn.exec_driver_sql("TRUNCATE rollup_keys" if conn.dialect.name == "postgresql" else "DELETE FROM rollup_keys")


KEY_COLUMNS = ["grain", "indicator_id", "district", "bucket", "next_bucket", "lo", "hi"]


def _local_days(starts: pd.Series) -> np.ndarray:
    """The Europe/Berlin calendar day of each UTC period start (datetime64[D])."""
    local = pd.to_datetime(starts, utc=True).dt.tz_convert(LOCAL_TZ_NAME).dt.tz_localize(None)
    return local.to_numpy(dtype="datetime64[us]").astype("datetime64[D]")


def _day_text(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D")


def _utc_of_local_midnight(days: np.ndarray) -> pd.Series:
    """The first instant of each local day in UTC: lo(D) <= t < lo(D + 1) exactly when t falls on local day D.
    Vectorised; the rare days whose midnight falls in a clock change pandas cannot place (Berlin's switch from
    local mean time on 1893-04-01) are placed with zoneinfo."""
    local = pd.Series(days.astype("datetime64[us]"))
    guess = local.dt.tz_localize(LOCAL_TZ_NAME, ambiguous=np.ones(len(local), dtype=bool),
                                 nonexistent="shift_forward").dt.tz_convert("UTC")
    day = days.astype("datetime64[D]")
    on_day = _local_days(guess) == day
    before = _local_days(guess - pd.Timedelta(microseconds=1)) < day
    wrong = ~(on_day & before)
    if wrong.any():
        zone = ZoneInfo(LOCAL_TZ_NAME)
        fixed = [pd.Timestamp(datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC))
                 for d in local[wrong].dt.date]
        guess = guess.copy()
        guess[wrong] = fixed
    return guess


def bucket_keys(touched: pd.DataFrame) -> pd.DataFrame:
    """The day, month and year buckets of rows (indicator_id, district, period_start UTC) as key rows."""
    if touched.empty:
        return pd.DataFrame(columns=KEY_COLUMNS)
    days = pd.DataFrame({"indicator_id": touched["indicator_id"].astype(str).to_numpy(),
                         "district": touched["district"].astype(str).to_numpy(),
                         "day": _local_days(touched["period_start"])}).drop_duplicates(ignore_index=True)
    day = days["day"].to_numpy(dtype="datetime64[D]")
    parts = [pd.DataFrame({"grain": "day", "indicator_id": days["indicator_id"], "district": days["district"],
                           "bucket": _day_text(day), "next_bucket": _day_text(day + 1),
                           "lo": _utc_of_local_midnight(day), "hi": _utc_of_local_midnight(day + 1)})]
    for grain, unit in (("month", "M"), ("year", "Y")):
        frame = pd.DataFrame({"indicator_id": days["indicator_id"], "district": days["district"],
                              "start": day.astype(f"datetime64[{unit}]")}).drop_duplicates(ignore_index=True)
        start = frame["start"].to_numpy(dtype=f"datetime64[{unit}]")
        parts.append(pd.DataFrame({"grain": grain, "indicator_id": frame["indicator_id"],
                                   "district": frame["district"], "bucket": _day_text(start),
                                   "next_bucket": _day_text(start + 1), "lo": None, "hi": None}))
    return pd.concat(parts, ignore_index=True)


def _insert_keys(conn: Connection, keys: pd.DataFrame) -> None:
    """The key rows into the temporary table through the driver (no per-row type processing)."""
    if conn.dialect.name == "sqlite":
        def stamps(column: pd.Series) -> list:
            if column.isna().all():
                return [None] * len(column)
            return pd.to_datetime(column, utc=True).dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M:%S.%f").tolist()
        marks = "?, ?, ?, ?, ?, ?, ?"
    else:
        def stamps(column: pd.Series) -> list:
            if column.isna().all():
                return [None] * len(column)
            return pd.to_datetime(column, utc=True).dt.to_pydatetime().tolist()
        marks = "%s, %s, %s, %s, %s, %s, %s"
    rows = []
    for grain, part in keys.groupby("grain", sort=False):
        rows += list(zip(repeat(grain), part["indicator_id"].tolist(), part["district"].tolist(),
                         part["bucket"].tolist(), part["next_bucket"].tolist(), stamps(part["lo"]),
                         stamps(part["hi"])))
    conn.exec_driver_sql(f"INSERT INTO rollup_keys ({', '.join(KEY_COLUMNS)}) VALUES ({marks})", rows)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE rollup_keys")  # so the planner seeks by index instead of scanning rollups


def refresh(conn: Connection, touched: pd.DataFrame) -> None:
    """Recompute every day, month and year bucket that contains one of the `touched` rows
    (columns indicator_id, district, period_start), from the observations as they are now in this transaction."""
    _recompute(conn, bucket_keys(touched))


def apply_write(conn: Connection, inserted: pd.DataFrame, revised: pd.DataFrame) -> None:
    """Keep the rollups exact after a write, in its transaction: `inserted` rows (indicator_id, district,
    period_start, value) are keys that were not stored before, `revised` rows (indicator_id, district,
    period_start) changed their value. Every bucket of a revised row is recomputed bottom up (`refresh`); every
    other bucket of inserted rows is combined with what it held in one upsert (counts and sums add up; min, max
    and the last value compare), aggregated from the batch itself - no stored observation is read back."""
    keys = bucket_keys(revised)
    if not inserted.empty:
        _combine(conn, inserted, keys)
    _recompute(conn, keys)


def _recompute(conn: Connection, keys: pd.DataFrame) -> None:
    if keys.empty:
        return
    _ensure_keys_table(conn)
    _insert_keys(conn, keys)
    conn.execute(text(
        "DELETE FROM rollups WHERE (grain, indicator_id, district, bucket) IN "
        "(SELECT grain, indicator_id, district, bucket FROM rollup_keys)"))
    conn.execute(text(_DAY_SQL))
    for grain in ("month", "year"):
        conn.execute(text(_PARENT_SQL.format(grain=grain, child=_CHILD[grain])))
    _empty_keys(conn)


def batch_aggregates(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per grain, the rollup rows of a batch of distinct keys (indicator_id, district, period_start UTC, value)
    on their own: one sort by (indicator, district, period start) serves every grain, since a local day, month
    and year grow with the instant. Columns: indicator_id, district, bucket, n, sum, min, max, last_value,
    last_start (microseconds since the epoch, UTC)."""
    ind_codes, ind_names = pd.factorize(rows["indicator_id"])
    dist_codes, dist_names = pd.factorize(rows["district"])
    starts = pd.to_datetime(rows["period_start"], utc=True)
    micros = starts.dt.tz_localize(None).to_numpy(dtype="datetime64[us]").view("int64")
    values = rows["value"].to_numpy(dtype="float64")
    order = np.lexsort((micros, dist_codes, ind_codes))
    ind_s, dist_s, micros_s, values_s = ind_codes[order], dist_codes[order], micros[order], values[order]
    days = _local_days(starts)[order]
    pair_change = np.empty(len(order), dtype=bool)
    pair_change[0] = True
    pair_change[1:] = (ind_s[1:] != ind_s[:-1]) | (dist_s[1:] != dist_s[:-1])
    result = {}
    for grain, unit in (("day", "D"), ("month", "M"), ("year", "Y")):
        bucket = days.astype(f"datetime64[{unit}]")
        first = pair_change.copy()
        first[1:] |= bucket[1:] != bucket[:-1]
        begin = np.flatnonzero(first)
        end = np.append(begin[1:], len(order)) - 1
        result[grain] = pd.DataFrame({
            "indicator_id": np.asarray(ind_names, dtype=object)[ind_s[begin]],
            "district": np.asarray(dist_names, dtype=object)[dist_s[begin]],
            "bucket": _day_text(bucket[begin]), "n": end - begin + 1,
            "sum": np.add.reduceat(values_s, begin), "min": np.minimum.reduceat(values_s, begin),
            "max": np.maximum.reduceat(values_s, begin), "last_value": values_s[end],
            "last_start": micros_s[end]})
    return result


_COMBINE_SET = """ON CONFLICT (grain, indicator_id, district, bucket) DO UPDATE SET
  n = rollups.n + excluded.n, sum = rollups.sum + excluded.sum,
  min = {least}(rollups.min, excluded.min), max = {greatest}(rollups.max, excluded.max),
  last_value = CASE WHEN excluded.last_start > rollups.last_start THEN excluded.last_value
                    ELSE rollups.last_value END,
  last_start = CASE WHEN excluded.last_start > rollups.last_start THEN excluded.last_start
                    ELSE rollups.last_start END"""

_ROLLUP_COLUMNS = "grain, indicator_id, district, bucket, n, sum, min, max, last_value, last_start"


def _combine(conn: Connection, inserted: pd.DataFrame, recomputed: pd.DataFrame) -> None:
    """Add the batch's own aggregates of new keys to every bucket not in `recomputed` (bucket_keys rows)."""
    postgres = conn.dialect.name == "postgresql"
    skip = set(zip(recomputed["grain"], recomputed["indicator_id"], recomputed["district"], recomputed["bucket"],
                   strict=True)) if not recomputed.empty else set()
    parts = []
    for grain, part in batch_aggregates(inserted).items():
        if skip:
            keep = [(grain, i, d, b) not in skip
                    for i, d, b in zip(part["indicator_id"], part["district"], part["bucket"], strict=True)]
            part = part[np.array(keep, dtype=bool)]
        parts.append(part.assign(grain=grain))
    rows = pd.concat(parts, ignore_index=True)
    if rows.empty:
        return
    starts = rows["last_start"].to_numpy().astype("datetime64[us]")
    if postgres:
        columns = [rows["grain"].tolist(), rows["indicator_id"].tolist(), rows["district"].tolist(),
                   rows["bucket"].tolist(), rows["n"].tolist(), rows["sum"].tolist(), rows["min"].tolist(),
                   rows["max"].tolist(), rows["last_value"].tolist(),
                   (np.char.add(np.datetime_as_string(starts, unit="us"), "Z")).tolist()]
        types = ["text", "text", "text", "text", "int", "float8", "float8", "float8", "float8", "timestamptz"]
        unnest = ", ".join(f"%s::{t}[]" for t in types)
        conn.exec_driver_sql(f"INSERT INTO rollups ({_ROLLUP_COLUMNS}) SELECT * FROM unnest({unnest}) "
                             + _COMBINE_SET.format(least="LEAST", greatest="GREATEST"), tuple(columns))
        return
    stamps = np.char.replace(np.datetime_as_string(starts, unit="us"), "T", " ").tolist()
    conn.exec_driver_sql(
        f"INSERT INTO rollups ({_ROLLUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + _COMBINE_SET.format(least="min", greatest="max"),
        list(zip(rows["grain"].tolist(), rows["indicator_id"].tolist(), rows["district"].tolist(),
                 rows["bucket"].tolist(), rows["n"].tolist(), rows["sum"].tolist(), rows["min"].tolist(),
                 rows["max"].tolist(), rows["last_value"].tolist(), stamps, strict=True)))


_DAY_SQL = """
INSERT INTO rollups (grain, indicator_id, district, bucket, n, sum, min, max, last_value, last_start)
SELECT 'day', k.indicator_id, k.district, k.bucket, count(*), sum(o.value), min(o.value), max(o.value),
       (SELECT o2.value FROM observations o2
         WHERE o2.indicator_id = k.indicator_id AND o2.district = k.district
           AND o2.period_start >= k.lo AND o2.period_start < k.hi
         ORDER BY o2.period_start DESC LIMIT 1),
       max(o.period_start)
FROM rollup_keys k CROSS JOIN observations o
WHERE k.grain = 'day' AND o.indicator_id = k.indicator_id AND o.district = k.district
  AND o.period_start >= k.lo AND o.period_start < k.hi
GROUP BY k.indicator_id, k.district, k.bucket, k.lo, k.hi
"""

_PARENT_SQL = """
INSERT INTO rollups (grain, indicator_id, district, bucket, n, sum, min, max, last_value, last_start)
SELECT '{grain}', k.indicator_id, k.district, k.bucket, sum(r.n), sum(r.sum), min(r.min), max(r.max),
       (SELECT r2.last_value FROM rollups r2
         WHERE r2.grain = '{child}' AND r2.indicator_id = k.indicator_id AND r2.district = k.district
           AND r2.bucket >= k.bucket AND r2.bucket < k.next_bucket
         ORDER BY r2.last_start DESC LIMIT 1),
       max(r.last_start)
FROM rollup_keys k CROSS JOIN rollups r
WHERE k.grain = '{grain}' AND r.grain = '{child}' AND r.indicator_id = k.indicator_id AND r.district = k.district
  AND r.bucket >= k.bucket AND r.bucket < k.next_bucket
GROUP BY k.indicator_id, k.district, k.bucket, k.next_bucket
"""


def adjust_sources(conn: Connection, deltas: pd.DataFrame) -> None:
    """Add (indicator_id, source_id, n) deltas to the per-source observation counts."""
    if deltas.empty:
        return
    summed = deltas.groupby(["indicator_id", "source_id"], as_index=False)["n"].sum()
    summed = summed[summed["n"] != 0]
    if summed.empty:
        return
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(indicator_sources)
    stmt = stmt.on_conflict_do_update(index_elements=["indicator_id", "source_id"],
                                      set_={"n": indicator_sources.c.n + stmt.excluded.n})
    conn.execute(stmt, [dict(indicator_id=str(i), source_id=str(s), n=int(n))
                        for i, s, n in summed.itertuples(index=False, name=None)])


def rebuild(conn: Connection, chunk: int = 200_000) -> int:
    """Recompute every rollup and the source counts from the observations (migration, `rebuild-rollups`).
    Works pair by pair (indicator, district) so memory stays bounded; returns the number of rollup rows."""
    conn.execute(delete(rollups))
    conn.execute(delete(indicator_sources))
    conn.execute(insert(indicator_sources).from_select(
        ["indicator_id", "source_id", "n"],
        select(observations.c.indicator_id, observations.c.source_id, func.count()).group_by(
            observations.c.indicator_id, observations.c.source_id)))
    pairs = conn.execute(select(observations.c.indicator_id, observations.c.district).distinct()).all()
    for indicator_id, district in pairs:
        after = None
        while True:
            query = select(observations.c.period_start).where(
                observations.c.indicator_id == indicator_id, observations.c.district == district)
            if after is not None:
                query = query.where(observations.c.period_start > after)
            starts = conn.execute(query.order_by(observations.c.period_start).limit(chunk)).scalars().all()
            if not starts:
                break
            refresh(conn, pd.DataFrame({"indicator_id": indicator_id, "district": district,
                                        "period_start": pd.to_datetime(pd.Series(starts), utc=True)}))
            if len(starts) < chunk:
                break
            after = starts[-1]
    return int(conn.execute(select(func.count()).select_from(rollups)).scalar_one())


# ------------------------------------------------------------------------------------------------ reads


def _bucket_floor(moment: datetime, grain: str) -> pd.Timestamp:
    local = pd.Timestamp(moment)
    local = (local.tz_localize(LOCAL_TZ_NAME) if local.tzinfo is None else local.tz_convert(LOCAL_TZ_NAME))
    naive = local.tz_localize(None)
    return naive.to_period({"year": "Y", "month": "M", "day": "D"}[grain]).start_time


def read_aggregates(conn: Connection, levels: tuple[str, ...], grain: str, indicator_ids: list[str] | None = None,
                    district: str | None = "", since: datetime | None = None,
                    until: datetime | None = None) -> pd.DataFrame:
    """Rollup rows of visible indicators (see Store.aggregates). `since`/`until` select the buckets that overlap
    [since, until): bucket-aligned bounds (as every screen passes) select exactly the periods in between."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r} (one of {', '.join(GRAINS)})")
    r = rollups.c
    value = case((indicators.c.aggregation == "sum", r.sum), (indicators.c.aggregation == "last", r.last_value),
                 else_=r.sum / r.n)
    query = select(
        r.indicator_id.label("indicator"), r.district, r.bucket, r.n, r.sum, r.min, r.max, r.last_value,
        r.last_start, value.label("value"),
    ).select_from(rollups.join(indicators, joined_on(r.indicator_id, levels))).where(r.grain == grain)
    if indicator_ids is not None:
        query = query.where(r.indicator_id.in_(list(indicator_ids)))
    if district is not None:
        query = query.where(r.district == district)
    if since is not None:
        query = query.where(r.bucket >= _bucket_floor(since, grain).strftime("%Y-%m-%d"))
    if until is not None:
        floor = _bucket_floor(until, grain)
        aligned = pd.Timestamp(until).tz_convert(LOCAL_TZ_NAME).tz_localize(None) == floor
        bound = floor.strftime("%Y-%m-%d")
        query = query.where(r.bucket < bound if aligned else r.bucket <= bound)
    query = query.order_by(r.indicator_id, r.district, r.bucket)
    frame = pd.DataFrame(conn.execute(query).all(), columns=AGGREGATE_COLUMNS)
    if frame.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    buckets = pd.to_datetime(frame["bucket"])
    frame["bucket"] = buckets.dt.tz_localize(LOCAL_TZ_NAME, ambiguous=np.ones(len(buckets), dtype=bool),
                                             nonexistent="shift_forward")
    frame["last_start"] = pd.to_datetime(frame["last_start"], utc=True)
    frame["n"] = frame["n"].astype("int64")
    for column in ("sum", "min", "max", "last_value", "value"):
        frame[column] = frame[column].astype("float64")
    return frame


def read_indicator_sources(conn: Connection, levels: tuple[str, ...]) -> pd.DataFrame:
    """Which source holds observations of which visible indicator (indicator, source_id)."""
    query = select(indicator_sources.c.indicator_id.label("indicator"), indicator_sources.c.source_id).select_from(
        indicator_sources.join(indicators, joined_on(indicator_sources.c.indicator_id, levels))
    ).where(indicator_sources.c.n > 0).order_by(indicator_sources.c.indicator_id, indicator_sources.c.source_id)
    return pd.DataFrame(conn.execute(query).all(), columns=["indicator", "source_id"])


