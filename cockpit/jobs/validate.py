"""Validation of parsed observations against the catalog, vectorised; invalid records become rejects.

Each rule is one boolean mask over the whole frame plus a reason built for the rows it rejects only; the first
rule that rejects a row gives its reason. A new rule is one more entry in `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cockpit import clock
from cockpit.catalog import Catalog
from cockpit.sources.base import CITYWIDE, Reject

# Timestamps outside this window are implausible (catches epoch seconds read as milliseconds and vice versa).
EARLIEST_PLAUSIBLE = pd.Timestamp("2000-01-01", tz="UTC")
FUTURE_TOLERANCE = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Checked:
    """The frame plus per-row catalog facts the rules need (looked up once per frame, by indicator)."""

    frame: pd.DataFrame
    known: pd.Series  # the indicator exists
    value: pd.Series  # value as float (NaN where missing or non-numeric)
    low: pd.Series  # plausible range of the row's indicator (NaN: none)
    high: pd.Series
    city_only: pd.Series  # the indicator is city-wide only
    district_known: pd.Series
    named_district: pd.Series  # the row names a district (not city-wide)


@dataclass(frozen=True)
class Rule:
    name: str
    mask: Callable[[Checked], pd.Series]  # True = the row breaks the rule
    reason: Callable[[pd.DataFrame], list[str]]  # reasons for the breaking rows (a sub-frame of Checked.frame)


def _num(value) -> str:
    return str(float(value))


def _implausible_time(checked: Checked) -> pd.Series:
    starts = pd.to_datetime(checked.frame["period_start"], utc=True)
    now = pd.Timestamp(clock.now()).tz_convert("UTC")  # the cockpit's clock (a demo day when one is set)
    return (starts < EARLIEST_PLAUSIBLE) | (starts > now + FUTURE_TOLERANCE)


def _range_reason(rows: pd.DataFrame) -> list[str]:
    return [f"value {_num(v)} outside the plausible range {lo}..{hi} of '{i}'"
            for v, lo, hi, i in zip(rows["value"], rows["_low"], rows["_high"], rows["indicator"], strict=True)]


RULES: list[Rule] = [
    Rule("indicator", lambda c: ~c.known,
         lambda rows: [f"unknown indicator '{i}'" for i in rows["indicator"]]),
    Rule("timestamp", lambda c: c.frame["period_start"].isna(),
         lambda rows: ["missing or unparsable timestamp (period_start)"] * len(rows)),
    Rule("time-window", _implausible_time,
         lambda rows: [f"implausible timestamp {s.isoformat()}: before 2000-01-01 or more than one day in the "
                       "future (seconds read as milliseconds?)" for s in rows["period_start"]]),
    Rule("value", lambda c: c.value.isna(), lambda rows: ["missing or non-numeric value"] * len(rows)),
    Rule("finite", lambda c: ~np.isfinite(c.value),
         lambda rows: [f"value {_num(v)} is not finite" for v in rows["value"]]),
    Rule("plausible", lambda c: (c.value < c.low) | (c.value > c.high), _range_reason),
    Rule("city-wide", lambda c: c.named_district & c.city_only,
         lambda rows: [f"indicator '{i}' is city-wide but the record names district '{d}'"
                       for i, d in zip(rows["indicator"], rows["district"], strict=True)]),
    Rule("district", lambda c: c.named_district & ~c.district_known,
         lambda rows: [f"unknown district '{d}'" for d in rows["district"]]),
]


def _per_distinct(column: pd.Series) -> Callable[..., pd.Series]:
    """For a column with few distinct values: `by(fact, missing, dtype)` is the Series of `fact(value)` per row,
    `fact` called once per distinct value (`missing` where the value is missing)."""
    codes, uniques = pd.factorize(column)

    def by(fact: Callable[[object], object], missing, dtype) -> pd.Series:
        facts = np.array([fact(u) for u in uniques] + [missing], dtype=dtype)  # code -1 (missing) -> the last
        return pd.Series(facts[codes], index=column.index)
    return by


def _checked(frame: pd.DataFrame, catalog: Catalog) -> Checked:
    by_id = catalog.indicator_map
    districts = set(catalog.district_ids)

    def spec(value):
        return by_id.get(value) if isinstance(value, str) and value != "" else None

    def bound(value, which):
        ind = spec(value)
        return getattr(ind.plausible, which) if ind is not None and ind.plausible else np.nan

    indicator, district = _per_distinct(frame["indicator"]), _per_distinct(frame["district"])
    known = indicator(lambda u: spec(u) is not None, False, bool)
    low = indicator(lambda u: bound(u, "min"), np.nan, "float64")
    high = indicator(lambda u: bound(u, "max"), np.nan, "float64")
    city_only = indicator(lambda u: spec(u) is not None and spec(u).spatial == "city", False, bool)
    value = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    district_known = district(lambda u: u in districts, False, bool)
    named_district = district(lambda u: u != CITYWIDE, True, bool)
    return Checked(frame, known, value, low, high, city_only, district_known, named_district)


def reasons(frame: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Per row: the reason of the first rule it breaks, or None."""
    result = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    if frame.empty:
        return result
    checked = _checked(frame, catalog)
    open_rows = pd.Series(True, index=frame.index)
    for rule in RULES:
        hit = rule.mask(checked).fillna(False).astype(bool) & open_rows
        if hit.any():
            rows = frame[hit].assign(value=checked.value[hit], _low=checked.low[hit], _high=checked.high[hit])
            result[hit] = rule.reason(rows)
            open_rows &= ~hit
    return result


def validate(frame: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, list[Reject]]:
    """Split a parsed frame into valid rows and rejects; conflicting duplicates of one key keep the last."""
    why = reasons(frame, catalog)
    bad = why.notna()
    rejects = [Reject(raw=raw, reason=reason) for raw, reason in zip(frame["raw"][bad], why[bad], strict=True)]
    valid = frame[~bad]
    key = ["indicator", "district", "period_start"]
    if not valid.duplicated(subset=key).any():  # the usual case: one check instead of two
        return valid.reset_index(drop=True), rejects
    valid = valid.drop_duplicates(subset=["indicator", "district", "period_start", "value"], keep="last")
    conflicting = valid.duplicated(subset=key, keep="last")
    for row in valid[conflicting].itertuples(index=False):
        rejects.append(Reject(raw=row.raw, reason=(
            f"duplicate record for {row.indicator}/{row.district or 'city'}/{row.period_start.isoformat()} "
            "with a different value; the last one in the payload was kept")))
    return valid[~conflicting].reset_index(drop=True), rejects
