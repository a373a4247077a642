"""The report's climate-pathway section: the balance by sector (latest year and the trend), plan vs target in the
target year, coverage and gap (the sentence of /klimapfad), the budget, the data quality, a chart (balance, plan,
target path) with its table in the appendix, and each measure's contribution.

The numbers are those of `/klimapfad` and `/api/v1/pathway`: they come from the same view model
(`cockpit.views.pathway.build_pathway`), for the report's audience (only the measures it may see take part, so a
public report neither names an internal measure nor counts its effect). No balance: no section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.i18n import format_number, format_percent, t
from cockpit.kpi.pathway import whole_tonnes
from cockpit.readmodel.snapshot import Snapshot
from cockpit.reports.parts import Chart, Section, Table
from cockpit.views.pathway import PathwayView, build_pathway

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

SECTION_ID = "pathway"
UNIT = "t CO2e"


def pathway_section(cockpit: Cockpit, snap: Snapshot, lang: str) -> Section | None:
    """The climate pathway for the snapshot's viewer, or None while there is no balance (or no visible CO2 goal)."""
    view = build_pathway(cockpit, snap.role, lang)
    if view.empty or view.y0 is None:
        return None
    chart = _chart(view, lang)
    paragraphs = [view.sentence, _balance_text(view, lang), _target_text(view, lang), _budget_text(view, lang),
                  _quality_text(view, lang), *view.carried, view.source_line]
    tables = (_sector_table(view, lang), _measure_table(view, lang), _figures_table(view, lang))
    return Section(SECTION_ID, t("pathway.heading", lang), tuple(p for p in paragraphs if p),
                   tuple(tb for tb in tables if tb.rows), (chart,))


def _t(value: float | None, lang: str) -> str:
    return format_number(whole_tonnes(value), 0, lang)  # whole tonnes of the API's 0.1 t figure


def _balance_text(view: PathwayView, lang: str) -> str:
    """The latest balance year and the change since the first."""
    y0, first = view.y0, min(view.observed)
    total, before = view.observed[y0], view.observed[first]
    if first == y0 or not before:
        return t("reports.pathway.latest", lang, year=y0, total=_t(total, lang))
    change = (total - before) / before
    key = "reports.pathway.trend_down" if change < 0 else "reports.pathway.trend_up"
    return t(key, lang, year=y0, total=_t(total, lang), share=format_percent(abs(change), 0, lang), first=first,
             first_total=_t(before, lang))


def _target_text(view: PathwayView, lang: str) -> str | None:
    year = view.target_year
    if year not in view.plan or year not in view.target:
        return None
    return t("reports.pathway.target", lang, year=year, plan=_t(view.plan[year], lang),
             target=_t(view.target[year], lang), bau=_t(view.bau.get(year), lang))


def _budget_text(view: PathwayView, lang: str) -> str | None:
    if view.budget_tonnes is None:
        return None
    return " ".join((t("reports.pathway.budget", lang, start=view.budget_start, tonnes=_t(view.budget_tonnes, lang),
                       remaining=_t(view.budget_remaining, lang)), view.budget_text))


def _quality_text(view: PathwayView, lang: str) -> str | None:
    if not view.quality:
        return None
    latest = view.quality[-1]
    return t("reports.pathway.quality", lang, year=latest.year, value=latest.value_text, level=latest.level_text)


def _chart(view: PathwayView, lang: str) -> Chart:
    observed = tuple(sorted(view.observed.items()))
    target = tuple(sorted(view.target.items()))
    plan = tuple(sorted(view.plan.items()))
    labels = {"values": t("reports.pathway.observed", lang), "path": t("pathway.chart.target", lang),
              "trend": t("pathway.chart.plan", lang)}
    title = t("reports.pathway.chart", lang)
    alt = " ".join(s for s in (t("reports.pathway.alt", lang), view.sentence, view.budget_text) if s)
    by = [dict(observed), dict(target), dict(plan)]
    years = sorted(set().union(*by))
    rows = tuple((str(y), *(_t(series[y], lang) if y in series else "" for series in by)) for y in years)
    headers = (t("reports.table.year", lang), *(f"{labels[k]} ({UNIT})" for k in ("values", "path", "trend")))
    table = Table("pathway-chart", t("reports.pathway.chart_table", lang), headers, rows)
    return Chart(title, UNIT, 0, observed, target, plan, alt, labels, table)


def _sector_table(view: PathwayView, lang: str) -> Table:
    years = sorted(view.observed)
    quality = {q.year: f"{q.value_text} ({q.level_text})" for q in view.quality}
    headers = (t("reports.table.year", lang), *(label for _, label in view.sectors),
               t("pathway.table.total", lang), t("pathway.quality.value", lang))
    rows = tuple((str(y), *(_t(view.by_sector[s].get(y), lang) for s, _ in view.sectors), _t(view.observed[y], lang),
                  quality.get(y, "–")) for y in years)
    return Table("pathway-sectors", t("reports.pathway.sectors", lang), headers, rows)


def _measure_table(view: PathwayView, lang: str) -> Table:
    year = view.target_year
    headers = (t("pathway.contrib.measure", lang), t("pathway.contrib.effect", lang, year=year),
               t("pathway.contrib.share", lang), t("pathway.ranking.eur_per_t", lang))
    rows = tuple((m.name, m.effect_text, m.share_text, m.eur_per_t_text) for m in view.measures)
    return Table("pathway-measures", t("pathway.contrib.title", lang, year=year), headers, rows)


def _figures_table(view: PathwayView, lang: str) -> Table:
    return Table("pathway-figures", t("pathway.figures.label", lang),
                 (t("pathway.budget.item", lang), t("pathway.budget.value", lang)), tuple(view.figures))
