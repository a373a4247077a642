"""The content of a council report as plain data: title page, summary, one section per field of action, the
data sources, an appendix of tables. Pure: built from the evaluated read model and the measures a role may see;
the renderers (`pdf`, `xlsx`) only lay it out.

Reproducible: the content depends only on the data (the store's data version), the goal rules, the period, the
audience, the language and the previous report's state, never on the time of generation; its `Provenance` names
them, with `inputs_sha256` a hash of exactly these inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from cockpit import clock
from cockpit.i18n import format_date, format_number, normalize_lang, t
from cockpit.kpi import LOCAL_TZ
from cockpit.readmodel.snapshot import Snapshot, snapshot
from cockpit.reports.parts import Chart, Section, Table
from cockpit.reports.pathway import pathway_section
from cockpit.reports.period import Period
from cockpit.roles import Role, Viewer
from cockpit.views.formatting import StatusCount, status_counts, status_word
from cockpit.views.goals import GoalView, goals_from_snapshot
from cockpit.views.measures import MeasureCard, build_measures

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

AUDIENCES = ("public", "internal")
# The goal rules the statuses come from ("goal rules v2" in cockpit.kpi: position from the shortfall against the
# target path, one level worse when the forecast is off course, staleness). Raise it when those rules change.
GOAL_RULES_VERSION = "2"
CONTENT_VERSION = "1"  # the layout of this content model


@dataclass(frozen=True)
class MeasureEntry:
    id: str
    name: str
    status: str
    status_text: str
    office: str  # the department's name (never a person)
    period_text: str
    check_text: str  # sustainability check
    last_report_text: str  # 'Letzter Fortschrittsbericht: 30.09.2026' / 'noch kein Fortschrittsbericht'
    due_text: str | None
    overdue: bool
    demo: bool


@dataclass(frozen=True)
class GoalEntry:
    id: str
    name: str
    indicator_id: str
    indicator_name: str
    status: str
    status_text: str
    reason_text: str
    assessed_text: str  # 'Ist 2025: 5,40 t je Einw.' / 'noch kein vollständiges Jahr'
    expected_text: str | None  # 'Soll 2025: …'
    target_text: str
    position_text: str  # 'Lage ohne Prognose: Auf Kurs'
    forecast_text: str
    stale_text: str | None
    chart: Chart
    measures: tuple[MeasureEntry, ...]
    demo: bool


@dataclass(frozen=True)
class FieldSection:
    id: str
    name: str
    dimension_text: str
    goals: tuple[GoalEntry, ...]
    counts: tuple[StatusCount, ...]


@dataclass(frozen=True)
class SourceEntry:
    name: str
    url: str | None
    licence: str
    attribution: str
    indicators: tuple[str, ...]  # names
    synthetic: bool
    quality_text: str  # 'Stand der Daten: 2025; 1 von 2 Kennzahlen überfällig'


@dataclass(frozen=True)
class ReportState:
    """What the next report compares with: each goal's status and the overdue measures."""

    period: str
    goal_status: dict[str, str]
    overdue_measures: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReportState:
        data = json.loads(text)
        return cls(data["period"], dict(data["goal_status"]), tuple(data["overdue_measures"]))


@dataclass(frozen=True)
class Provenance:
    """What a report was made from: the store's data version, the goal rules' version, the hash of all inputs
    (printed on the title page and in the colophon, archived with the report)."""

    data_version: int
    rules_version: str
    inputs_sha256: str


@dataclass(frozen=True, kw_only=True)  # seven texts and counts: named, never by position
class Summary:
    goal_total_text: str
    counts: tuple[StatusCount, ...]
    measure_total_text: str
    measure_overdue_text: str
    changes_title: str  # 'Seit dem letzten Bericht (2026-H1)' / 'Seit dem letzten Bericht'
    changes: tuple[str, ...]  # one sentence per change
    changes_empty_text: str | None  # 'Keine Änderungen.' / 'Dies ist der erste Bericht …'


@dataclass(frozen=True)
class ReportContent:
    audience: str
    lang: str
    period: Period
    title: str
    subtitle: str  # period text
    city: str
    at: date  # the day the goals are evaluated on (period end, or today within the period)
    facts: tuple[tuple[str, str], ...]  # title page: (label, value)
    demo: bool
    demo_text: str | None
    summary: Summary
    fields: tuple[FieldSection, ...]
    extra_sections: tuple[Section, ...]
    sources: tuple[SourceEntry, ...]
    provenance: Provenance
    state: ReportState

    @property
    def goals(self) -> tuple[GoalEntry, ...]:
        return tuple(g for f in self.fields for g in f.goals)

    @property
    def measures(self) -> tuple[MeasureEntry, ...]:
        seen: dict[str, MeasureEntry] = {}
        for goal in self.goals:
            for m in goal.measures:
                seen.setdefault(m.id, m)
        return tuple(seen.values())

    @property
    def tables(self) -> tuple[Table, ...]:
        """The appendix: a table for every chart, then the tables of extra sections (their charts' first)."""
        return (tuple(g.chart.table for g in self.goals)
                + tuple(tb for s in self.extra_sections for tb in (*(c.table for c in s.charts), *s.tables)))

    @property
    def charts(self) -> tuple[Chart, ...]:
        """Every chart: the goals', then the extra sections'."""
        return tuple(g.chart for g in self.goals) + tuple(c for s in self.extra_sections for c in s.charts)

    def fingerprint(self) -> str:
        """SHA-256 of the whole content (equal content, equal fingerprint)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


# A section hook: (cockpit, snapshot, lang) -> Section, or None when it has nothing to show (the section is
# skipped). The climate pathway (`cockpit.reports.pathway`) is one.
SectionHook = Callable[["Cockpit", Snapshot, str], "Section | None"]


SECTION_HOOKS: tuple[SectionHook, ...] = (pathway_section,)


def viewer_of(audience: str) -> Role:
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    return Role.PUBLIC if audience == "public" else Role.INTERNAL


def evaluation_day(period: Period, today: date | None = None) -> date:
    """The goals are judged on the period's last day, or today while the period is still running."""
    return min(period.end, today or clock.today())


def build_report(cockpit: Cockpit, period: Period, audience: str = "public", lang: str | None = None,
                 previous: ReportState | None = None, today: date | None = None,
                 hooks: tuple[SectionHook, ...] = SECTION_HOOKS) -> ReportContent:
    """The content of the report on `period` for `audience` in `lang`, compared with `previous` (the state of
    the last archived report of the same audience; None: this is the first)."""
    lang = normalize_lang(lang)
    role = viewer_of(audience)
    at = evaluation_day(period, today)
    now = datetime.combine(at, time(23, 59), LOCAL_TZ)
    snap = snapshot(cockpit, role, at)
    goals_view = goals_from_snapshot(cockpit, snap, lang, now)
    cards = {c.id: c for c in build_measures(cockpit, Viewer(role), lang, now=now).cards}
    last_reports = cockpit.store.last_reports(Viewer(role))
    evaluations = {e.goal.id: e for e in snap.evaluation.goals}
    indicators = cockpit.catalog.indicator_map

    def measure_entry(card: MeasureCard) -> MeasureEntry:
        last = last_reports.get(card.id)
        last_text = (t("reports.measure.last_report", lang, date=format_date(last, lang)) if last
                     else t("reports.measure.no_report", lang))
        return MeasureEntry(card.id, card.name, card.status, card.status_text, card.department_name,
                            card.period_text, card.check_text, last_text, card.due_text, card.overdue, card.demo)

    fields = []
    for vision in goals_view.visions:
        for f in vision.fields:
            if not f.goals:
                continue
            entries = tuple(_goal_entry(g, evaluations[g.id], snap, indicators[g.indicator_id], lang,
                                        tuple(measure_entry(cards[c.id]) for c in (g.measures.cards if g.measures
                                                                                  else ()) if c.id in cards))
                            for g in f.goals)
            fields.append(FieldSection(f.id, f.name, f.dimension_text, entries, f.counts))
    fields = tuple(fields)
    goals = [g for f in fields for g in f.goals]
    extra = tuple(s for s in (hook(cockpit, snap, lang) for hook in hooks) if s is not None)
    sources = _sources(cockpit, snap, goals, lang)
    overdue = tuple(sorted(c.id for c in cards.values() if c.overdue))
    state = ReportState(period.code, {g.id: g.status for g in goals}, overdue)
    summary = _summary(goals, cards, state, previous, lang)
    demo = any(g.demo for g in goals) or any(c.demo for c in cards.values())
    provenance = Provenance(snap.version, GOAL_RULES_VERSION,
                            _inputs_sha256(snap, {g.indicator_id for g in goals}, cards, last_reports, period,
                                           audience, lang, previous, [s.id for s in extra]))
    city = goals_view.city
    facts = (
        (t("reports.fact.city", lang), city),
        (t("reports.fact.period", lang), f"{period.text(lang)} ({period.range_text(lang)})"),
        (t("reports.fact.as_of", lang), format_date(at, lang)),
        (t("reports.fact.audience", lang), t(f"reports.audience.{audience}", lang)),
        (t("reports.fact.data_version", lang), str(provenance.data_version)),
        (t("reports.fact.rules_version", lang), provenance.rules_version),
        (t("reports.fact.inputs", lang), provenance.inputs_sha256),
    )
    return ReportContent(
        audience=audience, lang=lang, period=period,
        title=t("reports.title", lang, city=city), subtitle=period.text(lang), city=city, at=at, facts=facts,
        demo=demo, demo_text=t("reports.demo", lang) if demo else None, summary=summary, fields=fields,
        extra_sections=extra, sources=sources, provenance=provenance, state=state)


def _goal_entry(g: GoalView, evaluation, snap: Snapshot, indicator, lang: str,
                measures: tuple[MeasureEntry, ...]) -> GoalEntry:
    reason = g.reason_text or g.status_text
    assessed = f"{g.actual_label}: {g.value_text}" if g.year is not None else t("reports.goal.no_year", lang)
    position = evaluation.position or evaluation.status
    position_text = t("reports.goal.position", lang, status=status_word(position, lang))
    forecast = g.forecast_text or t("reports.goal.no_forecast", lang)
    return GoalEntry(
        id=g.id, name=g.name, indicator_id=g.indicator_id, indicator_name=g.indicator_name, status=g.status,
        status_text=g.status_text, reason_text=reason, assessed_text=assessed,
        expected_text=f"{g.expected_label}: {g.expected_text}" if g.year is not None else None,
        target_text=g.target_text, position_text=position_text, forecast_text=forecast, stale_text=g.stale_text,
        chart=_chart(g, evaluation, snap, indicator, lang, reason, forecast), measures=measures, demo=g.demo)


def _chart(g: GoalView, evaluation, snap: Snapshot, indicator, lang: str, reason: str, forecast: str) -> Chart:
    # the complete years the goal is judged on (the running year is incomplete and left out, as in the rules)
    values = [(int(year), float(value)) for year, value in evaluation.annual.items()]
    values.sort()
    path = tuple((p.year, float(p.value)) for p in g.path)
    trend: tuple[tuple[int, float], ...] = ()
    if evaluation.forecast is not None and evaluation.year is not None and evaluation.value is not None:
        trend = ((evaluation.year, float(evaluation.value)),
                 (evaluation.goal.target.year, float(evaluation.forecast.value)))
    title = t("reports.chart.title", lang, name=g.name)
    alt = " ".join(_sentence(s) for s in (t("reports.chart.alt", lang, name=g.indicator_name, unit=g.unit),
                                           f"{g.status_text}: {reason}", g.target_text, forecast) if s)
    years = sorted({y for y, _ in values} | {y for y, _ in path} | {y for y, _ in trend})
    by_value, by_path, by_trend = dict(values), dict(path), dict(trend)

    def cell(table: dict[int, float], year: int) -> str:
        return format_number(table[year], indicator.decimals, lang) if year in table else ""

    labels = {"values": t("reports.chart.values", lang), "path": t("reports.chart.path", lang),
              "trend": t("reports.chart.trend", lang)}
    headers = (t("reports.table.year", lang), f"{labels['values']} ({g.unit})", f"{labels['path']} ({g.unit})",
               f"{labels['trend']} ({g.unit})")
    rows = tuple((str(y), cell(by_value, y), cell(by_path, y), cell(by_trend, y)) for y in years)
    table = Table(f"goal-{g.id}", t("reports.table.goal", lang, name=g.name), headers, rows)
    return Chart(title, g.unit, indicator.decimals, tuple(values), path, trend, alt, labels, table)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _sources(cockpit: Cockpit, snap: Snapshot, goals: list[GoalEntry], lang: str) -> tuple[SourceEntry, ...]:
    """The sources of the indicators the goals are judged on, with licence and data quality (latest data,
    overdue values)."""
    indicators = cockpit.catalog.indicator_map
    by_source: dict[str, list] = {}
    stale: dict[str, bool] = {}
    for g in goals:
        indicator = indicators[g.indicator_id]
        by_source.setdefault(indicator.source.name, []).append(indicator)
        stale[indicator.id] = stale.get(indicator.id, False) or g.stale_text is not None
    entries = []
    for name in sorted(by_source, key=str.casefold):
        members = list({i.id: i for i in by_source[name]}.values())
        source = members[0].source
        latest = [snap.latest_start[i.id] for i in members if i.id in snap.latest_start]
        overdue = sum(1 for i in members if stale.get(i.id))
        latest_text = format_date(max(latest), lang) if latest else t("reports.source.no_data", lang)
        quality = t("reports.source.quality", lang, latest=latest_text, overdue=overdue, total=len(members))
        entries.append(SourceEntry(name, source.url, source.licence, source.attribution,
                                   tuple(i.name.get(lang) for i in members),
                                   any(i.id in snap.synthetic for i in members), quality))
    return tuple(entries)


def _summary(goals: list[GoalEntry], cards: dict[str, MeasureCard], state: ReportState,
             previous: ReportState | None, lang: str) -> Summary:
    names = {g.id: g.name for g in goals}
    changes: list[str] = []
    if previous is None:
        title = t("reports.summary.changes", lang)
        empty = t("reports.summary.first", lang)
    else:
        title = t("reports.summary.changes_since", lang, period=previous.period)
        for goal_id, status in state.goal_status.items():
            before = previous.goal_status.get(goal_id)
            if before is not None and before != status:
                changes.append(t("reports.change.status", lang, name=names[goal_id],
                                 before=status_word(before, lang), after=status_word(status, lang)))
        for measure_id in state.overdue_measures:
            if measure_id not in previous.overdue_measures:
                card = cards[measure_id]
                changes.append(t("reports.change.overdue", lang, name=card.name, office=card.department_name))
        empty = None if changes else t("reports.summary.no_changes", lang)
    overdue = len(state.overdue_measures)
    return Summary(
        goal_total_text=t("reports.summary.goals", lang, count=len(goals)),
        counts=status_counts((g.status for g in goals), lang),
        measure_total_text=t("reports.summary.measures", lang, count=len(cards)),
        measure_overdue_text=t("reports.summary.overdue", lang, count=overdue),
        changes_title=title, changes=tuple(changes), changes_empty_text=empty)


def _inputs_sha256(snap: Snapshot, indicators: set[str], cards: dict[str, MeasureCard], last_reports: dict[str, datetime],
                   period: Period, audience: str, lang: str, previous: ReportState | None,
                   sections: list[str]) -> str:
    """SHA-256 of what the report is made of: the annual values the goals are judged on (of their indicators only:
    a sub-daily series' running year moves every quarter hour and is not in the report), the measures with their
    last reports, the period, audience, language, evaluation day, rule version and the previous state."""
    digest = hashlib.sha256()
    head = {"content": CONTENT_VERSION, "rules": GOAL_RULES_VERSION, "period": period.code, "audience": audience,
            "lang": lang, "at": snap.at.isoformat(), "data_version": snap.version,
            "previous": previous.to_json() if previous else None, "sections": sections}
    digest.update(json.dumps(head, sort_keys=True).encode("utf-8"))
    annual = snap.annual[snap.annual["indicator"].isin(indicators)] if not snap.annual.empty else snap.annual
    annual = annual.sort_values(["indicator", "bucket"]) if not annual.empty else annual
    digest.update(annual.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    for card_id in sorted(cards):
        last = last_reports.get(card_id)
        digest.update(f"{cards[card_id]!r}|{last.isoformat() if last else ''}\n".encode())
    return digest.hexdigest()
