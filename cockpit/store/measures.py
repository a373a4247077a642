"""Measures, their links, milestones, sustainability check and progress reports; alert states and alert log.

Every read of measures takes the visibility levels of the viewer and filters in SQL (children of measures the
viewer may not see are never selected)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from cockpit.config import LOCAL_TZ
from cockpit.measures.model import Measure, Report
from cockpit.store import pathway as store_pathway
from cockpit.store.schema import (
    alert_log,
    alert_states,
    measure_checks,
    measure_links,
    measure_milestones,
    measure_reports,
    measures,
)


def _row(m: Measure, now: datetime) -> dict:
    return dict(id=m.id, name_de=m.name.de, name_en=m.name.en, description_de=m.description.de,
                description_en=m.description.en, field=m.field, department=m.department, contact=m.contact,
                status=m.status, start_date=m.start, end_date=m.end, budget_eur=m.budget_eur,
                visibility=m.visibility, reporting=str(m.reporting), demo=m.demo, updated_at=now)


def upsert_measures(conn: Connection, items: list[Measure], now: datetime, author: str = "import") -> tuple[int, int]:
    """Insert new measures, replace the definition of known ones (their reports stay); (inserted, updated).
    Effects and costs keep their author and date while unchanged."""
    known = set(conn.execute(select(measures.c.id).where(measures.c.id.in_([m.id for m in items]))).scalars())
    inserted = updated = 0
    for m in items:
        if m.id in known:
            conn.execute(update(measures).where(measures.c.id == m.id).values(**_row(m, now)))
            for child in (measure_links, measure_milestones, measure_checks):
                conn.execute(delete(child).where(child.c.measure_id == m.id))
            updated += 1
        else:
            conn.execute(insert(measures).values(**_row(m, now), created_at=now))
            inserted += 1
        links = [dict(measure_id=m.id, position=i, kind=link.kind, target_id=link.target, direction=link.direction,
                      effect_value=link.effect.value if link.effect else None,
                      effect_from_year=link.effect.from_year if link.effect else None)
                 for i, link in enumerate(m.links)]
        milestones = [dict(measure_id=m.id, position=i, milestone_id=s.id, name_de=s.name.de, name_en=s.name.en,
                           due=s.due, reached=s.reached) for i, s in enumerate(m.milestones)]
        checks = [dict(measure_id=m.id, dimension=d, assessment=c.assessment, justification_de=c.justification.de,
                       justification_en=c.justification.en) for d, c in m.check.items()]
        for table, rows in ((measure_links, links), (measure_milestones, milestones), (measure_checks, checks)):
            if rows:
                conn.execute(insert(table), rows)
        store_pathway.write_measure_effects(conn, m, author, now)
    return inserted, updated


def _visible_ids(levels: tuple[str, ...]):
    return select(measures.c.id).where(measures.c.visibility.in_(levels))


def read_measures(conn: Connection, levels: tuple[str, ...], ids: list[str] | None = None) -> list[Measure]:
    query = select(measures).where(measures.c.visibility.in_(levels)).order_by(measures.c.id)
    visible = _visible_ids(levels)
    if ids is not None:
        query = query.where(measures.c.id.in_(ids))
        visible = visible.where(measures.c.id.in_(ids))
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    links, milestones, checks = defaultdict(list), defaultdict(list), defaultdict(dict)
    for r in conn.execute(select(measure_links).where(measure_links.c.measure_id.in_(visible)).order_by(
            measure_links.c.measure_id, measure_links.c.position)).mappings():
        effect = (dict(value=r["effect_value"], from_year=r["effect_from_year"])
                  if r["effect_value"] is not None else None)
        links[r["measure_id"]].append({r["kind"]: r["target_id"], "direction": r["direction"], "effect": effect})
    for r in conn.execute(select(measure_milestones).where(measure_milestones.c.measure_id.in_(visible)).order_by(
            measure_milestones.c.measure_id, measure_milestones.c.position)).mappings():
        milestones[r["measure_id"]].append(dict(id=r["milestone_id"], name=dict(de=r["name_de"], en=r["name_en"]),
                                                due=r["due"], reached=r["reached"]))
    effects, costs = store_pathway.read_measure_effects(conn, visible)
    for r in conn.execute(select(measure_checks).where(measure_checks.c.measure_id.in_(visible))).mappings():
        checks[r["measure_id"]][r["dimension"]] = dict(
            assessment=r["assessment"], justification=dict(de=r["justification_de"], en=r["justification_en"]))
    return [Measure(id=r["id"], name=dict(de=r["name_de"], en=r["name_en"]),
                    description=dict(de=r["description_de"], en=r["description_en"]), field=r["field"],
                    department=r["department"], contact=r["contact"], status=r["status"], start=r["start_date"],
                    end=r["end_date"], budget_eur=r["budget_eur"], visibility=r["visibility"],
                    reporting=r["reporting"], demo=r["demo"], created_at=r["created_at"], links=links[r["id"]],
                    milestones=milestones[r["id"]], check=checks[r["id"]], effects=effects.get(r["id"], []),
                    cost=costs.get(r["id"])) for r in rows]


def add_report(conn: Connection, report: Report) -> int:
    """Keep the report and apply it: the measure takes the reported status; a milestone named as reached gets
    the report's local date (if it was not reached before)."""
    result = conn.execute(insert(measure_reports).values(
        measure_id=report.measure_id, reported_at=report.reported_at, author=report.author, status=report.status,
        percent=report.percent, milestone_id=report.milestone, text=report.text))
    conn.execute(update(measures).where(measures.c.id == report.measure_id).values(
        status=report.status, updated_at=report.reported_at))
    if report.milestone:
        day: date = report.reported_at.astimezone(LOCAL_TZ).date()
        conn.execute(update(measure_milestones).where(
            measure_milestones.c.measure_id == report.measure_id,
            measure_milestones.c.milestone_id == report.milestone,
            measure_milestones.c.reached.is_(None)).values(reached=day))
    return int(result.inserted_primary_key[0])


def read_reports(conn: Connection, levels: tuple[str, ...], measure_id: str | None = None) -> list[Report]:
    """Progress reports of measures the viewer may see, newest first."""
    query = select(measure_reports).where(measure_reports.c.measure_id.in_(_visible_ids(levels))).order_by(
        measure_reports.c.reported_at.desc(), measure_reports.c.id.desc())
    if measure_id is not None:
        query = query.where(measure_reports.c.measure_id == measure_id)
    return [Report(id=r["id"], measure_id=r["measure_id"], reported_at=r["reported_at"], author=r["author"],
                   status=r["status"], percent=r["percent"], milestone=r["milestone_id"], text=r["text"])
            for r in conn.execute(query).mappings()]


def read_last_reports(conn: Connection, levels: tuple[str, ...]) -> dict[str, datetime]:
    """The time of the latest report per measure the viewer may see."""
    query = select(measure_reports.c.measure_id, func.max(measure_reports.c.reported_at)).where(
        measure_reports.c.measure_id.in_(_visible_ids(levels))).group_by(measure_reports.c.measure_id)
    return {mid: at for mid, at in conn.execute(query).all()}


# ------------------------------------------------------------------------------------------------ alerts


@dataclass(frozen=True)
class AlertState:
    key: str
    rule_id: str
    subject: str
    firing: bool
    value: str | None
    baseline: str | None
    changed_at: datetime


def read_alert_states(conn: Connection) -> dict[str, AlertState]:
    return {r["key"]: AlertState(**r) for r in conn.execute(select(alert_states)).mappings()}


def save_alert_state(conn: Connection, state: AlertState) -> None:
    values = dict(rule_id=state.rule_id, subject=state.subject, firing=state.firing, value=state.value,
                  baseline=state.baseline, changed_at=state.changed_at)
    done = conn.execute(update(alert_states).where(alert_states.c.key == state.key).values(**values))
    if not done.rowcount:
        conn.execute(insert(alert_states).values(key=state.key, **values))


def add_alert_log(conn: Connection, rule_id: str, subject: str, event: str, message: str,
                  channels: dict[str, str], now: datetime) -> None:
    conn.execute(insert(alert_log).values(rule_id=rule_id, subject=subject, event=event, message=message,
                                          channels=json.dumps(channels, ensure_ascii=False), created_at=now))


def read_alert_log(conn: Connection, limit: int = 100) -> list[dict]:
    rows = conn.execute(select(alert_log).order_by(alert_log.c.id.desc()).limit(limit)).mappings().all()
    return [{**r, "channels": json.loads(r["channels"])} for r in rows]
