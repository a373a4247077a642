"""The climate pathway page `/klimapfad`: balance by sector, BAU, plan, target path, budget, coverage and gap, each
measure's contribution and cost-effectiveness, data quality, carried-forward factors and overrides, the "what if".

Plain data in the viewer's language; the numbers come from `cockpit.kpi.pathway.compute` (the same code as
`run.py pathway`). Only measures and goals the viewer may see take part.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pandas as pd

from cockpit import clock
from cockpit.catalog.models import Goal
from cockpit.demo.pathway import DEMO_SOURCE, Reference, load_reference
from cockpit.i18n import format_date, format_number, format_percent, messages, t
from cockpit.kpi import LOCAL_TZ
from cockpit.kpi.pathway import (
    CO2_INDICATORS,
    SECTORS,
    Pathway,
    PathwayError,
    compute,
    cost_effectiveness,
    measure_effects,
    whole_tonnes,
)
from cockpit.kpi.pathway_io import effects_of
from cockpit.roles import Role, Viewer, may_see, visible_levels

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

PATH = "/klimapfad"
QUALITY_LEVELS = ((0.75, "high"), (0.5, "medium"), (0.25, "low"), (0.0, "poor"))
_REFERENCE: list[Reference] = []


def reference() -> Reference:
    if not _REFERENCE:
        _REFERENCE.append(load_reference())
    return _REFERENCE[0]


@dataclass(frozen=True)
class MeasureRow:
    id: str
    name: str
    href: str
    on: bool
    toggle_href: str
    state_text: str  # "an" / "aus" (with the icon the page adds)
    toggle_text: str
    effect_t: float  # in the target year, as if switched on
    effect_text: str
    share_text: str  # of all switched-on effects in the target year
    cost_text: str
    eur_per_t: float | None
    eur_per_t_text: str
    life_text: str


@dataclass(frozen=True)
class QualityRow:
    year: int
    value_text: str
    level: str  # high | medium | low | poor
    level_text: str


@dataclass(frozen=True)
class PathwayView:
    lang: str
    empty: bool
    demo: bool
    sentence: str
    source_line: str
    y0: int | None = None
    target_year: int | None = None
    today_year: int | None = None
    years: list[int] = field(default_factory=list)
    sectors: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    by_sector: dict[str, dict[int, float]] = field(default_factory=dict)
    observed: dict[int, float] = field(default_factory=dict)
    bau: dict[int, float] = field(default_factory=dict)
    plan: dict[int, float] = field(default_factory=dict)
    target: dict[int, float] = field(default_factory=dict)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value) key figures
    measures: list[MeasureRow] = field(default_factory=list)  # sorted by effect in the target year
    ranked: list[MeasureRow] = field(default_factory=list)  # by EUR per tonne
    unranked: list[MeasureRow] = field(default_factory=list)  # without cost or without tonnes
    quality: list[QualityRow] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    budget_tonnes: float | None = None
    budget_remaining: float | None = None
    budget_text: str = ""
    budget_source: str = ""
    budget_start: int | None = None
    goal_name: str = ""
    goal_href: str = ""
    off: tuple[str, ...] = ()
    fingerprint: str = ""
    result: dict = field(default_factory=dict)  # the JSON of `run.py pathway` for this state

    def number(self, value: float | None, decimals: int = 0) -> str:
        return format_number(value, decimals, self.lang)


def page_href(lang: str, off: list[str] | tuple[str, ...], kiosk: bool = False) -> str:
    params = {"lang": lang}
    if off:
        params["off"] = ",".join(sorted(off))
    if kiosk:
        params["kiosk"] = "1"
    return f"{PATH}?{urlencode(params)}"


def parse_off(value: str | list | None) -> tuple[str, ...]:
    """The switched-off measures from `?off=a,b` (unknown ids are ignored later)."""
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        return ()
    return tuple(sorted({part.strip() for part in value.split(",") if part.strip()}))[:100]


def pathway_goal(cockpit: Cockpit, viewer: Viewer | str) -> Goal | None:
    """The CO2 goal the pathway follows, if the viewer may see its indicator."""
    levels = visible_levels(viewer)
    for indicator_id in CO2_INDICATORS:
        for goal in cockpit.catalog.goals_for(indicator_id) if indicator_id in cockpit.catalog.indicator_map else []:
            indicator = cockpit.catalog.indicator(indicator_id)
            if may_see(levels, indicator.visibility, indicator.owner):
                return goal
    return None


def factors_with_overrides(ref: Reference, overrides: list[dict]) -> pd.DataFrame:
    frame = ref.factors[["year", "carrier", "t_per_mwh"]]
    if not overrides:
        return frame
    replaced = {(int(o["year"]), o["carrier"]) for o in overrides}
    keep = frame[[(int(y), c) not in replaced for y, c in zip(frame["year"], frame["carrier"], strict=True)]]
    extra = pd.DataFrame([(int(o["year"]), o["carrier"], float(o["t_per_mwh"])) for o in overrides],
                         columns=["year", "carrier", "t_per_mwh"])
    return pd.concat([keep, extra], ignore_index=True)


def compute_for(cockpit: Cockpit, viewer: Viewer | str, off: tuple[str, ...] = ()):
    """(pathway or None, goal, measures, balance sources, overrides, population) for the viewer."""
    rows, population, sources = cockpit.store.balance_inputs()
    overrides = cockpit.store.factor_overrides()
    measures = cockpit.store.measures(viewer)
    goal = pathway_goal(cockpit, viewer)
    if rows.empty or goal is None:
        return None, goal, measures, sources, overrides, population
    factors = factors_with_overrides(reference(), overrides)
    try:
        pathway = compute(rows, factors, effects_of(measures), goal, reference().budget, population, off)
    except PathwayError:
        return None, goal, measures, sources, overrides, population
    return pathway, goal, measures, sources, overrides, population


def _sentence(p: Pathway, lang: str) -> str:
    r = p.result
    year = p.target_year
    if not p.bau:
        return t("pathway.sentence.no_bau", lang)
    if r.gap is None:
        return t("pathway.sentence.past", lang, year=year)
    gap = format_number(whole_tonnes(abs(r.gap)), 0, lang)
    if r.coverage is None:
        return t("pathway.sentence.no_need", lang, year=year, gap=gap)
    share = format_percent(r.coverage, 0, lang)
    key = "pathway.sentence.short" if r.gap > 0 else "pathway.sentence.enough"
    return t(key, lang, share=share, year=year, gap=gap)


def _quality(value: float | None, year: int, lang: str) -> QualityRow:
    level = next((name for limit, name in QUALITY_LEVELS if value is not None and value >= limit), "poor")
    return QualityRow(year, format_number(value, 2, lang), level, t(f"pathway.quality.{level}", lang))


def _measure_rows(p: Pathway, measures, off: tuple[str, ...], lang: str, kiosk: bool) -> list[MeasureRow]:
    on_all = compute_effects_on(p, measures)
    total_on = sum(v for m, v in on_all.items() if m not in off)
    rows = []
    for m in measures:
        if not m.effects:
            continue
        on = m.id not in off
        effect = on_all.get(m.id, 0.0)
        toggled = [x for x in off if x != m.id] if not on else [*off, m.id]
        ce = cost_effectiveness(effects_of([m]), m.cost.one_off_eur, m.cost.per_year_eur) if m.cost else None
        cost = (t("pathway.cost", lang, once=format_number(m.cost.one_off_eur, 0, lang),
                  year=format_number(m.cost.per_year_eur, 0, lang)) if m.cost else t("pathway.cost.none", lang))
        rows.append(MeasureRow(
            m.id, m.name.get(lang), f"/measure/{m.id}?lang={lang}", on, page_href(lang, toggled, kiosk),
            t("pathway.whatif.on" if on else "pathway.whatif.off", lang),
            t("pathway.whatif.switch_off" if on else "pathway.whatif.switch_on", lang, name=m.name.get(lang)),
            effect, format_number(effect, 0, lang),
            format_percent(effect / total_on, 0, lang) if on and total_on > 0 else "–",
            cost, ce.eur_per_tonne if ce else None,
            format_number(ce.eur_per_tonne, 0, lang) if ce else "–",
            t("pathway.life", lang, first=ce.first_year, last=ce.last_year,
              tonnes=format_number(ce.tonnes, 0, lang)) if ce else "–"))
    return sorted(rows, key=lambda r: (-r.effect_t, r.name))


def compute_effects_on(p: Pathway, measures) -> dict[str, float]:
    """Each measure's effect in the target year as if switched on (cancelled: 0)."""
    values = measure_effects(effects_of(measures), [p.target_year])
    return {m: v[p.target_year] for m, v in values.items()}


_CACHE: dict[tuple, PathwayView] = {}
CACHE_SIZE = 128


def build_pathway(cockpit: Cockpit, viewer: Viewer | str, lang: str, off: tuple[str, ...] = (),
                  kiosk: bool = False) -> PathwayView:
    """The page's view, cached per data version (bumped by every balance, measure or factor change), visibility,
    what-if state, language and day."""
    key = (id(cockpit), str(cockpit.store.engine.url), cockpit.store.data_version(), visible_levels(viewer),
           tuple(off), lang, kiosk,
           clock.today())
    view = _CACHE.get(key)
    if view is None:
        view = _build_pathway(cockpit, viewer, lang, off, kiosk)
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = view
    return view


def _build_pathway(cockpit: Cockpit, viewer: Viewer | str, lang: str, off: tuple[str, ...] = (),
                   kiosk: bool = False) -> PathwayView:
    pathway, goal, measures, sources, overrides, population = compute_for(cockpit, viewer, off)
    ref = reference()
    demo = DEMO_SOURCE in sources
    source_line = t("pathway.source_line", lang, balance="; ".join(sources) or "–",
                    factors=" ".join(ref.source["name"].split()), version=ref.version,
                    licence=ref.source["licence"])
    if pathway is None:
        key = "pathway.empty.goal" if goal is None and sources else "pathway.empty.balance"
        return PathwayView(lang, True, demo, t(key, lang), source_line)
    known = {m.id for m in measures}
    off = tuple(x for x in off if x in known)
    rows = _measure_rows(pathway, measures, off, lang, kiosk)
    b, y0, r = pathway.balance, pathway.y0, pathway.result
    per_inh = b.per_inhabitant.get(y0)
    budget = pathway.budget
    exhausted = pathway.budget_result.exhausted_year
    budget_text = (t("pathway.budget.exhausted", lang, year=exhausted) if exhausted
                   else t("pathway.budget.not_exhausted", lang)) if budget else ""
    figures = [
        (t("pathway.figure.total", lang, year=y0), f"{format_number(whole_tonnes(b.total[y0]), 0, lang)} t"),
        (t("pathway.figure.per_inhabitant", lang, year=y0),
         f"{format_number(per_inh, 2, lang)} t" if per_inh is not None else "–"),
        (t("pathway.figure.target", lang, year=pathway.target_year),
         f"{format_number(whole_tonnes(pathway.target.get(pathway.target_year)), 0, lang)} t"),
        (t("pathway.figure.coverage", lang), format_percent(r.coverage, 0, lang) if r.coverage is not None
         else t("pathway.no_need", lang)),
        (t("pathway.figure.gap" if r.gap is None or r.gap > 0 else "pathway.figure.buffer", lang,
           year=pathway.target_year), f"{format_number(whole_tonnes(abs(r.gap)), 0, lang)} t" if r.gap is not None
         else "–"),
        (t("pathway.figure.budget", lang), f"{format_number(whole_tonnes(pathway.budget_result.remaining), 0, lang)} t"
         if pathway.budget_result.remaining is not None else "–"),
    ]
    carried = [t("pathway.carried", lang, year=y, carriers=", ".join(_carrier(c, lang) for c in b.carried[y]))
               for y in b.factor_carried_forward]
    override_texts = [t("pathway.override", lang, carrier=_carrier(o["carrier"], lang), year=o["year"],
                        value=format_number(o["t_per_mwh"], 3, lang), reason=o["reason"], author=o["author"],
                        date=format_date(o["recorded_at"].date(), lang)) for o in overrides]
    ranked = sorted((m for m in rows if m.eur_per_t is not None), key=lambda m: (m.eur_per_t, m.name))
    result = pathway.to_dict()
    stamp = hashlib.sha256(json.dumps([result, off, lang], sort_keys=True).encode()).hexdigest()[:16]
    return PathwayView(
        lang, False, demo, _sentence(pathway, lang), source_line, y0, pathway.target_year, clock.today().year,
        pathway.years, [(s, t(f"pathway.sector.{s}", lang)) for s in SECTORS if s in b.by_sector], b.by_sector,
        b.total, pathway.bau, pathway.plan, pathway.target, figures, rows, ranked,
        [m for m in rows if m.eur_per_t is None],
        [_quality(b.quality[y], y, lang) for y in b.years], carried, override_texts,
        budget.tonnes if budget else None, pathway.budget_result.remaining, budget_text,
        (budget.source if lang == "de" else ref.budget_source_en) if budget else "", budget.start_year if budget else None,
        goal.name.get(lang) if goal and goal.name else (goal.id if goal else ""),
        f"/goals?lang={lang}#goal-{goal.id}" if goal else "", off, stamp, result)


def _carrier(carrier: str, lang: str) -> str:
    key = f"pathway.carrier.{carrier}"
    return t(key, lang) if key in messages() else carrier


def api_payload(cockpit: Cockpit, off: tuple[str, ...] = ()) -> dict | None:
    """The open-data pathway (public viewer): the JSON of `run.py pathway` plus `meta`; None without a balance."""
    pathway, goal, measures, sources, overrides, _ = compute_for(cockpit, Role.PUBLIC, off)
    if pathway is None:
        return None
    ref = reference()
    known = {m.id for m in measures}
    return {**pathway.to_dict(), "meta": {
        "rules_version": 1, "goal": goal.id if goal else None, "target_year": pathway.target_year,
        "off": [x for x in off if x in known], "balance_sources": sources, "demo": DEMO_SOURCE in sources,
        "factors": {"version": ref.version, "source": " ".join(ref.source["name"].split()),
                    "licence": ref.source["licence"], "approximate": ref.approximate},
        "factor_overrides": [{"year": o["year"], "carrier": o["carrier"], "t_per_mwh": o["t_per_mwh"],
                              "reason": o["reason"]} for o in overrides],
        "budget": {"start_year": ref.budget.start_year, "tonnes": ref.budget.tonnes, "source": ref.budget.source},
        "unit": "t CO2e"}}


def api_csv(payload: dict) -> str:
    """One line per year: observed total, each sector, BAU, plan, target, sum of effects (empty = no value)."""
    sectors = list(payload["by_sector"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "observed_t", *[f"{s}_t" for s in sectors], "bau_t", "plan_t", "target_t",
                     "effects_t", "quality"])
    for year in payload["years"]:
        key = str(year)
        effects = [e[key] for e in payload["effects"].values() if key in e]
        writer.writerow([year, payload["observed"].get(key, ""), *[payload["by_sector"][s].get(key, "")
                                                                   for s in sectors],
                         payload["bau"].get(key, ""), payload["plan"].get(key, ""), payload["target"].get(key, ""),
                         round(sum(effects), 1) if effects else "", payload["quality"].get(key, "")])
    return out.getvalue()


@dataclass(frozen=True)
class MeasureEffectView:
    """A measure's climate effect for its own page: facts (label, value) and the link to the pathway."""

    facts: list[tuple[str, str]]
    href: str


def build_measure_effect(cockpit: Cockpit, viewer: Viewer | str, measure_id: str, lang: str) -> MeasureEffectView | None:
    """The measure's effect in the target year, its share of all effects then, EUR per tonne and who recorded the
    effect and when; None for a measure without effects (or not visible)."""
    pathway, _, measures, _, _, _ = compute_for(cockpit, viewer)
    measure = next((m for m in measures if m.id == measure_id), None)
    if measure is None or not measure.effects:
        return None
    facts = []
    for e in measure.effects:
        facts.append((t("pathway.measure.effect", lang, sector=t(f"pathway.sector.{e.sector}", lang)),
                      t("pathway.measure.effect_value", lang, tonnes=format_number(e.reduction_t, 0, lang),
                        start=e.start_year, full=e.full_year,
                        end=e.end_year if e.end_year else t("pathway.measure.open", lang))))
    if pathway is not None:
        year = pathway.target_year
        effect = pathway.effects.get(measure_id, {}).get(year, 0.0)
        total = pathway.effect_totals.get(year, 0.0)
        facts.append((t("pathway.measure.in_year", lang, year=year), f"{format_number(effect, 0, lang)} t"))
        facts.append((t("pathway.measure.share", lang, year=year),
                      format_percent(effect / total, 0, lang) if total > 0 else "–"))
    if measure.cost:
        ce = cost_effectiveness(effects_of([measure]), measure.cost.one_off_eur, measure.cost.per_year_eur)
        facts.append((t("pathway.ranking.cost", lang), t("pathway.cost", lang,
                      once=format_number(measure.cost.one_off_eur, 0, lang),
                      year=format_number(measure.cost.per_year_eur, 0, lang))))
        facts.append((t("pathway.ranking.eur_per_t", lang), format_number(ce.eur_per_tonne, 0, lang) if ce else "–"))
    recorded = cockpit.store.effect_records(viewer).get(measure_id, {}).get("effects")
    if recorded:  # staff see who recorded it; the public the owning office (as in the measure's history)
        staff = (viewer.role if isinstance(viewer, Viewer) else viewer) in (Role.INTERNAL, Role.ADMIN)
        office = next((d.name.get(lang) for d in cockpit.catalog.departments if d.id == measure.department),
                      measure.department)
        facts.append((t("pathway.measure.recorded", lang),
                      f"{recorded[0] if staff else office}, {format_date(recorded[1].astimezone(LOCAL_TZ).date(), lang)}"))
    return MeasureEffectView(facts, page_href(lang, ()))
