"""Per-record validation of parsed observations against the catalog; invalid records become rejects."""

from __future__ import annotations

import math

import pandas as pd

from cockpit.catalog import Catalog
from cockpit.sources.base import CITYWIDE, Reject

# Timestamps outside this window are implausible (catches epoch seconds read as milliseconds and vice versa).
EARLIEST_PLAUSIBLE = pd.Timestamp("2000-01-01", tz="UTC")
FUTURE_TOLERANCE = pd.Timedelta(days=1)


def _check(row, catalog: Catalog, districts: set[str]) -> str | None:
    indicator = catalog.indicator_map.get(row.indicator)
    if not row.indicator or indicator is None:
        return f"unknown indicator '{row.indicator}'"
    if pd.isna(row.period_start):
        return "missing or unparsable timestamp (period_start)"
    if not EARLIEST_PLAUSIBLE <= row.period_start <= pd.Timestamp.now(tz="UTC") + FUTURE_TOLERANCE:
        return (f"implausible timestamp {row.period_start.isoformat()}: before 2000-01-01 or more than one day "
                "in the future (seconds read as milliseconds?)")
    if row.value is None or pd.isna(row.value):
        return "missing or non-numeric value"
    if not math.isfinite(row.value):
        return f"value {row.value} is not finite"
    if indicator.plausible and not indicator.plausible.min <= row.value <= indicator.plausible.max:
        return (f"value {row.value} outside the plausible range {indicator.plausible.min}..{indicator.plausible.max} "
                f"of '{indicator.id}'")
    if row.district != CITYWIDE:
        if indicator.spatial == "city":
            return f"indicator '{indicator.id}' is city-wide but the record names district '{row.district}'"
        if row.district not in districts:
            return f"unknown district '{row.district}'"
    return None


def validate(frame: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, list[Reject]]:
    """Split a parsed frame into valid rows and rejects; conflicting duplicates of one key keep the last."""
    districts = catalog.district_ids
    reasons = [_check(row, catalog, districts) for row in frame.itertuples(index=False)]
    bad = pd.Series([r is not None for r in reasons], index=frame.index, dtype=bool)
    rejects = [Reject(raw=raw, reason=reason) for raw, reason in zip(frame["raw"], reasons, strict=True) if reason]
    valid = frame[~bad]
    valid = valid.drop_duplicates(subset=["indicator", "district", "period_start", "value"], keep="last")
    key = ["indicator", "district", "period_start"]
    conflicting = valid.duplicated(subset=key, keep="last")
    for row in valid[conflicting].itertuples(index=False):
        rejects.append(Reject(raw=row.raw, reason=(
            f"duplicate record for {row.indicator}/{row.district or 'city'}/{row.period_start.isoformat()} "
            "with a different value; the last one in the payload was kept")))
    return valid[~conflicting].reset_index(drop=True), rejects
