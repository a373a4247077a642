"""Reads for the outward standards (OGC SensorThings Observations, NGSI-LD, district GeoJSON): observations of
visible indicators selected by id, (indicator, district) stream, phenomenon-time bounds and order, paged by
offset/limit. The viewer's levels filter in SQL, so an indicator the viewer may not see has no rows at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, func, or_, select, text

from cockpit.clock import local_year_bounds
from cockpit.store.observations import _visible
from cockpit.store.schema import indicators, observations, rollups
from cockpit.store.visibility import joined_on

COLUMNS = ["id", "indicator", "district", "period_start", "period_end", "value", "source_id"]
# comparison operators of a phenomenon-time bound (OData names)
_COMPARE = {
    "eq": lambda c, v: c == v, "ne": lambda c, v: c != v, "gt": lambda c, v: c > v, "ge": lambda c, v: c >= v,
    "lt": lambda c, v: c < v, "le": lambda c, v: c <= v,
}
_ORDER = {"id": observations.c.id, "phenomenonTime": observations.c.period_start, "result": observations.c.value}


@dataclass(frozen=True)
class ObservationSelection:
    """Which observations: all conditions hold together (an empty `streams` or `ids` tuple selects nothing,
    None does not restrict)."""

    streams: tuple[tuple[str, str], ...] | None = None  # (indicator, district "" = city-wide)
    # instead of listing streams: city-wide rows of `indicators`, district rows of `district_indicators` in
    # `districts` (one cheap condition for "every stream" instead of an OR per stream)
    every: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None = None
    ids: tuple[int, ...] | None = None
    times: tuple[tuple[str, datetime], ...] = ()  # (operator, moment) on the start of the phenomenon time
    id_bounds: tuple[tuple[str, int], ...] = ()
    after: tuple[str, int] | None = None  # keyset paging: ('gt'|'lt', id) for the rows only, not for the count
    order: tuple[tuple[str, bool], ...] = (("id", False),)  # (property, descending)
    offset: int = 0
    limit: int = 100
    count: bool = False
    extra: dict = field(default_factory=dict)


def _conditions(selection: ObservationSelection, dialect: str = "") -> list:
    conditions = []
    if selection.streams is not None:
        pairs = [and_(observations.c.indicator_id == i, observations.c.district == d) for i, d in selection.streams]
        conditions.append(or_(*pairs) if pairs else observations.c.id.is_(None))
    if selection.every is not None:
        city, by_district, districts = selection.every
        # Ordered by id, "every stream" is answered fastest by walking the primary key and stopping at the limit:
        # most rows match, so the planner must not gather them all through the (indicator, district) key and
        # sort them. SQLite's planner would: `|| ''` keeps it from using that key here (the same values, no index
        # on the expression). PostgreSQL estimates the share of matching rows and walks the key by itself (with
        # the expression it would misjudge that share and sort instead).
        by_key = (dialect != "sqlite" or not selection.order or selection.order[0][0] != "id"
                  or selection.ids is not None)
        indicator, district = ((observations.c.indicator_id, observations.c.district) if by_key else
                               (observations.c.indicator_id.concat(""), observations.c.district.concat("")))
        conditions.append(or_(
            and_(district == "", indicator.in_(city or ("",))),
            and_(indicator.in_(by_district or ("",)), district.in_(districts or ("",))),
        ))
    if selection.ids is not None:
        conditions.append(observations.c.id.in_(selection.ids) if selection.ids else observations.c.id.is_(None))
    for operator, moment in selection.times:
        conditions.append(_COMPARE[operator](observations.c.period_start, moment))
    for operator, number in selection.id_bounds:
        conditions.append(_COMPARE[operator](observations.c.id, number))
    return conditions


def read_observations(conn: Connection, levels: tuple[str, ...],
                      selection: ObservationSelection) -> tuple[list[dict], int | None]:
    """(rows as dicts with COLUMNS, total count if asked for). Rows of invisible indicators never match."""
    joined = observations.join(indicators, _visible(levels))
    conditions = _conditions(selection, conn.dialect.name)
    total = None
    if selection.count:
        total = int(conn.execute(select(func.count()).select_from(joined).where(*conditions)).scalar_one())
    ordering = []
    for name, descending in selection.order:
        column = _ORDER[name]
        ordering.append(column.desc() if descending else column.asc())
    if not any(name == "id" for name, _ in selection.order):
        ordering.append(observations.c.id.asc())  # a stable order for paging
    query = select(
        observations.c.id, observations.c.indicator_id.label("indicator"), observations.c.district,
        observations.c.period_start, observations.c.period_end, observations.c.value, observations.c.source_id,
    ).select_from(joined).where(*conditions).order_by(*ordering)
    if selection.after is not None:
        query = query.where(_COMPARE[selection.after[0]](observations.c.id, selection.after[1]))
    if _walks_ids(conn, selection):
        found = _in_id_windows(conn, query, selection)[selection.offset:]
    else:
        found = conn.execute(query.offset(selection.offset).limit(selection.limit)).all()
    return [dict(zip(COLUMNS, row, strict=True)) for row in found], total


ID_WINDOW_GROWTH = 4  # the id windows of `_in_id_windows` grow fourfold from twice the rows wanted


def _walks_ids(conn: Connection, selection: ObservationSelection) -> bool:
    """Every stream in ascending id order on PostgreSQL (the SensorThings default and its keyset paging)."""
    return (conn.dialect.name == "postgresql" and selection.every is not None and selection.ids is None
            and selection.order == (("id", False),) and selection.offset + selection.limit <= 100_000)


def _in_id_windows(conn: Connection, query, selection: ObservationSelection) -> list:
    """The first offset + limit rows of `query` (ordered by id), read in growing windows of ids.

    Whether walking the primary key and stopping at the limit beats gathering every matching row through the
    (indicator, district) key and sorting it depends on where the matching rows lie in id order, which the
    planner cannot know: with 100 M rows, most of them of one internal indicator, it gathered and sorted the
    half million public rows (0.9 s) for a page of 1,000 that the first thousand ids held. A window of ids makes
    the primary key's range the cheap way (a range scan per partition that stops at the limit); the windows grow
    fourfold, so a store whose matching rows are sparse needs only a few (and wide windows are planned the
    gathering way again)."""
    ids = observations.c.id
    bounds = [_COMPARE[operator](ids, number) for operator, number in selection.id_bounds]
    if selection.after is not None:
        bounds.append(_COMPARE[selection.after[0]](ids, selection.after[1]))
    low, high = conn.execute(select(func.min(ids), func.max(ids)).where(*bounds)).one()
    wanted = selection.offset + selection.limit
    rows: list = []
    step = max(1024, 2 * wanted)
    while low is not None and low <= high and len(rows) < wanted:
        rows += conn.execute(query.where(ids >= low, ids < low + step).limit(wanted - len(rows))).all()
        low += step
        step *= ID_WINDOW_GROWTH
    return rows


def read_stream_spans(conn: Connection, levels: tuple[str, ...],
                      streams: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[datetime, datetime]]:
    """(first, last) phenomenon start of each visible (indicator, district) stream that has data.

    The year rollups (one grouped query) tell which streams have data and the local years of their first and
    last rows; a stream without rollups has no rows and is not looked at (of the thousands of streams of a city
    with hundreds of districts most are empty). The exact first and last start then come from the observations'
    key (indicator, district, period_start): on PostgreSQL one statement for all streams, each end searched only
    in its year's partitions (run-time pruning; an unbounded min/max per stream probed every year partition); on
    SQLite one indexed min/max per stream. A year whose raw rows were archived (dropped, rollups kept) finds
    nothing: that stream gets the unbounded min/max."""
    candidates = _years_with_data(conn, levels, set(streams))
    found = _bounded_spans(conn, candidates) if conn.dialect.name == "postgresql" and candidates else {}
    spans = {}
    for key in candidates:
        first, last = found.get(key, (None, None))
        if first is None or last is None:
            first, last = _unbounded_span(conn, levels, key)
        if first is not None:
            spans[key] = (_aware(first), _aware(last))
    return spans


def _years_with_data(conn: Connection, levels: tuple[str, ...],
                     streams: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(indicator, district): (first, last) local year bucket 'YYYY-01-01'} of the visible streams with data."""
    if not streams:
        return {}
    r = rollups.c
    query = select(r.indicator_id, r.district, func.min(r.bucket), func.max(r.bucket)).select_from(
        rollups.join(indicators, joined_on(r.indicator_id, levels))).where(
        r.grain == "year", r.indicator_id.in_(sorted({i for i, _ in streams})),
        r.district.in_(sorted({d for _, d in streams}))).group_by(r.indicator_id, r.district)
    return {(i, d): (first, last) for i, d, first, last in conn.execute(query).all() if (i, d) in streams}


def _year_bounds(bucket: str) -> tuple[datetime, datetime]:
    """The UTC bounds [start, end) of the local (Europe/Berlin) year of a year bucket 'YYYY-01-01'."""
    return local_year_bounds(int(str(bucket)[:4]))


_BOUNDED_SPANS = text(
    "SELECT s.i, s.d, "
    "(SELECT min(o.period_start) FROM observations o WHERE o.indicator_id = s.i AND o.district = s.d "
    "AND o.period_start >= s.lo1 AND o.period_start < s.hi1), "
    "(SELECT max(o.period_start) FROM observations o WHERE o.indicator_id = s.i AND o.district = s.d "
    "AND o.period_start >= s.lo2 AND o.period_start < s.hi2) "
    "FROM unnest(CAST(:i AS text[]), CAST(:d AS text[]), CAST(:lo1 AS timestamptz[]), CAST(:hi1 AS timestamptz[]), "
    "CAST(:lo2 AS timestamptz[]), CAST(:hi2 AS timestamptz[])) AS s(i, d, lo1, hi1, lo2, hi2)")


def _bounded_spans(conn: Connection, candidates: dict) -> dict:
    """PostgreSQL: the first start in each stream's first year and the last in its last year, one statement."""
    keys = list(candidates)
    firsts = [_year_bounds(candidates[k][0]) for k in keys]
    lasts = [_year_bounds(candidates[k][1]) for k in keys]
    rows = conn.execute(_BOUNDED_SPANS, {
        "i": [k[0] for k in keys], "d": [k[1] for k in keys], "lo1": [b[0] for b in firsts],
        "hi1": [b[1] for b in firsts], "lo2": [b[0] for b in lasts], "hi2": [b[1] for b in lasts]}).all()
    return {(i, d): (first, last) for i, d, first, last in rows}


def _unbounded_span(conn: Connection, levels: tuple[str, ...], key: tuple[str, str]):
    query = select(func.min(observations.c.period_start), func.max(observations.c.period_start)).select_from(
        observations.join(indicators, _visible(levels))).where(
        observations.c.indicator_id == key[0], observations.c.district == key[1])
    return conn.execute(query).one()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
