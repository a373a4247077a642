"""Measures for the screens: the list with filters and status counts, one measure with its reports, the measures
of a goal, chart annotations of linked indicators and the wall slide (plain data in the viewer's language)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from cockpit.i18n import format_date, format_datetime, format_number, normalize_lang, t
from cockpit.kpi import LOCAL_TZ
from cockpit.kpi.measures import chart_events, is_update_overdue, status_counts, update_due
from cockpit.measures.model import DIMENSIONS, STATUSES, Measure, Report, can_report
from cockpit.readmodel.snapshot import now_local
from cockpit.roles import Role, Viewer, may_see, visible_levels
from cockpit.views.formatting import Fingerprinted, indicator_href, quantity
from cockpit.views.measure_history import change_entries

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

FILTERS = ("field", "department", "status", "dimension")
MEASURES_PATH = "/measures"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class CountView:
    status: str
    count: int
    text: str  # '3 in Umsetzung'
    label: str  # 'in Umsetzung'


@dataclass(frozen=True)
class DimensionView:
    dimension: str
    dimension_text: str  # 'Ökologisch'
    assessment: str | None  # positive | neutral | negative | None (open)
    assessment_text: str
    justification: str


@dataclass(frozen=True)
class MeasureCard:
    id: str
    name: str
    url_path: str  # '/measure/<id>'
    field_name: str
    department_name: str
    status: str
    status_text: str
    period_text: str  # '01.03.2025 – 31.12.2027'
    percent: int | None
    percent_text: str | None
    check_complete: bool
    check_text: str  # 'Nachhaltigkeits-Check: 3 von 3 positiv' / 'Nachhaltigkeits-Check offen'
    dimensions: tuple[DimensionView, ...]
    overdue: bool
    due_text: str | None  # 'Nächster Bericht fällig am 30.11.2026' / 'Bericht überfällig seit …'
    demo: bool
    internal: bool


@dataclass(frozen=True)
class MeasuresView(Fingerprinted):
    lang: str
    role: Role
    cards: tuple[MeasureCard, ...]
    counts: tuple[CountView, ...]  # of the filtered measures, every status
    total_text: str
    overdue_count: int
    overdue_text: str
    filters: dict[str, str]  # selected values ('' = all)
    options: dict[str, tuple[Option, ...]]
    demo: bool


@dataclass(frozen=True)
class GoalMeasuresView:
    """The measures backing one goal (linked to it), for the goal page: compact cards, counts, overdue reports."""

    goal_id: str
    cards: tuple[MeasureCard, ...]
    total_text: str  # '2 Maßnahmen'
    overdue_count: int
    overdue_text: str | None  # '1 mit überfälligem Bericht'; None when no report is overdue
    href: str  # '/measures?lang=de&goal=<id>' (every measure of the goal, on the measures page)


@dataclass(frozen=True)
class OverdueSummary:
    """How many of the measures a viewer may see are overdue with their progress report (overview intro)."""

    count: int
    text: str | None  # '2 Maßnahmen mit überfälligem Bericht'; None when none is overdue
    href: str  # '/measures?lang=de&overdue=1'


@dataclass(frozen=True)
class LinkView:
    kind: str  # goal | indicator
    kind_text: str
    target_id: str
    name: str
    direction_text: str
    effect_text: str | None
    href: str | None = None  # the goal on the goals page or the indicator's page


@dataclass(frozen=True)
class MilestoneView:
    id: str
    name: str
    due_text: str
    reached: bool
    state_text: str  # 'erreicht am 14.10.2025' / 'offen' / 'überfällig'
    late: bool


@dataclass(frozen=True)
class ReportView:
    id: int | None
    when_text: str
    author: str
    status_text: str
    percent_text: str | None
    milestone_text: str | None
    text: str


@dataclass(frozen=True)
class MeasureDetailView(Fingerprinted):
    lang: str
    card: MeasureCard
    description: str
    contact: str | None
    budget_text: str | None
    rhythm_text: str
    visibility_text: str
    links: tuple[LinkView, ...]
    milestones: tuple[MilestoneView, ...]
    reports: tuple[ReportView, ...]
    can_report: bool
    status_options: tuple[Option, ...]
    milestone_options: tuple[Option, ...]  # milestones not yet reached
    author_header: str = ""  # 'Berichtende Stelle' for the public (the office), 'Verfasst von' for staff


@dataclass(frozen=True)
class AnnotationView:
    """A measure's start, end or milestone on a linked indicator's chart (plot marker and table row)."""

    day: date
    date_text: str
    kind: str  # start | end | milestone
    kind_text: str
    label: str  # 'Beginn: Intelligente Abfallsammlung …'
    measure_id: str
    measure_name: str
    reached: bool = False  # a milestone already reached (its own symbol on the chart)


@dataclass(frozen=True)
class WallMeasuresView:
    """The wall slide 'Maßnahmen': counts per status and the measures whose update is overdue."""

    title: str
    counts: tuple[CountView, ...]
    total_text: str
    overdue_count: int
    overdue_text: str
    overdue_names: tuple[str, ...]
    demo: bool


# ------------------------------------------------------------------------------------------------ helpers


def _viewer(who: Viewer | Role | str) -> Viewer:
    if isinstance(who, Viewer):
        return who
    return Viewer(Role(who) if who in {r.value for r in Role} else Role.PUBLIC)


def status_text(status: str, lang: str) -> str:
    return t(f"measures.status.{status}", lang)


def total_text(count: int, lang: str) -> str:
    """'1 Maßnahme' / '3 Maßnahmen'."""
    return t("measures.count.total.one", lang) if count == 1 else t("measures.count.total", lang, count=count)


def _count_view(status: str, count: int, lang: str) -> CountView:
    label = status_text(status, lang)
    return CountView(status, count, t("measures.count.status", lang, count=count, status=label), label)


def _period(m: Measure, lang: str) -> str:
    if not m.start and not m.end:
        return t("measures.period.open", lang)
    return f"{format_date(m.start, lang) if m.start else '…'} – {format_date(m.end, lang) if m.end else '…'}"


def _dimensions(m: Measure, lang: str) -> tuple[DimensionView, ...]:
    views = []
    for dim in DIMENSIONS:
        check = m.check.get(dim)
        views.append(DimensionView(
            dim, t(f"measures.dimension.{dim}", lang), check.assessment if check else None,
            t(f"measures.assessment.{check.assessment}", lang) if check else t("measures.assessment.open", lang),
            check.justification.get(lang) if check else ""))
    return tuple(views)


def _check_text(m: Measure, lang: str) -> str:
    if not m.check_complete:
        return t("measures.check.open", lang)
    positive = sum(1 for c in m.check.values() if c.assessment == "positive")
    return t("measures.check.summary", lang, positive=positive, total=len(DIMENSIONS))


def card(cockpit: Cockpit, m: Measure, reports: list[Report], last_report: datetime | None, at: datetime,
         lang: str) -> MeasureCard:
    catalog = cockpit.catalog
    fields = {f.id: f.name.get(lang) for f in catalog.fields}
    departments = {d.id: d.name.get(lang) for d in catalog.departments}
    percent = next((r.percent for r in reports if r.percent is not None), None)
    if m.status == "completed":
        percent = 100
    overdue = is_update_overdue(m, last_report, at)
    due = update_due(m, last_report)
    if due is None:
        due_text = None
    elif overdue:
        due_text = t("measures.overdue.since", lang, date=format_date(due, lang))
    else:
        due_text = t("measures.due.next", lang, date=format_date(due, lang))
    return MeasureCard(
        id=m.id, name=m.name.get(lang), url_path=f"/measure/{m.id}", field_name=fields.get(m.field, m.field),
        department_name=departments.get(m.department, m.department), status=m.status,
        status_text=status_text(m.status, lang), period_text=_period(m, lang), percent=percent,
        percent_text=t("measures.percent", lang, percent=percent) if percent is not None else None,
        check_complete=m.check_complete, check_text=_check_text(m, lang), dimensions=_dimensions(m, lang),
        overdue=overdue, due_text=due_text, demo=m.demo, internal=m.visibility == "internal")


def _filter(items: list[Measure], filters: dict[str, str]) -> list[Measure]:
    found = items
    if filters.get("field"):
        found = [m for m in found if m.field == filters["field"]]
    if filters.get("department"):
        found = [m for m in found if m.department == filters["department"]]
    if filters.get("status"):
        found = [m for m in found if m.status == filters["status"]]
    if filters.get("dimension"):
        dim = filters["dimension"]
        found = [m for m in found if m.check.get(dim) and m.check[dim].assessment == "positive"]
    if filters.get("goal"):
        found = [m for m in found if filters["goal"] in m.goal_ids]
    return found


def clean_filters(cockpit: Cockpit, raw: dict[str, str | None],
                  who: Viewer | Role | str = Role.PUBLIC) -> dict[str, str]:
    """Only known values are kept (anything else means 'all'): field, department, status, dimension, goal,
    overdue ('1': only measures whose progress report is overdue). A goal counts as known only if the viewer may
    see its indicator: the page prints the filter's goal name, so an internal goal id is treated as unknown."""
    catalog = cockpit.catalog
    visible = {i.id for i in catalog.visible_indicators(_viewer(who))}
    known = {"field": {f.id for f in catalog.fields}, "department": {d.id for d in catalog.departments},
             "status": set(STATUSES), "dimension": set(DIMENSIONS),
             "goal": {g.id for g in catalog.goals if g.indicator in visible}, "overdue": {"1"}}
    return {key: (raw.get(key) or "") if (raw.get(key) or "") in values else "" for key, values in known.items()}


def _options(cockpit: Cockpit, lang: str) -> dict[str, tuple[Option, ...]]:
    catalog = cockpit.catalog
    return {
        "field": tuple(Option(f.id, f.name.get(lang)) for f in catalog.fields),
        "department": tuple(Option(d.id, d.name.get(lang)) for d in catalog.departments),
        "status": tuple(Option(s, status_text(s, lang)) for s in STATUSES),
        "dimension": tuple(Option(d, t(f"measures.dimension.{d}", lang)) for d in DIMENSIONS),
    }


def _now(now: datetime | None) -> datetime:
    return (now or now_local()).astimezone(LOCAL_TZ)


# ------------------------------------------------------------------------------------------------ builders


def build_measures(cockpit: Cockpit, who: Viewer | Role | str, lang: str | None = None,
                   filters: dict[str, str | None] | None = None, now: datetime | None = None) -> MeasuresView:
    """The measures the viewer may see, filtered; status counts of the filtered set."""
    lang = normalize_lang(lang)
    viewer = _viewer(who)
    at = _now(now)
    selected = clean_filters(cockpit, filters or {}, viewer)
    items = sorted(_filter(cockpit.store.measures(viewer), selected), key=lambda m: m.name.get(lang).casefold())
    cards = _cards(cockpit, viewer, items, at, lang)
    if selected["overdue"]:
        overdue_ids = {c.id for c in cards if c.overdue}
        items = [m for m in items if m.id in overdue_ids]
        cards = tuple(c for c in cards if c.overdue)
    counts = tuple(_count_view(s, n, lang) for s, n in status_counts(items).items())
    overdue = sum(1 for c in cards if c.overdue)
    return MeasuresView(
        lang=lang, role=viewer.role, cards=cards, counts=counts,
        total_text=total_text(len(cards), lang), overdue_count=overdue,
        overdue_text=t("measures.count.overdue", lang, count=overdue), filters=selected,
        options=_options(cockpit, lang), demo=any(c.demo for c in cards))


def _cards(cockpit: Cockpit, viewer: Viewer, items: list[Measure], at: datetime,
           lang: str) -> tuple[MeasureCard, ...]:
    """Cards of `items` with their latest reports (two store reads for all of them)."""
    store = cockpit.store
    last = store.last_reports(viewer)
    reports = store.measure_reports(viewer)
    return tuple(card(cockpit, m, [r for r in reports if r.measure_id == m.id], last.get(m.id), at, lang)
                 for m in items)


def _query(lang: str, **params: str) -> str:
    return MEASURES_PATH + "?" + urlencode({"lang": lang, **params})


def measures_by_goal(cockpit: Cockpit, who: Viewer | Role | str, lang: str | None = None,
                     now: datetime | None = None) -> dict[str, GoalMeasuresView]:
    """For every goal with visible measures: its measures (as on /measures?goal=<id>), in one pass."""
    lang = normalize_lang(lang)
    viewer = _viewer(who)
    items = sorted(cockpit.store.measures(viewer), key=lambda m: m.name.get(lang).casefold())
    cards = dict(zip((m.id for m in items), _cards(cockpit, viewer, items, _now(now), lang), strict=True))
    found: dict[str, GoalMeasuresView] = {}
    for goal in cockpit.catalog.goals:
        linked = tuple(cards[m.id] for m in items if goal.id in m.goal_ids)
        if not linked:
            continue
        overdue = sum(1 for c in linked if c.overdue)
        found[goal.id] = GoalMeasuresView(
            goal.id, linked, total_text(len(linked), lang), overdue,
            t("measures.count.overdue", lang, count=overdue) if overdue else None, _query(lang, goal=goal.id))
    return found


def overdue_summary(cockpit: Cockpit, who: Viewer | Role | str, lang: str | None = None,
                    now: datetime | None = None) -> OverdueSummary:
    """How many measures the viewer may see have an overdue progress report (for the overview intro)."""
    lang = normalize_lang(lang)
    viewer = _viewer(who)
    items = cockpit.store.measures(viewer)
    count = sum(1 for c in _cards(cockpit, viewer, items, _now(now), lang) if c.overdue) if items else 0
    text = None
    if count:
        text = t("measures.overview.overdue.one", lang) if count == 1 else t("measures.overview.overdue", lang,
                                                                                count=count)
    return OverdueSummary(count, text, _query(lang, overdue="1"))


def _may_see(levels: tuple[str, ...], indicator) -> bool:
    return may_see(levels, indicator.visibility, indicator.owner)


def _link_view(cockpit: Cockpit, viewer: Viewer, link, lang: str) -> LinkView | None:
    catalog = cockpit.catalog
    levels = visible_levels(viewer)
    if link.goal:
        goal = next((g for g in catalog.goals if g.id == link.goal), None)
        if goal is None or not _may_see(levels, catalog.indicator(goal.indicator)):
            return None
        indicator = catalog.indicator(goal.indicator)
        name = goal.name.get(lang) if goal.name else goal.id
    else:
        indicator = catalog.indicator_map.get(link.indicator)
        if indicator is None or not _may_see(levels, indicator):
            return None
        name = indicator.name.get(lang)
    effect = None
    if link.effect:
        sign = "+" if link.effect.value > 0 else ("\u2212" if link.effect.value < 0 else "±")
        amount = sign + quantity(abs(link.effect.value), indicator, lang)
        effect = t("measures.effect", lang, amount=amount, year=link.effect.from_year)
    href = f"/goals?lang={lang}#goal-{link.goal}" if link.goal else indicator_href(indicator.id, lang)
    return LinkView(link.kind, t(f"measures.link.{link.kind}", lang), link.target, name,
                    t(f"measures.direction.{link.direction}", lang), effect, href)


def build_measure(cockpit: Cockpit, who: Viewer | Role | str, measure_id: str, lang: str | None = None,
                  now: datetime | None = None) -> MeasureDetailView | None:
    """One measure with links, milestones, check and report history; None if unknown or not visible."""
    lang = normalize_lang(lang)
    viewer = _viewer(who)
    at = _now(now)
    store = cockpit.store
    m = store.measure(viewer, measure_id)
    if m is None:
        return None
    reports = store.measure_reports(viewer, m.id)
    last = reports[0].reported_at if reports else None
    the_card = card(cockpit, m, reports, last, at, lang)
    milestones = []
    names = {s.id: s.name.get(lang) for s in m.milestones}
    for s in m.milestones:
        late = s.reached is None and s.due < at.date()
        state = (t("measures.milestone.reached", lang, date=format_date(s.reached, lang)) if s.reached else
                 t("measures.milestone.late", lang) if late else t("measures.milestone.open", lang))
        milestones.append(MilestoneView(s.id, s.name.get(lang), format_date(s.due, lang), s.reached is not None,
                                        state, late))
    # privacy of staff: the public sees the reporting office, never a login name or a person; staff see the author
    staff = viewer.role in (Role.INTERNAL, Role.ADMIN)
    history = [(r.reported_at, ReportView(
        r.id, format_datetime(r.reported_at, lang), r.author if staff else the_card.department_name,
        status_text(r.status, lang),
        t("measures.percent", lang, percent=r.percent) if r.percent is not None else None,
        t("measures.report.milestone", lang, name=names.get(r.milestone, r.milestone)) if r.milestone else None,
        r.text)) for r in reports]
    history += [(c.at, ReportView(None, c.when_text, c.author, c.title, None, None, c.text)) for c in change_entries(
        store.effect_changes(viewer, m.id), the_card.department_name, staff, lang)]  # effect and cost changes
    report_views = tuple(v for _, v in sorted(history, key=lambda item: item[0], reverse=True))
    links = tuple(v for v in (_link_view(cockpit, viewer, link, lang) for link in m.links) if v)
    return MeasureDetailView(
        lang=lang, card=the_card, description=m.description.get(lang), contact=m.contact,
        budget_text=t("measures.budget", lang, amount=format_number(m.budget_eur, 0, lang))
        if m.budget_eur is not None else None,
        rhythm_text=t(f"measures.rhythm.{m.reporting}", lang) if str(m.reporting) in ("P1M", "P3M", "P6M", "P1Y")
        else str(m.reporting),
        visibility_text=t(f"measures.visibility.{m.visibility}", lang), links=links,
        milestones=tuple(milestones), reports=report_views, can_report=can_report(viewer, m),
        status_options=tuple(Option(s, status_text(s, lang)) for s in STATUSES),
        milestone_options=tuple(Option(s.id, s.name.get(lang)) for s in m.milestones if s.reached is None),
        author_header=t("measures.th.author" if staff else "pages.report.office", lang))


def goal_measures(cockpit: Cockpit, who: Viewer | Role | str, goal_id: str, lang: str | None = None,
                  now: datetime | None = None) -> tuple[MeasureCard, ...]:
    """The measures backing a goal (linked to it directly), for the goal page."""
    view = build_measures(cockpit, who, lang, {"goal": goal_id}, now)
    return view.cards if view.filters["goal"] == goal_id else ()  # a goal the viewer may not see: none


def chart_annotations(cockpit: Cockpit, who: Viewer | Role | str, indicator_id: str,
                      lang: str | None = None) -> tuple[AnnotationView, ...]:
    """Start, end and milestones of the visible measures linked to an indicator (directly or by a goal), for
    markers on its chart and the table below it."""
    lang = normalize_lang(lang)
    viewer = _viewer(who)
    measures = cockpit.store.measures(viewer)
    names = {m.id: m.name.get(lang) for m in measures}
    milestones = {(m.id, s.id): s.name.get(lang) for m in measures for s in m.milestones}
    goal_indicator = {g.id: g.indicator for g in cockpit.catalog.goals}
    views = []
    for event in chart_events(measures, indicator_id, goal_indicator):
        name = names[event.measure_id]
        if event.kind == "milestone":
            kind_text = t("measures.event.milestone_reached" if event.reached else "measures.event.milestone", lang)
            label = f"{kind_text}: {milestones[(event.measure_id, event.milestone_id)]} ({name})"
        else:
            kind_text = t(f"measures.event.{event.kind}", lang)
            label = f"{kind_text}: {name}"
        views.append(AnnotationView(event.day, format_date(event.day, lang), event.kind, kind_text, label,
                                    event.measure_id, name, event.reached))
    return tuple(views)


def build_wall_measures(cockpit: Cockpit, who: Viewer | Role | str, lang: str | None = None,
                        now: datetime | None = None) -> WallMeasuresView:
    """The wall slide 'Maßnahmen': counts per status (every status) and overdue progress updates."""
    lang = normalize_lang(lang)
    view = build_measures(cockpit, who, lang, None, now)
    return WallMeasuresView(
        title=t("measures.wall.title", lang), counts=view.counts, total_text=view.total_text,
        overdue_count=view.overdue_count, overdue_text=view.overdue_text,
        overdue_names=tuple(c.name for c in view.cards if c.overdue), demo=view.demo)

