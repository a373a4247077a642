"""Observation writes (idempotent upsert with revision history) and role-filtered reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, and_, bindparam, func, insert, literal, or_, select, update

from cockpit.catalog import Catalog
from cockpit.roles import DEPARTMENT_PREFIX, Visibility
from cockpit.store.schema import indicators, observation_revisions, observations

LOCAL_TZ_NAME = "Europe/Berlin"
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
    """Insert new keys, update changed values (keeping the old one as a revision), skip identical ones."""
    if frame.empty:
        return UpsertCounts()
    batch = frame.rename(columns={"indicator": "indicator_id"})[KEY + ["period_end", "value"]].copy()
    batch["period_start"] = _utc_us(batch["period_start"])
    batch = batch.drop_duplicates(subset=KEY, keep="last")
    existing = _existing(conn, batch)
    merged = batch.merge(existing, on=KEY, how="left", suffixes=("", "_old"))
    new = merged[merged["id"].isna()]
    old = merged[merged["id"].notna()]
    changed = old[(old["value"] - old["value_old"]).abs() > VALUE_TOLERANCE * old["value_old"].abs().clip(lower=1)]
    if not new.empty:
        conn.execute(insert(observations), [
            dict(indicator_id=r.indicator_id, district=r.district, period_start=r.period_start.to_pydatetime(),
                 period_end=None if pd.isna(r.period_end) else r.period_end.to_pydatetime(),
                 value=float(r.value), source_id=source_id, run_id=run_id, ingested_at=now)
            for r in new.itertuples(index=False)
        ])
    if not changed.empty:
        conn.execute(insert(observation_revisions), [
            dict(observation_id=int(r.id), value=float(r.value_old), source_id=r.source_id_old,
                 run_id=None if pd.isna(r.run_id_old) else int(r.run_id_old),
                 valid_from=r.ingested_at_old.to_pydatetime(), replaced_at=now, replaced_by_run=run_id)
            for r in changed.itertuples(index=False)
        ])
        conn.execute(
            update(observations).where(observations.c.id == bindparam("row_id")).values(
                value=bindparam("new_value"), source_id=source_id, run_id=run_id, ingested_at=now),
            [dict(row_id=int(r.id), new_value=float(r.value)) for r in changed.itertuples(index=False)])
    return UpsertCounts(inserted=len(new), updated=len(changed), unchanged=len(old) - len(changed))


def _existing(conn: Connection, batch: pd.DataFrame) -> pd.DataFrame:
    query = select(
        observations.c.id, observations.c.indicator_id, observations.c.district, observations.c.period_start,
        observations.c.value.label("value_old"), observations.c.source_id.label("source_id_old"),
        observations.c.run_id.label("run_id_old"), observations.c.ingested_at.label("ingested_at_old"),
    ).where(
        observations.c.indicator_id.in_(sorted(batch["indicator_id"].unique())),
        observations.c.period_start >= batch["period_start"].min().to_pydatetime(),
        observations.c.period_start <= batch["period_start"].max().to_pydatetime(),
    )
    rows = conn.execute(query).mappings().all()
    columns = ["id", *KEY, "value_old", "source_id_old", "run_id_old", "ingested_at_old"]
    existing = pd.DataFrame(rows, columns=columns)
    existing["indicator_id"] = existing["indicator_id"].astype("str")
    existing["district"] = existing["district"].astype("str")
    existing["period_start"] = _utc_us(existing["period_start"])
    existing["ingested_at_old"] = pd.to_datetime(existing["ingested_at_old"], utc=True)
    return existing


# ------------------------------------------------------------------------------------------------ reads


def _visible(levels: tuple[str, ...]):
    """Join condition: the indicator's visibility is one of `levels`; a level 'department:<id>' admits the
    department-visible indicators owned by <id> (see cockpit.roles.visible_levels)."""
    plain = [level for level in levels if not level.startswith(DEPARTMENT_PREFIX)]
    owners = [level[len(DEPARTMENT_PREFIX):] for level in levels if level.startswith(DEPARTMENT_PREFIX)]
    allowed = indicators.c.visibility.in_(plain)
    if owners:
        allowed = or_(allowed, and_(indicators.c.visibility == Visibility.DEPARTMENT.value,
                                    indicators.c.owner.in_(owners)))
    return and_(indicators.c.id == observations.c.indicator_id, allowed)


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


def read_latest(conn: Connection, levels: tuple[str, ...], count: int = 2) -> pd.DataFrame:
    """The `count` most recent city-wide observations of each visible indicator (rank 1 = latest)."""
    rank = func.row_number().over(
        partition_by=observations.c.indicator_id, order_by=observations.c.period_start.desc()
    ).label("rank")
    inner = select(
        observations.c.indicator_id.label("indicator"), observations.c.period_start, observations.c.period_end,
        observations.c.value, observations.c.source_id, observations.c.ingested_at, rank,
    ).select_from(observations.join(indicators, _visible(levels))).where(observations.c.district == "").subquery()
    query = select(inner).where(inner.c.rank <= count).order_by(inner.c.indicator, inner.c.rank)
    return _frame(conn.execute(query).mappings().all(),
                  ["indicator", "period_start", "period_end", "value", "source_id", "ingested_at", "rank"])


def month_bucket(conn: Connection, column):
    """The Europe/Berlin month of a timestamp column as 'YYYY-MM-01', computed in SQL on each backend."""
    if conn.dialect.name == "sqlite":
        return func.local_month(column)  # registered in cockpit.store.engine
    local = func.timezone(literal(LOCAL_TZ_NAME), column)
    return func.to_char(func.date_trunc("month", local), literal("YYYY-MM-01"))


def read_monthly(conn: Connection, levels: tuple[str, ...], indicator_ids: list[str] | None = None,
                 since: datetime | None = None) -> pd.DataFrame:
    """City-wide monthly aggregates per visible indicator (sum for sum-indicators, else mean), computed in SQL."""
    bucket = month_bucket(conn, observations.c.period_start).label("month")
    query = select(
        observations.c.indicator_id.label("indicator"), indicators.c.aggregation, bucket,
        func.sum(observations.c.value).label("sum"), func.avg(observations.c.value).label("mean"),
        func.count().label("n"),
    ).select_from(observations.join(indicators, _visible(levels))).where(observations.c.district == "")
    if indicator_ids is not None:
        query = query.where(observations.c.indicator_id.in_(indicator_ids))
    if since is not None:
        query = query.where(observations.c.period_start >= since)
    query = query.group_by(observations.c.indicator_id, indicators.c.aggregation, bucket).order_by(
        observations.c.indicator_id, bucket)
    frame = pd.DataFrame(conn.execute(query).mappings().all(),
                         columns=["indicator", "aggregation", "month", "sum", "mean", "n"])
    frame["month"] = pd.to_datetime(frame["month"]).dt.tz_localize(LOCAL_TZ_NAME)
    frame["value"] = frame["sum"].where(frame["aggregation"] == "sum", frame["mean"]).astype("float64")
    return frame[["indicator", "month", "value", "n"]]


GRAINS = ("year", "month", "day")
AGGREGATE_COLUMNS = ["indicator", "district", "bucket", "n", "sum", "min", "max", "last_value", "last_start", "value"]


def read_aggregates(conn: Connection, levels: tuple[str, ...], grain: str, indicator_ids: list[str] | None = None,
                    district: str | None = "", since: datetime | None = None,
                    until: datetime | None = None) -> pd.DataFrame:
    """Per indicator, district and Europe/Berlin calendar bucket (year, month or day) of visible indicators:
    count, sum, min, max, the last value and its period start, and `value` = the indicator's own aggregation
    (sum -> sum, mean -> sum / n, last -> last value). `bucket` is the local start of the bucket (tz-aware,
    Europe/Berlin); `since`/`until` bound the period starts (since <= start < until)."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r} (one of {', '.join(GRAINS)})")
    raw = read_observations(conn, levels, indicator_ids, district, since, until)
    if raw.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    local = raw["period_start"].dt.tz_convert(LOCAL_TZ_NAME)
    freq = {"year": "Y", "month": "M", "day": "D"}[grain]
    raw["bucket"] = local.dt.tz_localize(None).dt.to_period(freq).dt.start_time.dt.tz_localize(
        LOCAL_TZ_NAME, ambiguous=False, nonexistent="shift_forward")
    raw = raw.sort_values("period_start", kind="stable")
    grouped = raw.groupby(["indicator", "district", "bucket"], sort=True)
    frame = grouped["value"].agg(n="count", sum="sum", min="min", max="max", last_value="last").reset_index()
    frame["last_start"] = grouped["period_start"].max().to_numpy()
    aggregation = dict(conn.execute(select(indicators.c.id, indicators.c.aggregation)).all())
    kind = frame["indicator"].map(aggregation)
    frame["value"] = frame["last_value"].where(kind == "last", frame["sum"].where(kind == "sum",
                                                                                    frame["sum"] / frame["n"]))
    frame["n"] = frame["n"].astype("int64")
    return frame[AGGREGATE_COLUMNS].reset_index(drop=True)


def read_indicator_sources(conn: Connection, levels: tuple[str, ...]) -> pd.DataFrame:
    """Which source delivered observations of which visible indicator (indicator, source_id)."""
    query = select(observations.c.indicator_id.label("indicator"), observations.c.source_id).select_from(
        observations.join(indicators, _visible(levels))).distinct()
    return pd.DataFrame(conn.execute(query).mappings().all(), columns=["indicator", "source_id"])


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("period_start", "period_end", "ingested_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    if "value" in frame:
        frame["value"] = frame["value"].astype("float64")
    return frame
