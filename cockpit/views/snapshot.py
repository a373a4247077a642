"""One role's view of the data on one day: goal evaluation plus the reads the screens need, cached.

Many wall screens refresh the same pages; they share one snapshot per (role, data version, day), so the
store is read and the goals are evaluated once until new data arrives or the day changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import pandas as pd

from cockpit import clock
from cockpit.kpi import LOCAL_TZ, Evaluation, evaluate_catalog
from cockpit.roles import Role, Viewer, role_of, visible_levels

if TYPE_CHECKING:
    from cockpit.catalog import Catalog, Indicator
    from cockpit.runtime import Cockpit
    from cockpit.store import Store

SPARK_MONTHS = 36  # months shown in the sparkline of sub-annual indicators
SPARK_YEARS = 12  # years shown in the sparkline of annual indicators
_CACHE_PER_STORE = 8


def normalize_role(role: Viewer | Role | str | None) -> Viewer | Role:
    """INTERNAL and ADMIN keep their role; a staff Viewer keeps its department (what it may see), not its login
    name (so colleagues share snapshots); anything else (None, unknown strings) is the public view."""
    who = role_of(role)
    if who not in (Role.INTERNAL, Role.ADMIN):
        return Role.PUBLIC
    department = role.department if isinstance(role, Viewer) and who == Role.INTERNAL else None
    return Viewer(Role(who), None, department) if department else Role(who)


def now_local() -> datetime:
    """Now in Europe/Berlin (on the day COCKPIT_DEMO_TODAY names, when set: see cockpit.clock)."""
    return clock.now()


def is_annual(indicator: Indicator) -> bool:
    return indicator.rhythm.years >= 1


def is_subdaily(indicator: Indicator) -> bool:
    rhythm = indicator.rhythm
    return not (rhythm.years or rhythm.months or rhythm.days)


@dataclass(frozen=True)
class Snapshot:
    """What one role may see on day `at`, read and evaluated once, from the store's aggregates only."""

    role: Role
    at: date
    version: int
    evaluation: Evaluation
    latest: pd.DataFrame  # store.latest(role, 2): rank 1 = latest city-wide observation per indicator
    monthly: pd.DataFrame  # indicator, month (Europe/Berlin), value, n (the sparkline window)
    latest_start: dict[str, datetime]  # latest city-wide period start per indicator
    synthetic: frozenset[str]  # indicators with at least one observation from a synthetic source
    annual: pd.DataFrame  # store.aggregates(role, "year"): city-wide, every year
    daily: pd.DataFrame  # store.aggregates(role, "day") of sub-monthly indicators, the last RECENT_DAYS days


RECENT_DAYS = 62  # days of daily aggregates kept for sub-monthly indicators (headline windows, changes)


def spark_since(at: date, annual: bool) -> datetime:
    """First instant of the sparkline window ending on day `at` (Europe/Berlin)."""
    if annual:
        return datetime(at.year - SPARK_YEARS + 1, 1, 1, tzinfo=LOCAL_TZ)
    month_index = at.year * 12 + at.month - 1 - (SPARK_MONTHS - 1)
    return datetime(month_index // 12, month_index % 12 + 1, 1, tzinfo=LOCAL_TZ)


def annual_frame(annual: pd.DataFrame) -> pd.DataFrame:
    """Year aggregates as observation rows for the goal engine: one row per indicator and local year whose
    value is already the year's aggregate (so sum, mean and last of the single row give it back)."""
    if annual.empty:
        return pd.DataFrame({"indicator": pd.Series(dtype="str"), "district": pd.Series(dtype="str"),
                             "period_start": pd.Series(dtype="datetime64[us, UTC]"),
                             "value": pd.Series(dtype="float64")})
    return pd.DataFrame({"indicator": annual["indicator"].astype("str"), "district": annual["district"],
                         "period_start": pd.to_datetime(annual["bucket"]).dt.tz_convert("UTC"),
                         "value": annual["value"].astype("float64")})


def read_snapshot(catalog: Catalog, store: Store, synthetic_sources: set[str], role: Role | str,
                  at: date, version: int = 0) -> Snapshot:
    """Read and evaluate without cache (the cached entry point is `snapshot`). Reads aggregates only."""
    role = normalize_role(role)
    annual = store.aggregates(role, "year", district="")
    evaluation = evaluate_catalog(catalog, annual_frame(annual), at)
    visible = catalog.visible_indicators(role)
    monthly_parts = []
    for yearly in (True, False):
        ids = [i.id for i in visible if is_annual(i) == yearly]
        if ids:
            part = store.aggregates(role, "month", ids, district="", since=spark_since(at, yearly))
            monthly_parts.append(part.rename(columns={"bucket": "month"})[["indicator", "month", "value", "n"]])
    monthly = pd.concat(monthly_parts, ignore_index=True) if monthly_parts else pd.DataFrame(
        columns=["indicator", "month", "value", "n"])
    sub_monthly = [i.id for i in visible if not (i.rhythm.years or i.rhythm.months)]
    since = datetime.combine(at - timedelta(days=RECENT_DAYS), datetime.min.time(), LOCAL_TZ)
    daily = store.aggregates(role, "day", sub_monthly, district="", since=since) if sub_monthly else \
        pd.DataFrame(columns=annual.columns)
    latest_start = {}
    if not annual.empty:
        for indicator_id, start in annual.groupby("indicator")["last_start"].max().items():
            latest_start[str(indicator_id)] = pd.Timestamp(start).to_pydatetime()
    pairs = store.indicator_sources(role)
    synthetic = frozenset(str(i) for i in pairs.loc[pairs["source_id"].isin(sorted(synthetic_sources)),
                                                     "indicator"].unique())
    return Snapshot(role, at, version, evaluation, store.latest(role, count=2), monthly, latest_start, synthetic,
                    annual, daily)


class _StoreCache:
    """Snapshots of one store: the newest per (catalog, role, day), newest used last. `lock` guards the dicts
    only and is never held while the store is read; `computing` marks the keys being recomputed right now."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, Snapshot] = OrderedDict()
        self.computing: dict[tuple, threading.Event] = {}


_caches: WeakKeyDictionary = WeakKeyDictionary()
_caches_lock = threading.Lock()
_WAIT_SECONDS = 60.0  # a viewer without any previous snapshot waits this long for a recomputation by another


def _cache_for(store: Store) -> _StoreCache:
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = _StoreCache()
        return cache


def _key(cockpit: Cockpit, role: Viewer | Role, at: date) -> tuple:
    """Snapshots are shared by every viewer who may see the same indicators (role, department)."""
    return (id(cockpit.catalog), visible_levels(role), at)


def snapshot(cockpit: Cockpit, role: Role | str, at: date | None = None) -> Snapshot:
    """The cached snapshot of `role` on day `at` (default today in Europe/Berlin) for the current data.

    Stale-while-revalidate: when new data has arrived, the first viewer recomputes the snapshot (from the
    rollups) while every other viewer keeps getting the previous one; only a viewer with no previous snapshot
    of that role and day waits, and only for that one recomputation - there is no lock across keys."""
    role = normalize_role(role)
    at = at or now_local().date()
    store = cockpit.store
    version = store.data_version()
    key = _key(cockpit, role, at)
    cache = _cache_for(store)
    while True:
        with cache.lock:
            hit = cache.entries.get(key)
            if hit is not None and hit.version == version:
                cache.entries.move_to_end(key)
                return hit
            pending = cache.computing.get(key)
            if pending is None:
                pending = cache.computing[key] = threading.Event()
                break  # this viewer recomputes
        if hit is not None:
            return hit  # stale while another viewer recomputes
        if not pending.wait(_WAIT_SECONDS):
            break  # the other recomputation hangs: compute without it
        with cache.lock:
            done = cache.entries.get(key)
        if done is not None:
            return done
    try:
        snap = read_snapshot(cockpit.catalog, store, cockpit.synthetic_sources, role, at, version)
        with cache.lock:
            current = cache.entries.get(key)
            if current is None or current.version <= snap.version:
                cache.entries[key] = snap
                cache.entries.move_to_end(key)
            while len(cache.entries) > _CACHE_PER_STORE:
                cache.entries.popitem(last=False)
        return snap
    finally:
        with cache.lock:
            if cache.computing.get(key) is pending:
                del cache.computing[key]
        pending.set()


def cached_version(cockpit: Cockpit, role: Role | str, at: date | None = None) -> int | None:
    """The data version of the cached snapshot of `role` on day `at` (None: none cached); lets a response cache
    store a page under a data version only when the snapshot it was built from is of that version."""
    key = _key(cockpit, normalize_role(role), at or now_local().date())
    cache = _cache_for(cockpit.store)
    with cache.lock:
        hit = cache.entries.get(key)
    return None if hit is None else hit.version


def clear_cache() -> None:
    """Forget every cached snapshot (tests)."""
    with _caches_lock:
        _caches.clear()
