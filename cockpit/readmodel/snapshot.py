"""One role's view of the data on one day: goal evaluation plus the reads the screens need, cached.

Many wall screens refresh the same pages; they share one snapshot per (role, data version, day), so the
store is read and the goals are evaluated once until new data arrives or the day changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar
from weakref import WeakKeyDictionary

import pandas as pd

from cockpit import clock
from cockpit.kpi import LOCAL_TZ, Evaluation, GoalEvaluation, evaluate_catalog, evaluate_goal, goal_tree
from cockpit.roles import Role, Viewer, role_of, visible_levels
from cockpit.store.observations import LATEST_COLUMNS
from cockpit.store.rollups import AGGREGATE_COLUMNS

if TYPE_CHECKING:
    from cockpit.catalog import Catalog, Indicator
    from cockpit.store import Store


class Cockpit(Protocol):
    """What a snapshot needs of a running cockpit (`cockpit.runtime.Cockpit` has it; the runtime wires the
    jobs, which read snapshots, so the read model names only these parts and not the runtime)."""

    catalog: Catalog
    store: Store

    @property
    def synthetic_sources(self) -> set[str]: ...


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


T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class IndicatorPart:
    """One indicator's city-wide data in a snapshot, read together. Successive snapshots of one role and day
    share the part while the indicator does not change (see `read_snapshot`); `memo` keeps what views derive
    from it (e.g. a tile), so that is not derived again either."""

    annual: pd.DataFrame  # as Snapshot.annual, this indicator's rows
    monthly: pd.DataFrame  # as Snapshot.monthly, this indicator's rows
    daily: pd.DataFrame  # as Snapshot.daily, this indicator's rows (empty unless sub-monthly)
    latest: pd.DataFrame  # as Snapshot.latest, this indicator's rows
    synthetic: bool
    memo: dict = field(default_factory=dict, repr=False)

    def kept(self, key: tuple, evaluation: GoalEvaluation | None, derive: Callable[[], T]) -> tuple[T, bool]:
        """What `derive()` gives, derived once per `key` and goal evaluation of this part; (value, kept)."""
        found = self.memo.get(key)
        if found is not None and found[0] is evaluation:
            return found[1], True
        value = derive()
        self.memo[key] = (evaluation, value)
        return value, False


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
    parts: Mapping[str, IndicatorPart] = field(default_factory=dict, repr=False)  # per visible indicator

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


MONTHLY_COLUMNS = ["indicator", "month", "value", "n"]


def read_snapshot(catalog: Catalog, store: Store, synthetic_sources: set[str], role: Role | str,
                  at: date, version: int = 0, previous: Snapshot | None = None) -> Snapshot:
    """Read and evaluate without cache (the cached entry point is `snapshot`). Reads aggregates only.

    With `previous` (a snapshot of the same role and day, at data version `previous.version`), only the
    indicators whose data changed since that version are read and evaluated again; the others, and the goal
    evaluations of their goals, are taken over from `previous` (the write path records per indicator the data
    version of its latest change: `Store.indicator_versions`)."""
    role = normalize_role(role)
    visible = catalog.visible_indicators(role)
    visible_ids = [i.id for i in visible]
    reuse: dict[str, IndicatorPart] = {}
    parts: dict[str, IndicatorPart] = {}
    with store.reading() as reader:  # one connection for all the reads below
        if previous is not None and previous.at == at and previous.parts and \
                visible_levels(previous.role) == visible_levels(role):
            changed_at = reader.indicator_versions(role)
            reuse = {i: previous.parts[i] for i in visible_ids
                     if i in previous.parts and changed_at.get(i, 0) <= previous.version}
        fresh = [i for i in visible if i.id not in reuse]
        if fresh:
            parts.update(_read_parts(reader, synthetic_sources, role, at, fresh))
    parts.update(reuse)
    parts = {i: parts[i] for i in sorted(parts)}  # the store's order (by indicator id)
    annual = _concat([p.annual for p in parts.values()], AGGREGATE_COLUMNS)
    indicator_map = catalog.indicator_map
    monthly = _concat([parts[i].monthly for i in sorted(parts, key=lambda i: not is_annual(indicator_map[i]))],
                      MONTHLY_COLUMNS)  # annual indicators first, as read
    daily = _concat([p.daily for p in parts.values()], AGGREGATE_COLUMNS)
    latest = _concat([p.latest for p in parts.values()], LATEST_COLUMNS)
    if previous is not None and reuse:  # goals of indicators the role may not see stay without data
        kept = {e.goal.id: e for e in previous.evaluation.goals
                if e.indicator.id in reuse or e.indicator.id not in parts}
        evaluation = _evaluate(catalog, parts, at, kept)
    else:
        evaluation = evaluate_catalog(catalog, annual_frame(annual), at)
    latest_start = {}
    if not annual.empty:
        for indicator_id, start in annual.groupby("indicator")["last_start"].max().items():
            latest_start[str(indicator_id)] = pd.Timestamp(start).to_pydatetime()
    synthetic = frozenset(i for i, p in parts.items() if p.synthetic)
    return Snapshot(role, at, version, evaluation, latest, monthly, latest_start, synthetic, annual, daily, parts)


def _read_parts(store: Store, synthetic_sources: set[str], role: Role | Viewer, at: date,
                indicators: list[Indicator]) -> dict[str, IndicatorPart]:
    """Read the city-wide data of `indicators` (a few queries for all of them) and split it per indicator."""
    ids = [i.id for i in indicators]
    annual = store.aggregates(role, "year", ids, district="")
    monthly_parts = []
    for yearly in (True, False):
        group = [i.id for i in indicators if is_annual(i) == yearly]
        if group:
            part = store.aggregates(role, "month", group, district="", since=spark_since(at, yearly))
            monthly_parts.append(part.rename(columns={"bucket": "month"})[MONTHLY_COLUMNS])
    monthly = _concat(monthly_parts, MONTHLY_COLUMNS)
    sub_monthly = [i.id for i in indicators if not (i.rhythm.years or i.rhythm.months)]
    since = datetime.combine(at - timedelta(days=RECENT_DAYS), datetime.min.time(), LOCAL_TZ)
    daily = store.aggregates(role, "day", sub_monthly, district="", since=since) if sub_monthly else \
        pd.DataFrame(columns=AGGREGATE_COLUMNS)
    latest = store.latest(role, count=2, indicator_ids=ids)
    pairs = store.indicator_sources(role)
    synthetic = set(pairs.loc[pairs["source_id"].isin(sorted(synthetic_sources)), "indicator"].astype(str))
    by = {name: _split(frame) for name, frame in
          (("annual", annual), ("monthly", monthly), ("daily", daily), ("latest", latest))}
    empty = {"annual": annual.iloc[:0], "monthly": monthly.iloc[:0], "daily": daily.iloc[:0],
             "latest": latest.iloc[:0]}
    return {i: IndicatorPart(*(by[name].get(i, empty[name]) for name in ("annual", "monthly", "daily", "latest")),
                             synthetic=i in synthetic) for i in ids}


def _split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame.empty:
        return {}
    return {str(k): g.reset_index(drop=True) for k, g in frame.groupby("indicator", sort=False)}


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The frames one under the other (empty ones left out, so the column types stay), or an empty frame with
    `columns`."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return frames[0].reset_index(drop=True) if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _evaluate(catalog: Catalog, parts: Mapping[str, IndicatorPart], at: date,
              kept: dict[str, GoalEvaluation]) -> Evaluation:
    """As `evaluate_catalog` on the parts' annual rows, taking over the evaluations in `kept` (by goal id)."""
    indicators = catalog.indicator_map
    empty = annual_frame(pd.DataFrame(columns=AGGREGATE_COLUMNS))
    goals = []
    for goal in catalog.goals:
        found = kept.get(goal.id)
        if found is None:
            part = parts.get(goal.indicator)
            frame = annual_frame(part.annual) if part is not None else empty
            found = evaluate_goal(goal, indicators[goal.indicator], frame, at)
        goals.append(found)
    return Evaluation(at, goals, goal_tree(catalog, {e.goal.id: e.status for e in goals}))


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


_GIVEN_VERSION: ContextVar[tuple[Store, int] | None] = ContextVar("cockpit_given_data_version", default=None)


def use_data_version(store: Store, version: int | None) -> None:
    """Take `version` as `store`'s current data version in this context (a request) until called again with
    None: a request that has just read it (the page cache, to find a kept page) spares the snapshot a second
    read of the same number."""
    _GIVEN_VERSION.set(None if version is None else (store, version))


def _data_version(store: Store) -> int:
    given = _GIVEN_VERSION.get()
    return given[1] if given is not None and given[0] is store else store.data_version()


def snapshot_at(cockpit: Cockpit, role: Role | str, now: datetime | None = None) -> tuple[Snapshot, datetime]:
    """The snapshot of `role` on the day of `now` (default: the current time), with `now` in Europe/Berlin."""
    now = (now or now_local()).astimezone(LOCAL_TZ)
    return snapshot(cockpit, role, now.date()), now


def snapshot(cockpit: Cockpit, role: Role | str, at: date | None = None) -> Snapshot:
    """The cached snapshot of `role` on day `at` (default today in Europe/Berlin) for the current data.

    Stale-while-revalidate: when new data has arrived, the first viewer recomputes the snapshot (from the
    rollups) while every other viewer keeps getting the previous one; only a viewer with no previous snapshot
    of that role and day waits, and only for that one recomputation - there is no lock across keys."""
    role = normalize_role(role)
    at = at or now_local().date()
    store = cockpit.store
    version = _data_version(store)
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
        snap = read_snapshot(cockpit.catalog, store, cockpit.synthetic_sources, role, at, version, previous=hit)
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
