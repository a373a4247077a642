"""The council wall as components: header, slides (one renderer per slide kind), progress mark.

The wall's role is resolved here, on the server, for every request: from the wall token in the URL (looked up
by its hash in the store; a revoked or unknown token counts as none) or else from the viewer's session. Nothing
a browser sends can claim a role.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from dash import dcc, html

from cockpit.i18n import t
from cockpit.roles import Role
from cockpit.views.wall import SlideView, WallChart, WallOptions, WallTile, WallView, build_wall, wall_options
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.measures import measure_status
from layouts.components.pathway import wall_pathway_slide
from layouts.components.status import status_badge
from layouts.components.tables import data_table
from layouts.context import current_cockpit

# ------------------------------------------------------------------------------------------------ access


def wall_access(token: str | None) -> tuple[Role, tuple[str, ...]]:
    """(role, slides named by the token) for this request. A token that grants internal indicators makes the
    wall internal; otherwise the viewer's own (session) role applies, which is public for a wall PC."""
    record = current_cockpit().store.wall_token(token if isinstance(token, str) else None)
    role = current_viewer().role
    if record is not None and record.internal:
        role = Role.INTERNAL
    return role, record.slides if record is not None else ()


def wall_request(query: Mapping[str, object]) -> tuple[Role, WallOptions]:
    """Role and options of the wall that `query` (the URL's parameters) describes."""
    token = query.get("token")
    role, token_slides = wall_access(token if isinstance(token, str) else None)
    return role, wall_options(query, current_cockpit().settings.default_lang, token_slides)


def build_for(query: Mapping[str, object]) -> WallView:
    role, options = wall_request(query)
    return build_wall(current_cockpit(), role, options)


# ------------------------------------------------------------------------------------------------ pieces


def _visually_hidden(children, **kwargs):
    return html.Div(children, className="wall-sr", **kwargs)


def _trend(chart: WallChart, theme: str) -> html.Div:
    """The tile's sparkline: fills the room the texts leave (none if there is none), text and table alternative."""
    rows = [(p.label, p.text) for p in reversed(chart.points)]
    return html.Div(
        [html.Img(src=svg_url(chart_svg([p.value for p in chart.points], theme, stroke=4)), alt=chart.summary,
                  className="wall-tile__trend-img"),
         _visually_hidden(data_table(chart.caption, [chart.period_header, chart.value_header], rows, numeric=(1,)))],
        className="wall-tile__trend",
    )


def wall_tile(tile: WallTile, lang: str, named: bool = True, theme: str = "light") -> html.Article:
    """A tile; `named=False` leaves the name out (the slide's heading says it)."""
    value = [html.Span(tile.number_text, className="wall-tile__number")]
    if tile.unit_text:
        value.append(html.Span(tile.unit_text, className="wall-tile__unit"))
    if tile.value_label:
        value.append(html.Span(tile.value_label, className="wall-tile__label"))
    children = [
        html.H3(tile.name, className="wall-tile__name") if named else None,
        html.P(value, className="wall-tile__value"),
        html.P(status_badge(tile.status, tile.status_text), className="wall-tile__status"),
    ]
    if tile.reason_text:
        children.append(html.P(tile.reason_text, className="wall-tile__reason"))
    if tile.target_text and not tile.reason_text:  # the reason names what matters; no room for both
        children.append(html.P(tile.target_text, className="wall-tile__target"))
    if tile.trend is not None:
        children.append(_trend(tile.trend, theme))
    foot = [html.Span(tile.as_of_text, className="wall-tile__asof")]
    if tile.stale:
        foot.append(html.Span(t("stale.word", lang), className="wall-badge wall-badge--stale",
                              title=tile.stale_text or ""))
    children.append(html.P(foot, className="wall-tile__foot"))
    return html.Article(
        children,
        className=f"wall-tile wall-tile--{tile.status}" + (" wall-tile--stale" if tile.stale else ""),
        **{"data-indicator": tile.indicator_id, "data-status": tile.status,
           "data-stale": "true" if tile.stale else "false", "data-demo": "true" if tile.demo else "false"},
    )


def _tiles_slide(slide: SlideView, view: WallView) -> list:
    return [html.Div([wall_tile(tile, view.lang, theme=view.options.theme) for tile in slide.tiles],
                     className="wall-grid",
                     **{"data-count": str(len(slide.tiles))})]


def _goals_slide(slide: SlideView, view: WallView) -> list:
    lang = view.lang
    counts = html.Ul([html.Li(status_badge(c.status, c.text), className="wall-counts__item") for c in slide.counts],
                     className="wall-counts", **{"aria-label": t("wall.goals.counts", lang)})
    children = [counts]
    if slide.goals:
        items = []
        for goal in slide.goals:
            numbers = [x for x in (goal.value_text, goal.target_text) if x]
            parts = [html.H3(goal.name, className="wall-goal__name"),
                     html.Div([html.P(status_badge(goal.status, goal.status_text), className="wall-goal__status"),
                               html.P(" · ".join(numbers), className="wall-goal__numbers")],
                              className="wall-goal__line")]
            if goal.reason_text:
                parts.append(html.P(goal.reason_text, className="wall-goal__reason"))
            items.append(html.Li(parts, className=f"wall-goal wall-goal--{goal.status}",
                                 **{"data-goal": goal.goal_id, "data-status": goal.status}))
        children.append(html.Div([html.H3(t("wall.goals.attention", lang), className="wall-goals__heading"),
                                  html.Ul(items, className="wall-goals", **{"data-count": str(len(items))})],
                                 className="wall-goals__block"))
    elif slide.note:
        children.append(html.P(slide.note, className="wall-slide__note"))
    return [html.Div(children, className="wall-goalslide")]


def svg_url(svg: str) -> str:
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe="/:=,")


def chart_svg(values: list[float], theme: str, width: int = 1000, height: int = 400, stroke: int = 6) -> str:
    """A line with a light area below and a dot on the latest value, stretched to its box."""
    line = {"light": "#1d4f91", "dark": "#8cb8ff", "contrast": "#ffff00"}.get(theme, "#1d4f91")
    pad = 12
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    n = len(values)

    def x(i: int) -> float:
        return width / 2 if n == 1 else pad + i * (width - 2 * pad) / (n - 1)

    def y(v: float) -> float:
        return height / 2 if high == low else pad + (high - v) * (height - 2 * pad) / span

    points = [(x(i), y(v)) for i, v in enumerate(values)]
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none">']
    if n > 1:
        parts.append(f'<polygon points="{points[0][0]:.1f},{height} {coords} {points[-1][0]:.1f},{height}" '
                     f'fill="{line}" fill-opacity="0.14"/>')
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{line}" stroke-width="{stroke}" '
                     'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>')
    else:
        parts.append(f'<circle cx="{points[0][0]:.1f}" cy="{points[0][1]:.1f}" r="9" fill="{line}"/>')
    parts.append("</svg>")
    return "".join(parts)


def goal_chart_svg(chart: WallChart, theme: str, width: int = 1000, height: int = 400) -> str:
    """Annual values (line with a light area) against the target path (dotted) on a zero-based axis with grid lines
    at the top, the middle and zero; x runs from the first value's year to the path's last year."""
    line = {"light": "#1d4f91", "dark": "#8cb8ff", "contrast": "#ffff00"}.get(theme, "#1d4f91")
    path_colour = {"light": "#6a3d9a", "dark": "#d4b8ff", "contrast": "#ffffff"}.get(theme, "#6a3d9a")
    grid = {"light": "#c5ccd6", "dark": "#3a4654", "contrast": "#808080"}.get(theme, "#c5ccd6")
    first, last = chart.years[0], int(chart.path[-1].label) if chart.path else chart.years[-1]  # years or indexes
    span, top = max(last - first, 1), chart.axis_top or 1.0

    def x(year: float) -> float:
        return (year - first) * width / span

    def y(value: float) -> float:
        return height - max(0.0, min(value, top)) * height / top

    values = [(x(year), y(p.value)) for year, p in zip(chart.years, chart.points, strict=True)]
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in values)
    path = " ".join(f"{x(int(p.label)):.1f},{y(p.value):.1f}" for p in chart.path)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
             'overflow="visible">']
    for level in (0, height / 2, height):
        parts.append(f'<line x1="0" x2="{width}" y1="{level}" y2="{level}" stroke="{grid}" stroke-width="2" '
                     'vector-effect="non-scaling-stroke"/>')
    parts.append(f'<polygon points="{values[0][0]:.1f},{height} {coords} {values[-1][0]:.1f},{height}" '
                 f'fill="{line}" fill-opacity="0.14"/>')
    if path:
        parts.append(f'<polyline points="{path}" fill="none" stroke="{path_colour}" stroke-width="4" '
                     'stroke-dasharray="2 10" stroke-linecap="round" vector-effect="non-scaling-stroke"/>')
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{line}" stroke-width="6" stroke-linejoin="round" '
                 'stroke-linecap="round" vector-effect="non-scaling-stroke"/>')
    parts.append("</svg>")
    return "".join(parts)


def _goal_chart(chart: WallChart, view: WallView, slide_key: str) -> html.Figure:
    """An annual goal on the indicator slide: values against the target path, zero-based axis with the unit, a
    legend in words, the table (values and path per year) for screen readers."""
    lang = view.lang
    path = {p.label: p.text for p in chart.path}
    rows = [(p.label, p.text, path.get(p.label, "–")) for p in reversed(chart.points)]
    legend = html.Ul([
        html.Li([html.Span(className="wall-legend__swatch wall-legend__swatch--values"),
                 t("charts.wall.values", lang)], className="wall-legend__item"),
        html.Li([html.Span(className="wall-legend__swatch wall-legend__swatch--path"),
                 t("charts.wall.path", lang)], className="wall-legend__item"),
    ], className="wall-legend", **{"aria-hidden": "true"}) if chart.path else None
    headers = [chart.period_header, chart.value_header] + ([t("charts.wall.path", lang)] if chart.path else [])
    if not chart.path:
        rows = [row[:2] for row in rows]
    return html.Figure(
        [
            legend or html.Span(className="wall-legend"),
            html.Div([html.Span(tick) for tick in chart.ticks], className="wall-chart__yaxis wall-chart__yaxis--ticks",
                     **{"aria-hidden": "true"}),
            html.Img(src=svg_url(goal_chart_svg(chart, view.options.theme)), alt=chart.summary,
                     className="wall-chart__img"),
            html.Div([html.Span(chart.first_label), html.Span(chart.last_label)], className="wall-chart__xaxis",
                     **{"aria-hidden": "true"}),
            _visually_hidden(data_table(chart.caption, headers, rows, numeric=tuple(range(1, len(headers)))),
                             id=f"wall-table-{slide_key}"),
        ],
        className="wall-chart wall-chart--goal" + ("" if chart.path else " wall-chart--plain"),
    )


def _chart(chart: WallChart, view: WallView, slide_key: str, unit: str) -> html.Figure:
    src = svg_url(chart_svg([p.value for p in chart.points], view.options.theme))
    rows = [(p.label, p.text) for p in reversed(chart.points)]
    suffix = f"\u00a0{unit}" if unit else ""
    return html.Figure(
        [
            html.Div([html.Span(chart.high_text + suffix), html.Span(chart.low_text + suffix)],
                     className="wall-chart__yaxis", **{"aria-hidden": "true"}),
            html.Img(src=src, alt=chart.summary, className="wall-chart__img"),
            html.Div([html.Span(chart.first_label), html.Span(chart.last_label)], className="wall-chart__xaxis",
                     **{"aria-hidden": "true"}),
            _visually_hidden(data_table(chart.caption, [chart.period_header, chart.value_header], rows,
                                        numeric=(1,)), id=f"wall-table-{slide_key}"),
        ],
        className="wall-chart",
    )


def _indicator_slide(slide: SlideView, view: WallView) -> list:
    children = [wall_tile(tile, view.lang, named=False, theme=view.options.theme) for tile in slide.tiles]
    if slide.chart is not None and slide.chart.axis_top is not None:
        children.append(_goal_chart(slide.chart, view, slide.key))
    elif slide.chart is not None:
        unit = slide.tiles[0].unit_text if slide.tiles else ""
        children.append(_chart(slide.chart, view, slide.key, unit))
    elif slide.note:
        children.append(html.P(slide.note, className="wall-slide__note"))
    return [html.Div(children, className="wall-indicator")]


OVERDUE_SHOWN = 6  # overdue measures named on the measures slide (more: '+ 3 weitere'), readable at 16 arcmin


def _measures_slide(slide: SlideView, view: WallView) -> list:
    """Counts of measures per status (icon + word) in one box, the measures whose progress report is overdue in
    the other: side by side in landscape, one above the other in portrait; both fill the screen."""
    lang, measures = view.lang, slide.payload
    counts = html.Ul([html.Li(measure_status(c.status, c.text), className="wall-counts__item",
                              **{"data-status": c.status, "data-count": str(c.count)}) for c in measures.counts],
                     className="wall-counts wall-measures__counts", **{"aria-label": measures.total_text})
    head = [html.H3(measures.total_text, className="wall-goals__heading")]
    if measures.demo:
        head.append(html.Span(t("measures.demo.badge", lang), className="wall-badge wall-badge--demo"))
    left = html.Div([html.Div(head, className="wall-measures__head"), counts], className="wall-measures__box")
    if measures.overdue_names:
        names = measures.overdue_names
        items = [html.Li(name, className="wall-measures__item") for name in names[:OVERDUE_SHOWN]]
        if len(names) > OVERDUE_SHOWN:
            items.append(html.Li(t("charts.wall.more", lang, count=len(names) - OVERDUE_SHOWN),
                                 className="wall-measures__item wall-measures__item--more"))
        right = html.Div([html.H3(measures.overdue_text, className="wall-goals__heading"),
                          html.Ul(items, className="wall-measures__overdue", **{"data-count": str(len(names))})],
                         className="wall-measures__box")
    else:
        right = html.Div(html.P(slide.note or "", className="wall-slide__note"), className="wall-measures__box")
    return [html.Div([left, right], className="wall-measures")]


# The extension point of the page: SlideView.kind -> renderer(slide, view) -> children below the slide title.
SLIDE_RENDERERS: dict[str, Callable[[SlideView, WallView], list]] = {
    "tiles": _tiles_slide,
    "goals": _goals_slide,
    "indicator": _indicator_slide,
    "measures": _measures_slide,
    "pathway": wall_pathway_slide,
}


def slide_section(slide: SlideView, view: WallView, index: int) -> html.Section:
    heading_id = f"{ids.wall_slide(slide.key)}-title"
    title = [slide.title]
    if slide.part_text:
        title.append(html.Span(f" ({slide.part_text})", className="wall-slide__part"))
    render = SLIDE_RENDERERS.get(slide.kind)
    body = render(slide, view) if render is not None else []
    return html.Section(
        [html.H2(title, id=heading_id, className="wall-slide__title"), *body],
        id=ids.wall_slide(slide.key),
        className=f"wall-slide wall-slide--{slide.kind}",
        **{"aria-labelledby": heading_id, "data-kind": slide.kind, "data-index": str(index)},
    )


def wall_body(view: WallView) -> html.Div:
    """Everything the refresh callback replaces: header, slides, progress mark (carries the stamp)."""
    lang = view.lang
    labels = []
    if view.demo:
        labels.append(html.Span(t("demo.badge", lang), className="wall-badge wall-badge--demo"))
    if view.role == Role.INTERNAL:
        labels.append(html.Span(t("wall.internal", lang), className="wall-badge wall-badge--internal"))
    header = html.Header(
        [
            html.Div([html.H1(view.title, className="wall-head__title"), *labels], className="wall-head__brand"),
            html.P([html.Span(view.stand_text, id=ids.WALL_STAND), ", ",
                    html.Span(view.refreshed_label), " ",
                    html.Span(view.refreshed_text, id=ids.WALL_REFRESHED, className="wall-head__time")],
                   className="wall-head__stand"),
            html.P([html.Span(t("wall.clock", lang), className="wall-sr"),
                    html.Time(view.refreshed_text, id=ids.WALL_CLOCK, className="wall-head__clock")],
                   className="wall-head__clockline"),
            html.P("", id=ids.WALL_OFFLINE, className="wall-head__offline", hidden=True, role="status"),
        ],
        className="wall-head",
    )
    slides = [slide_section(slide, view, i) for i, slide in enumerate(view.slides)]
    dots = [html.Li(className="wall-progress__dot", **{"data-index": str(i)}) for i in range(len(view.slides))]
    progress = html.Footer(
        [
            html.P(t("wall.progress", lang, slide=1, slides=len(view.slides)), className="wall-progress__text",
                   **{"data-template": t("wall.progress", lang, slide="{slide}", slides="{slides}")}),
            html.Ol(dots, className="wall-progress__dots", **{"aria-hidden": "true"}),
            html.Div(html.Div(className="wall-progress__fill"), className="wall-progress__bar",
                     **{"aria-hidden": "true"}),
        ],
        id=ids.WALL_PROGRESS,
        className="wall-progress",
        **{"aria-label": t("wall.progress.label", lang)},
    )
    return html.Div(
        [header, html.Main(slides, className="wall-slides", **{"aria-label": t("wall.slides.label", lang)}),
         progress],
        className="wall-frame",
        **{"data-stamp": view.stamp, "data-role": view.role.value, "data-slides": str(len(view.slides))},
    )


def wall_page(view: WallView, status_url: str, app_version: str) -> html.Div:
    """The whole wall: configuration for assets/wall.js in data-* attributes, the body, the refresh trigger."""
    options = view.options
    return html.Div(
        [
            html.Div(wall_body(view), id=ids.WALL_BODY, className="wall-body"),
            dcc.Store(id=ids.WALL_TRIGGER, data=view.stamp),
        ],
        id=ids.WALL,
        className=f"wall wall--{options.theme}" + (" wall--shift" if options.shift else ""),
        lang=view.lang,
        **{
            "data-every": str(options.every),
            "data-refresh": str(options.refresh),
            "data-shift": "true" if options.shift else "false",
            "data-lang": view.lang,
            "data-status-url": status_url,
            "data-app-version": app_version,
            "data-offline": t("wall.offline", view.lang, time="{time}"),
        },
    )
