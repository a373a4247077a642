"""The council wall: slides for a fixed-viewport screen, built from the overview and goal view models.

A wall is configured by its URL only (no server-side state): `slides=energy,mobility,waste,goals,indicator:<id>`,
`every` (seconds per slide), `theme`, `lang`, `shift` (burn-in care), `refresh` (seconds between checks for new
data). A wall token may name the slides instead (see cockpit.store.wall_tokens).

Slides are built by the functions in `SLIDE_BUILDERS` (kind -> builder); a new slide kind is one more entry there
plus a renderer for its `SlideView.kind` in the page. A slide holding more items than fit at the readable size is
split into several slides (`TILES_PER_SLIDE`, `GOALS_PER_SLIDE`), never shrunk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cockpit.i18n import LANGUAGES, format_date, format_number, normalize_lang, t
from cockpit.kpi import target_path
from cockpit.readmodel.snapshot import normalize_role, snapshot_at
from cockpit.roles import Role
from cockpit.views.formatting import NBSP, StatusCount
from cockpit.views.goals import GoalsView, GoalView, goals_from_snapshot
from cockpit.views.measures import build_wall_measures
from cockpit.views.overview import DOMAINS, OverviewView, SparkPoint, TileView, overview_from_snapshot
from cockpit.views.pathway import build_pathway

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

# --- readability: the arcminute rule (see tests/unit/test_views_wall.py for the arithmetic)
TILES_PER_SLIDE = 4  # 2 x 2 (or 3 x 1): room for the whole verdict (status word, reason) with text >= 16 arcmin
GOALS_PER_SLIDE = 3  # goals at risk / off track on one goal-summary slide (one per row: the reason in full)
THEMES = ("light", "dark", "contrast")
DEFAULT_SLIDES = ("energy", "mobility", "waste", "goals")
EVERY_DEFAULT, EVERY_MIN, EVERY_MAX = 30, 1, 3600  # seconds per slide (1 s is for tests)
REFRESH_DEFAULT, REFRESH_MIN, REFRESH_MAX = 60, 1, 3600  # seconds between checks for new data
MAX_SLIDE_SPECS = 30
ATTENTION = ("off_track", "at_risk")  # goal statuses listed on the goal summary, worst first


# ------------------------------------------------------------------------------------------------ options


@dataclass(frozen=True)
class WallOptions:
    """What the URL asks for (every value checked and bounded)."""

    slides: tuple[str, ...] = DEFAULT_SLIDES
    every: int = EVERY_DEFAULT
    refresh: int = REFRESH_DEFAULT
    theme: str = "light"
    lang: str = "de"
    shift: bool = False


def _bounded(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def parse_slides(value: str | None) -> tuple[str, ...]:
    """'energy, goals,indicator:co2' -> ('energy', 'goals', 'indicator:co2'); unknown kinds are dropped."""
    specs = []
    for part in (value or "").split(","):
        spec = part.strip()
        if spec and spec.split(":", 1)[0] in SLIDE_BUILDERS and len(specs) < MAX_SLIDE_SPECS:
            specs.append(spec)
    return tuple(specs)


def wall_options(query: Mapping[str, Any], default_lang: str = "de", token_slides: tuple[str, ...] = ()
                 ) -> WallOptions:
    """The options of a wall from its URL query; the slides named by a wall token win over the URL's."""

    def first(key: str) -> str | None:
        value = query.get(key)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        return None if value is None else str(value)

    slides = tuple(token_slides) or parse_slides(first("slides")) or DEFAULT_SLIDES
    theme = first("theme")
    lang = first("lang")
    shift = (first("shift") or "").lower() in ("1", "true", "yes", "on")
    return WallOptions(
        slides=slides,
        every=_bounded(first("every"), EVERY_DEFAULT, EVERY_MIN, EVERY_MAX),
        refresh=_bounded(first("refresh"), REFRESH_DEFAULT, REFRESH_MIN, REFRESH_MAX),
        theme=theme if theme in THEMES else "light",
        lang=lang if lang in LANGUAGES else normalize_lang(default_lang),
        shift=shift,
    )


def wall_stamp(role: Role | str, data_version: int, day: date, options: WallOptions) -> str:
    """Changes whenever the wall must be rebuilt: new data, another day, another role (a revoked token)."""
    key = f"{normalize_role(role).value}|{data_version}|{day.isoformat()}|{options.lang}|{','.join(options.slides)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------------------------ view models


@dataclass(frozen=True)
class WallTile:
    """One indicator on the wall: name, assessed value with its year, status, reason, data date."""

    indicator_id: str
    name: str
    number_text: str  # '4,90' (or '–')
    unit_text: str  # 't je Einw.' ('' if none or no value)
    value_label: str | None  # 'Ist 2025' (the value the goal is judged on); None: the latest value
    status: str
    status_text: str
    reason_text: str | None
    target_text: str | None  # 'Ziel 2030: 4,90 t je Einw.'
    as_of_text: str  # 'Stand: Oktober 2026'
    stale: bool
    stale_text: str | None
    demo: bool
    trend: WallChart | None = None  # the tile's sparkline (monthly or yearly aggregates)


@dataclass(frozen=True)
class WallGoal:
    goal_id: str
    name: str
    status: str
    status_text: str
    value_text: str | None  # 'Ist 2025: 5,6 t je Einw.'
    target_text: str
    reason_text: str | None


@dataclass(frozen=True)
class WallChart:
    """A compact line of monthly (or yearly) aggregates, with a table alternative."""

    points: tuple[SparkPoint, ...]
    summary: str  # one-sentence text alternative
    caption: str
    period_header: str
    value_header: str
    first_label: str
    last_label: str
    low_text: str
    high_text: str
    # a goal's chart (indicator slide): annual values against the target path on a zero-based axis
    path: tuple[SparkPoint, ...] = ()  # the target path per year, from the first value's year to the target year
    axis_top: float | None = None  # the value axis runs from 0 to axis_top (None: the values' own range)
    ticks: tuple[str, ...] = ()  # value-axis labels from the top to 0, with the unit
    years: tuple[int, ...] = ()  # the year of each point (the x axis runs from years[0] to the path's last year)


@dataclass(frozen=True)
class SlideView:
    key: str  # unique on the wall: 'energy', 'energy-2', 'goals', 'indicator-co2-per-inhabitant'
    kind: str  # how it is drawn: tiles | goals | indicator (| further kinds, see SLIDE_BUILDERS)
    title: str
    part_text: str | None = None  # 'Teil 1 von 2' when a slide was split
    tiles: tuple[WallTile, ...] = ()
    counts: tuple[StatusCount, ...] = ()
    goals: tuple[WallGoal, ...] = ()
    chart: WallChart | None = None
    note: str | None = None  # e.g. 'Alle Ziele auf Kurs'
    payload: Any = None  # free for slide kinds added later


@dataclass(frozen=True)
class WallView:
    lang: str
    role: Role
    options: WallOptions
    city: str
    title: str  # 'Kennzahlen-Wand Gera'
    slides: tuple[SlideView, ...]
    stand_text: str  # 'Daten Stand: 20.11.2026'
    refreshed_label: str  # 'aktualisiert'
    refreshed_text: str  # '14:03'
    demo: bool
    stamp: str
    data_version: int
    built_at: datetime = field(compare=False)


@dataclass(frozen=True)
class WallContext:
    """What slide builders get: the overview and goals of the wall's role, in its language."""

    cockpit: Cockpit
    lang: str
    overview: OverviewView
    goals: GoalsView
    snap: Any = None  # the role's snapshot (goal evaluations with their annual values)

    def goal_for(self, tile: TileView) -> GoalView | None:
        if tile.goal_id is None:
            return None
        return next((g for g in self.goals.goals if g.id == tile.goal_id), None)


SlideBuilder = Callable[[WallContext, str], list[SlideView]]


# ------------------------------------------------------------------------------------------------ builders


def split_number(quantity: str) -> tuple[str, str]:
    """'4,90 t je Einw.' -> ('4,90', 't je Einw.'); '62.3%' stays whole."""
    number, _, unit = quantity.partition(NBSP)
    return number, unit


def wall_tile(tile: TileView, goal: GoalView | None, lang: str) -> WallTile:
    if goal is not None and goal.value_text and goal.actual_label:
        number, unit = split_number(goal.value_text)
        label = goal.actual_label
    else:
        number, unit = split_number(tile.quantity_text)
        label = None  # the latest value: its period is the 'Stand' line
    reason = tile.reason_text or (goal.reason_text if goal is not None else None)
    return WallTile(tile.indicator_id, tile.name, number, unit, label, tile.status, tile.status_text, reason,
                    tile.target_text, tile.as_of_text, tile.stale, tile.stale_text, tile.demo,
                    trend=chart_of(tile, lang))


def _parts(items: list, size: int) -> list[list]:
    """`items` in as few slides of at most `size` as possible, balanced (5 tiles: 3 + 2, not 4 + 1)."""
    if not items:
        return [[]]
    count = -(-len(items) // size)
    base, extra = divmod(len(items), count)
    parts, start = [], 0
    for index in range(count):
        end = start + base + (1 if index < extra else 0)
        parts.append(items[start:end])
        start = end
    return parts


def _part_text(index: int, count: int, lang: str) -> str | None:
    return t("wall.part", lang, part=index + 1, parts=count) if count > 1 else None


def _key(base: str, index: int) -> str:
    return base if index == 0 else f"{base}-{index + 1}"


def domain_slides(ctx: WallContext, domain: str) -> list[SlideView]:
    """The tiles of one domain, split into slides of at most TILES_PER_SLIDE."""
    group = next((g for g in ctx.overview.groups if g.domain == domain), None)
    if group is None:
        return []
    tiles = [wall_tile(tile, ctx.goal_for(tile), ctx.lang) for tile in group.tiles]
    parts = _parts(tiles, TILES_PER_SLIDE)
    return [SlideView(_key(domain, i), "tiles", group.title, _part_text(i, len(parts), ctx.lang), tiles=tuple(part))
            for i, part in enumerate(parts)]


def goals_slides(ctx: WallContext, _arg: str = "") -> list[SlideView]:
    """Counts per status and the goals at risk or off track (worst first), split if there are many."""
    goals = ctx.goals.goals
    attention = sorted((g for g in goals if g.status in ATTENTION), key=lambda g: ATTENTION.index(g.status))
    items = [WallGoal(g.id, g.name, g.status, g.status_text,
                      f"{g.actual_label}: {g.value_text}" if g.actual_label and g.value_text else None,
                      g.target_text, g.reason_text) for g in attention]
    parts = _parts(items, GOALS_PER_SLIDE)
    note = None if items else t("wall.goals.none_at_risk", ctx.lang)
    title = t("wall.goals.title", ctx.lang)
    return [SlideView(_key("goals", i), "goals", title, _part_text(i, len(parts), ctx.lang),
                      counts=ctx.goals.counts, goals=tuple(part), note=note) for i, part in enumerate(parts)]


def chart_of(tile: TileView, lang: str) -> WallChart | None:
    """The tile's monthly (yearly) aggregates as a chart with its labels; None with fewer than two values."""
    spark = tile.spark
    points = spark.points
    if len(points) < 2:
        return None
    values = [p.value for p in points]
    low = min(range(len(values)), key=values.__getitem__)
    high = max(range(len(values)), key=values.__getitem__)
    return WallChart(points, spark.summary, spark.caption, t("ui.spark.period", lang), spark.value_header,
                     points[0].label, points[-1].label, points[low].text, points[high].text)


WALL_YEARS_BACK = 10  # a goal's chart on the wall: about ten years of values up to the target year


def _nice_top(value: float) -> float:
    """The next 'round' number at or above `value` (1, 2, 2.5, 5 times a power of ten) for the axis top."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if step * power >= value)


def goal_chart(ctx: WallContext, tile: TileView) -> WallChart | None:
    """An annual goal's chart: the complete years the goal is judged on (about ten) against the target path up to
    the target year, on a zero-based value axis labelled with the unit; None without a goal or with fewer than
    two years (the tile's own chart is used then)."""
    goal = ctx.goal_for(tile)
    evaluation = None
    if goal is not None and ctx.snap is not None:
        evaluation = next((e for e in ctx.snap.evaluation.goals if e.goal.id == goal.id), None)
    if evaluation is None or len(evaluation.annual) < 2:
        return None
    lang, indicator = ctx.lang, evaluation.indicator
    annual = evaluation.annual.sort_index()
    target_year = evaluation.goal.target.year
    first = max(int(annual.index.min()), min(int(annual.index.max()), target_year) - WALL_YEARS_BACK)
    annual = annual[annual.index >= first]
    if len(annual) < 2:
        return None

    def text(value: float) -> str:
        return format_number(value, indicator.decimals, lang)

    points = tuple(SparkPoint(str(int(year)), float(value), text(float(value))) for year, value in annual.items())
    path = tuple(SparkPoint(str(year), target_path(evaluation.goal, year), text(target_path(evaluation.goal, year)))
                 for year in range(first, max(target_year, int(annual.index.max())) + 1))
    values = [p.value for p in points] + [p.value for p in path]
    if min(values) < 0:  # a zero-based axis needs values above zero; else the values' own range
        return None
    top = _nice_top(max(values) * 1.05)
    unit = indicator.unit.get(lang)
    ticks = tuple(f"{format_number(v, _tick_decimals(top), lang)}{NBSP}{unit}".strip()
                  for v in (top, top / 2, 0.0))
    summary = t("charts.wall.summary", lang, first=points[0].label, last=points[-1].label,
                first_value=f"{points[0].text}{NBSP}{unit}", last_value=f"{points[-1].text}{NBSP}{unit}",
                target_year=target_year, target_value=f"{path[-1].text}{NBSP}{unit}")
    return WallChart(points, summary, t("charts.wall.caption", lang, name=tile.name), t("ui.spark.period", lang),
                     f"{t('charts.wall.values', lang)} ({unit})", points[0].label, str(max(target_year, int(
                         annual.index.max()))), ticks[-1], ticks[0], path=path, axis_top=top, ticks=ticks,
                     years=tuple(int(p.label) for p in points))


def zero_based(chart: WallChart | None, unit: str, lang: str) -> WallChart | None:
    """The tile's own chart (monthly or yearly values) on a value axis from zero with the unit, as the indicator
    slide shows it (a min-to-max axis would turn a small change into a cliff); unchanged with negative values."""
    if chart is None or min(p.value for p in chart.points) < 0:
        return chart
    top = _nice_top(max(p.value for p in chart.points) * 1.05)
    ticks = tuple(f"{format_number(v, _tick_decimals(top), lang)}{NBSP}{unit}".strip() for v in (top, top / 2, 0.0))
    return dataclasses.replace(chart, axis_top=top, ticks=ticks, years=tuple(range(len(chart.points))),
                               low_text=ticks[-1], high_text=ticks[0])


def _tick_decimals(top: float) -> int:
    """As few decimals as the axis labels (top, half, 0) need: 8 -> 0 ('8', '4'), 2.5 -> 2 ('2,50', '1,25')."""
    return next(d for d in range(4) if round(top / 2, d) == top / 2 or d == 3)


def indicator_slides(ctx: WallContext, indicator_id: str) -> list[SlideView]:
    """One indicator with its chart (for a goal: annual values against the target path, zero-based axis); nothing
    if the wall's role may not see it (or it does not exist)."""
    tile = next((tl for tl in ctx.overview.tiles if tl.indicator_id == indicator_id), None)
    if tile is None:
        return []
    shown = dataclasses.replace(wall_tile(tile, ctx.goal_for(tile), ctx.lang), trend=None)  # the chart says it
    chart = goal_chart(ctx, tile) or zero_based(chart_of(tile, ctx.lang), shown.unit_text, ctx.lang)
    return [SlideView(f"indicator-{indicator_id}", "indicator", tile.name, tiles=(shown,), chart=chart,
                      note=None if chart else tile.spark.summary)]


def measures_slides(ctx: WallContext, _arg: str = "") -> list[SlideView]:
    """The measures: counts per status and the measures whose progress report is overdue."""
    view = build_wall_measures(ctx.cockpit, ctx.overview.role, ctx.lang)
    return [SlideView("measures", "measures", view.title, payload=view,
                      note=None if view.overdue_names else view.overdue_text)]


def pathway_slides(ctx: WallContext, _arg: str = "") -> list[SlideView]:
    """The climate pathway in one sentence with its key figures (nothing without a balance or a visible goal)."""
    view = build_pathway(ctx.cockpit, ctx.overview.role, ctx.lang)
    return [] if view.empty else [SlideView("pathway", "pathway", t("pathway.title", ctx.lang), payload=view,
                                            note=view.sentence)]


def _domain_builder(domain: str) -> SlideBuilder:
    return lambda ctx, _arg: domain_slides(ctx, domain)


# The extension point: slide kind (the part of a spec before ':') -> builder(context, argument) -> slides.
SLIDE_BUILDERS: dict[str, SlideBuilder] = {
    **{domain: _domain_builder(domain) for domain in DOMAINS},
    "goals": goals_slides,
    "indicator": indicator_slides,
    "measures": measures_slides,
    "pathway": pathway_slides,
}


def build_slides(ctx: WallContext, specs: tuple[str, ...]) -> tuple[SlideView, ...]:
    slides: list[SlideView] = []
    seen: set[str] = set()
    for spec in specs:
        kind, _, arg = spec.partition(":")
        builder = SLIDE_BUILDERS.get(kind)
        if builder is None:
            continue
        for slide in builder(ctx, arg.strip()):
            if slide.key not in seen:  # the same slide named twice is shown once
                seen.add(slide.key)
                slides.append(slide)
    return tuple(slides)


def build_wall(cockpit: Cockpit, role: Role | str, options: WallOptions, now: datetime | None = None) -> WallView:
    """The wall for `role` as configured by `options` (the role is resolved by the caller, on the server)."""
    lang = options.lang
    role = normalize_role(role)
    snap, now = snapshot_at(cockpit, role, now)
    overview = overview_from_snapshot(cockpit, snap, lang, now)
    goals = goals_from_snapshot(cockpit, snap, lang)
    ctx = WallContext(cockpit, lang, overview, goals, snap)
    slides = build_slides(ctx, options.slides)
    if not slides:  # nothing the role may see was asked for: the default wall
        slides = build_slides(ctx, DEFAULT_SLIDES)
    newest = max(snap.latest_start.values(), default=None)
    stand = t("wall.stand", lang, date=format_date(newest, lang)) if newest else t("wall.stand.none", lang)
    city = cockpit.catalog.city.get(lang)
    shown = {tile.indicator_id for slide in slides for tile in slide.tiles}
    demo = any(tile.demo for tile in overview.tiles if tile.indicator_id in shown) or (
        any(s.kind == "goals" for s in slides) and goals.demo)
    return WallView(
        lang=lang, role=role, options=options, city=city, title=t("wall.title", lang, city=city), slides=slides,
        stand_text=stand, refreshed_label=t("wall.refreshed", lang), refreshed_text=f"{now:%H:%M}", demo=demo,
        stamp=wall_stamp(role, snap.version, now.date(), options), data_version=snap.version, built_at=now)
