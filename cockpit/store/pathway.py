"""Climate pathway tables: balance inputs, population, factor overrides, measure effects and costs.

The balance is the city's published territorial balance (public like the CO2 indicator it feeds); measure effects and
costs are children of measures and read only for measures the viewer may see (the caller passes the subquery of
visible measure ids).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from cockpit.measures.model import Measure
from cockpit.store.schema import (
    measure_costs,
    measure_effect_changes,
    measure_effects,
    measures,
    pathway_balance,
    pathway_factor_overrides,
    pathway_population,
)

BALANCE_COLUMNS = ["year", "sector", "carrier", "mwh", "grade"]


def write_balance(conn: Connection, frame: pd.DataFrame, population: dict[int, float], source: str,
                  now: datetime) -> int:
    """Replace the balance of every year in `frame` (and the population of the years given); rows written."""
    years = sorted({int(y) for y in frame["year"]})
    if years:
        conn.execute(delete(pathway_balance).where(pathway_balance.c.year.in_(years)))
        conn.execute(insert(pathway_balance), [
            dict(year=int(r.year), sector=r.sector, carrier=r.carrier, mwh=float(r.mwh), grade=r.grade,
                 source=source, imported_at=now) for r in frame.itertuples(index=False)])
    if population:
        conn.execute(delete(pathway_population).where(pathway_population.c.year.in_(list(population))))
        conn.execute(insert(pathway_population), [dict(year=int(y), inhabitants=float(v), imported_at=now)
                                                   for y, v in sorted(population.items())])
    return len(frame)


def read_balance(conn: Connection) -> tuple[pd.DataFrame, dict[int, float], list[str]]:
    """(balance rows, population per year, the sources named by the imports)."""
    rows = conn.execute(select(pathway_balance).order_by(pathway_balance.c.year, pathway_balance.c.sector,
                                                         pathway_balance.c.carrier)).mappings().all()
    frame = pd.DataFrame([{k: r[k] for k in BALANCE_COLUMNS} for r in rows], columns=BALANCE_COLUMNS)
    population = {int(r.year): float(r.inhabitants) for r in conn.execute(select(pathway_population))}
    sources = sorted({r["source"] for r in rows})
    return frame, population, sources


def set_factor_override(conn: Connection, year: int, carrier: str, t_per_mwh: float, reason: str, author: str,
                        now: datetime) -> None:
    """The city's own factor for (carrier, year) instead of the shipped one; only with a written reason."""
    if not reason or not reason.strip():
        raise ValueError("a factor override needs a reason")
    if not author or not author.strip():
        raise ValueError("a factor override needs an author")
    conn.execute(delete(pathway_factor_overrides).where(pathway_factor_overrides.c.year == year,
                                                        pathway_factor_overrides.c.carrier == carrier))
    conn.execute(insert(pathway_factor_overrides).values(year=year, carrier=carrier, t_per_mwh=float(t_per_mwh),
                                                         reason=reason.strip(), author=author.strip(),
                                                         recorded_at=now))


def delete_factor_override(conn: Connection, year: int, carrier: str) -> int:
    return conn.execute(delete(pathway_factor_overrides).where(pathway_factor_overrides.c.year == year,
                                                               pathway_factor_overrides.c.carrier == carrier)).rowcount


def read_factor_overrides(conn: Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(select(pathway_factor_overrides).order_by(
        pathway_factor_overrides.c.carrier, pathway_factor_overrides.c.year)).mappings()]


def _effect_rows(measure: Measure) -> list[dict]:
    return [dict(sector=e.sector, reduction_t=e.reduction_t, start_year=e.start_year, full_year=e.full_year,
                 end_year=e.end_year) for e in measure.effects]


def write_measure_effects(conn: Connection, measure: Measure, author: str, now: datetime) -> None:
    """Store the measure's effects and cost; unchanged ones keep their author and date."""
    stored = conn.execute(select(measure_effects).where(measure_effects.c.measure_id == measure.id)
                          .order_by(measure_effects.c.position)).mappings().all()
    keys = ("sector", "reduction_t", "start_year", "full_year", "end_year")
    if [{k: r[k] for k in keys} for r in stored] != _effect_rows(measure):
        conn.execute(delete(measure_effects).where(measure_effects.c.measure_id == measure.id))
        rows = [dict(measure_id=measure.id, position=i, author=author, recorded_at=now, **row)
                for i, row in enumerate(_effect_rows(measure))]
        if rows:
            conn.execute(insert(measure_effects), rows)
        _record_change(conn, measure.id, "effects", _effect_rows(measure), author, now)
    cost = conn.execute(select(measure_costs).where(measure_costs.c.measure_id == measure.id)).mappings().first()
    wanted = (measure.cost.one_off_eur, measure.cost.per_year_eur) if measure.cost else None
    current = (cost["one_off_eur"], cost["per_year_eur"]) if cost else None
    if current != wanted:
        conn.execute(delete(measure_costs).where(measure_costs.c.measure_id == measure.id))
        if wanted:
            conn.execute(insert(measure_costs).values(measure_id=measure.id, one_off_eur=wanted[0],
                                                      per_year_eur=wanted[1], author=author, recorded_at=now))
        _record_change(conn, measure.id, "cost", dict(one_off_eur=wanted[0], per_year_eur=wanted[1]) if wanted
                       else None, author, now)


def _record_change(conn: Connection, measure_id: str, kind: str, value, author: str, now: datetime) -> None:
    conn.execute(insert(measure_effect_changes).values(measure_id=measure_id, kind=kind, value=json.dumps(value),
                                                       author=author, recorded_at=now))


def read_effect_changes(conn: Connection, levels: tuple[str, ...], measure_id: str) -> list[dict]:
    """Every change of a visible measure's effects and cost in the order made: kind ('effects' | 'cost'), value (the
    new effects as a list / the new cost as a dict; [] or None: removed), author, recorded_at. None of a measure
    the viewer may not see."""
    query = (select(measure_effect_changes).join(measures, measures.c.id == measure_effect_changes.c.measure_id)
             .where(measures.c.id == measure_id, measures.c.visibility.in_(levels))
             .order_by(measure_effect_changes.c.id))
    return [dict(kind=r["kind"], value=json.loads(r["value"]), author=r["author"], recorded_at=r["recorded_at"])
            for r in conn.execute(query).mappings()]


def read_measure_effects(conn: Connection, visible) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    """({measure id: [effect]}, {measure id: cost}) for the measures in the subquery `visible`."""
    effects: dict[str, list[dict]] = defaultdict(list)
    for r in conn.execute(select(measure_effects).where(measure_effects.c.measure_id.in_(visible)).order_by(
            measure_effects.c.measure_id, measure_effects.c.position)).mappings():
        effects[r["measure_id"]].append(dict(sector=r["sector"], reduction_t=r["reduction_t"],
                                             start_year=r["start_year"], full_year=r["full_year"],
                                             end_year=r["end_year"]))
    costs = {r["measure_id"]: dict(one_off_eur=r["one_off_eur"], per_year_eur=r["per_year_eur"])
             for r in conn.execute(select(measure_costs).where(measure_costs.c.measure_id.in_(visible))).mappings()}
    return effects, costs


def read_effect_records(conn: Connection, levels: tuple[str, ...]) -> dict[str, dict]:
    """Who recorded each visible measure's effects and cost, and when: {id: {effects: (author, at), cost: ...}}."""
    visible = select(measures.c.id).where(measures.c.visibility.in_(levels))
    out: dict[str, dict] = defaultdict(dict)
    for r in conn.execute(select(measure_effects.c.measure_id, measure_effects.c.author, measure_effects.c.recorded_at)
                          .where(measure_effects.c.measure_id.in_(visible), measure_effects.c.position == 0)):
        out[r.measure_id]["effects"] = (r.author, r.recorded_at)
    for r in conn.execute(select(measure_costs.c.measure_id, measure_costs.c.author, measure_costs.c.recorded_at)
                          .where(measure_costs.c.measure_id.in_(visible))):
        out[r.measure_id]["cost"] = (r.author, r.recorded_at)
    return dict(out)
