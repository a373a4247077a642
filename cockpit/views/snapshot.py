"""One role's view of the data on one day: goal evaluation plus the reads the screens need, cached.

Many wall screens refresh the same pages; they share one snapshot per (role, data version, day), so the
store is read and the goals are evaluated once until new data arrives or the day changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import pandas as pd

from cockpit.kpi import LOCAL_TZ, Evaluation, evaluate_catalog, latest_period_start
from cockpit.roles import Role

if TYPE_CHECKING:
    from cockpit.catalog import Catalog, Indicator
    from cockpit.runtime import Cockpit
    from cockpit.store import Store

SPARK_MONTHS = 36  # months shown in the sparkline of sub-annual indicators
SPARK_YEARS = 12  # years shown in the sparkline of annual indicators
_CACHE_PER_STORE = 8


def normalize_role(role: Role | str | None) -> Role:
    """Only INTERNAL is internal; anything else (None, unknown strings) is the public view."""
    return Role.INTERNAL if role == Role.INTERNAL else Role.PUBLIC


def now_local() -> datetime:
    return datetime.now(LOCAL_TZ)


def is_annual(indicator: Indicator) -> bool:
    return indicator.rhythm.years >= 1


def is_subdaily(indicator: Indicator) -> bool:
    rhythm = indicator.rhythm
    return not (rhythm.years or rhythm.months or rhythm.days)


@dataclass(frozen=True)
class Snapshot:
    """What one role may see on day `at`, read and evaluated once."""

    role: Role
    at: date
    version: int
    evaluation: Evaluation
    latest: pd.DataFrame  # store.latest(role, 2): rank 1 = latest city-wide observation per indicator
    monthly: pd.DataFrame  # store.monthly: indicator, month (Europe/Berlin), value, n
    latest_start: dict[str, datetime]  # latest city-wide period start per indicator
    synthetic: frozenset[str]  # indicators with at least one observation from a synthetic source


def spark_since(at: date, annual: bool) -> datetime:
    """First instant of the sparkline window ending on day `at` (Europe/Berlin)."""
    if annual:
        return datetime(at.year - SPARK_YEARS + 1, 1, 1, tzinfo=LOCAL_TZ)
    month_index = at.year * 12 + at.month - 1 - (SPARK_MONTHS - 1)
    return datetime(month_index // 12, month_index % 12 + 1, 1, tzinfo=LOCAL_TZ)


def read_snapshot(catalog: Catalog, store: Store, synthetic_sources: set[str], role: Role | str,
                  at: date, version: int = 0) -> Snapshot:
    """Read and evaluate without cache (the cached entry point is `snapshot`)."""
    role = normalize_role(role)
    frame = store.observations(role, district="")
    evaluation = evaluate_catalog(catalog, frame, at)
    visible = catalog.visible_indicators(role)
    monthly_parts = []
    for annual in (True, False):
        ids = [i.id for i in visible if is_annual(i) == annual]
        if ids:
            monthly_parts.append(store.monthly(role, ids, since=spark_since(at, annual)))
    monthly = pd.concat(monthly_parts, ignore_index=True) if monthly_parts else pd.DataFrame(
        columns=["indicator", "month", "value", "n"])
    latest_start = {}
    for indicator_id in frame["indicator"].unique():
        start = latest_period_start(frame, str(indicator_id))
        if start is not None:
            latest_start[str(indicator_id)] = start
    synthetic = frozenset(
        str(i) for i in frame.loc[frame["source_id"].isin(sorted(synthetic_sources)), "indicator"].unique())
    return Snapshot(role, at, version, evaluation, store.latest(role, count=2), monthly, latest_start, synthetic)


class _StoreCache:
    """Snapshots of one store, newest last, with one lock so concurrent screens compute an entry once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, Snapshot] = OrderedDict()


_caches: WeakKeyDictionary = WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache_for(store: Store) -> _StoreCache:
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = _StoreCache()
        return cache


def snapshot(cockpit: Cockpit, role: Role | str, at: date | None = None) -> Snapshot:
    """The cached snapshot of `role` on day `at` (default today in Europe/Berlin) for the current data."""
    role = normalize_role(role)
    at = at or now_local().date()
    store = cockpit.store
    version = store.data_version()
    key = (id(cockpit.catalog), role.value, version, at)
    cache = _cache_for(store)
    with cache.lock:
        hit = cache.entries.get(key)
        if hit is not None:
            cache.entries.move_to_end(key)
            return hit
        snap = read_snapshot(cockpit.catalog, store, cockpit.synthetic_sources, role, at, version)
        cache.entries[key] = snap
        while len(cache.entries) > _CACHE_PER_STORE:
            cache.entries.popitem(last=False)
        return snap


def clear_cache() -> None:
    """Forget every cached snapshot (tests)."""
    with _caches_lock:
        _caches.clear()
