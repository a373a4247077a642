"""Plotly figures of the indicator page, built from its view model: the goal chart (annual values on the target
path, trend and band, "heute", the headline's verdict) and the sub-annual series, each with the measures strip.

Status by symbol and legend word as well as colour. The shared pieces (layouts, axes, the indicator chart's frame,
plain figure dicts) are in `layouts.components.chart_base`.
"""

from __future__ import annotations

from datetime import date

from cockpit.i18n import t
from cockpit.views.indicator import IndicatorView
from layouts.components.chart_base import (
    BLUE,
    GREY,
    LIGHT_BLUE,
    band,
    date_axis,
    figure_dict,
    indicator_layout,
    narrow_year_ticks,
    plain,
    plot_axis,
    round_value,
    scatter,
    year_axis,
)

PATH = "#6a3d9a"
TREND = "#b35900"
BAND = "rgba(179, 89, 0, 0.14)"
STATUS_STYLE = {  # colour and symbol: status is never told by colour alone (legend word and symbol too)
    "achieved": ("#1a7f37", "star"),
    "on_track": ("#1d4f91", "circle"),
    "at_risk": ("#9a5b00", "diamond"),
    "off_track": ("#b3261e", "x"),
    "running": ("#5f6368", "circle-open"),
    "no_goal": ("#1d4f91", "circle"),
}
PATH_SYMBOLS = {"baseline": "square", "milestone": "diamond-open", "target": "star"}
LEGEND_MAX = 6  # legend entries of an indicator chart by default (more is read by nobody, least of all on a phone)
YEARS_BACK = 10  # an indicator's goal chart opens on the last ten years up to the target year


MEASURE_COLOUR = "#583b8a"
# one symbol per kind of measure event, none used by the values or the target path (the legend names it; start
# and end bracket the measure, a reached milestone is filled, a due one open)
MEASURE_SYMBOLS = {"start": "triangle-right", "milestone": "triangle-up-open", "reached": "triangle-up",
                   "end": "triangle-left"}
MEASURE_GAP = 0.03  # events closer than this share of the x range go on separate rows of the strip
MEASURE_ROWS = 4
STRIP, PLOT = [0.0, 0.14], [0.22, 1.0]  # y domains of the measures strip and of the values above it


def _strip_rows(days: list[int], gap: float) -> list[int]:
    """A row per (sorted) day: the first row whose last day is at least `gap` earlier, else a new row, and with
    all MEASURE_ROWS taken the row that has been free longest."""
    ends: list[int] = []  # per row: its last day
    rows = []
    for day in days:
        row = next((r for r, end in enumerate(ends) if day - end >= gap), None)
        if row is None and len(ends) < MEASURE_ROWS:
            ends.append(day)
            row = len(ends) - 1
        elif row is None:
            row = min(range(len(ends)), key=ends.__getitem__)
        ends[row] = day
        rows.append(row)
    return rows


def measure_strip(view: IndicatorView, to_x, first: date, last: date) -> tuple[list[dict], dict]:
    """The starts, ends and milestones of linked measures between `first` and `last` as markers in a strip below
    the values (one legend entry and symbol per kind; the hover names the measure and the table below the chart
    lists them all): no lines or labels across the values. Close events go on separate rows. Returns the traces
    and the layout keys of the strip (none without events)."""
    marks = sorted((m for m in view.measures if first <= m.day <= last), key=lambda m: m.day)
    if not marks:
        return [], {}
    rows = _strip_rows([m.day.toordinal() for m in marks], max(1.0, MEASURE_GAP * (last - first).days))
    styles = ["reached" if m.reached else m.kind for m in marks]
    traces = []
    for style in (style for style in MEASURE_SYMBOLS if style in styles):  # in the order of a measure's life
        chosen = [(m, r) for m, r, s in zip(marks, rows, styles, strict=True) if s == style]
        traces.append(scatter(
            x=[to_x(m.day) for m, _ in chosen], y=[r for _, r in chosen], yaxis="y2", mode="markers",
            name=t("explorer.chart.measure_kind", view.lang, kind=chosen[0][0].kind_text),
            marker=dict(symbol=MEASURE_SYMBOLS[style], size=11, color=MEASURE_COLOUR,
                        line=dict(color=MEASURE_COLOUR, width=2)),
            customdata=[plain(f"{m.date_text}: {m.label} ({m.kind_text})") for m, _ in chosen],  # kind: one legend
            hovertemplate="%{customdata}<extra></extra>"))
    count = max(rows) + 1
    strip = dict(domain=STRIP, anchor="x", range=[-0.7, count - 0.3], fixedrange=True, showgrid=False,
                 automargin=False, zeroline=False, linecolor="#8a8a8a", tickvals=[(count - 1) / 2],
                 ticktext=[t("explorer.chart.measures", view.lang)], showticklabels=False)  # named above the strip
    return traces, strip


def _with_strip(layout: dict, xaxis: dict, yaxis: dict, strip: dict) -> dict:
    """The figure layout with the measures strip (if any) below the values, sharing their x axis; the strip is
    named in the gap above it (a tick label would widen the left margin, which a phone cannot spare)."""
    yaxis = dict(yaxis, automargin=False)
    if not strip:
        return dict(**layout, xaxis=xaxis, yaxis=yaxis)
    layout = dict(layout, annotations=[*layout["annotations"], dict(
        text=strip["ticktext"][0], xref="paper", yref="paper", x=0, y=STRIP[1], xanchor="left", yanchor="bottom",
        showarrow=False, font=dict(size=12, color=MEASURE_COLOUR))])
    return dict(**layout, xaxis=dict(xaxis, anchor="y2"), yaxis=dict(yaxis, domain=PLOT), yaxis2=strip)


def _year_x(day) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 365.0


def _legend(traces: list[dict]) -> None:
    """Legend entries in the order of `traces`, whatever the drawing order (plotly by itself reverses the legend of
    a figure with a filled band)."""
    for rank, trace in enumerate(traces, start=1):
        trace["legendrank"] = rank


def goal_window(view: IndicatorView) -> tuple[float, float]:
    """The years a goal chart opens on: about ten years before today up to the target year (all years when there
    are fewer), with half a year of room on each side."""
    years = [p.year for p in view.path] + [p.year for p in view.annual] + [p.year for p in view.trend]
    today = view.today.year
    if not years:
        return today - 0.5, today + 0.5
    first = max(min(years), min(today - YEARS_BACK, max(years)))
    last = max(max(years), today)
    return first - 0.5, last + 0.5


def _path_at(view: IndicatorView, year: float) -> float | None:
    """The target path's value in `year` (linear between its marks), None outside it."""
    marks = sorted(view.path, key=lambda p: p.year)
    for left, right in zip(marks, marks[1:], strict=False):
        if left.year <= year <= right.year:
            share = 0.0 if right.year == left.year else (year - left.year) / (right.year - left.year)
            return left.value + share * (right.value - left.value)
    return None


def _position_traces(view: IndicatorView, budget: int) -> list[dict]:
    """The annual values, marked by their position on the path (symbol and colour; hover and table say it in words).
    One legend entry per position while the legend has room, else one entry for all of them."""
    lang, d = view.lang, view.decimals
    positions = list(dict.fromkeys(p.status for p in view.annual))

    def hover(p) -> str:
        if p.status in ("no_goal", "running"):
            return f"{p.year}: {p.value_text} {view.unit} – {p.status_text}" if p.status == "running" else \
                f"{p.year}: {p.value_text} {view.unit}"
        return f"{p.value_text} {view.unit} – " + t("charts.position.year", lang, year=p.year, position=p.status_text)

    def style(status: str) -> tuple[str, str]:
        return STATUS_STYLE.get(status, (BLUE, "circle"))

    if len(positions) <= budget:
        traces = []
        for status in positions:
            points = [p for p in view.annual if p.status == status]
            colour, symbol = style(status)
            if status == "no_goal":
                name = t("explorer.chart.annual", lang)
            elif status == "running":
                name = points[0].status_text
            else:
                name = t("charts.position.legend", lang, position=points[0].status_text)
            traces.append(scatter(
                x=[p.year for p in points], y=[round_value(p.value, d) for p in points], mode="markers", name=name,
                marker=dict(symbol=symbol, size=11, color=colour, line=dict(color=colour, width=2)),
                customdata=[plain(hover(p)) for p in points], hovertemplate="%{customdata}<extra></extra>"))
        return traces
    points = list(view.annual)
    return [scatter(
        x=[p.year for p in points], y=[round_value(p.value, d) for p in points], mode="markers",
        name=t("charts.legend.values", lang),
        marker=dict(symbol=[style(p.status)[1] for p in points], size=11, color=[style(p.status)[0] for p in points],
                    line=dict(color=[style(p.status)[0] for p in points], width=2)),
        customdata=[plain(hover(p)) for p in points], hovertemplate="%{customdata}<extra></extra>")]


def goal_figure(view: IndicatorView) -> dict:
    """Annual values with their position on the target path, the path with baseline, milestones and target, the
    trend with its 80 % band up to the target year, a 'heute' marker, and the verdict of the page's headline in the
    legend (x = years). Opens on the years that matter (YEARS_BACK before today to the target year; the baseline,
    if left of that, is named in the chart) with a zero-based value axis; at most LEGEND_MAX legend entries."""
    lang, d = view.lang, view.decimals
    low_x, high_x = goal_window(view)
    path, trend, bands = [], [], []
    if view.path:
        path.append(scatter(x=[p.year for p in view.path], y=[p.value for p in view.path], mode="lines",
                            line=dict(color=PATH, width=2, dash="dot"), name=t("explorer.chart.path", lang),
                            hoverinfo="skip"))
    if view.trend:
        years = [p.year for p in view.trend]
        bands = band(years, [round_value(p.high, d) for p in view.trend], [round_value(p.low, d) for p in view.trend],
                     BAND, t("explorer.chart.band", lang), legendgroup="trend", showlegend=False)
        trend.append(scatter(x=years, y=[round_value(p.value, d) for p in view.trend], mode="lines", legendgroup="trend",
                             line=dict(color=TREND, width=2, dash="dash"), name=t("charts.legend.trend", lang),
                             hovertemplate="%{x}: %{y}<extra>" + t("explorer.chart.trend", lang) + "</extra>"))
    marks_on_path = []
    for kind in ("baseline", "milestone", "target"):  # labelled on the path itself: no legend entries
        marks = [p for p in view.path if p.kind == kind]
        if marks:
            marks_on_path.append(scatter(
                x=[p.year for p in marks], y=[p.value for p in marks], mode="markers+text", showlegend=False,
                marker=dict(symbol=PATH_SYMBOLS[kind], size=14 if kind == "target" else 11, color=PATH,
                            line=dict(color=PATH, width=2)),
                text=[f"{p.kind_text} {p.year}" for p in marks], cliponaxis=False,
                textposition="top left" if kind == "target" else "top center",  # the target is at the right edge
                textfont=dict(color=PATH, size=12), name=marks[0].kind_text,
                customdata=[plain(f"{p.kind_text} {p.year}: {p.value_text}") for p in marks],
                hovertemplate="%{customdata}<extra></extra>"))
    verdict = []
    if view.goal is not None:  # what the headline says, in the legend too (a square like the headline's badge,
        colour, _ = STATUS_STYLE.get(view.status, (BLUE, "circle"))  # unlike the positions' symbols)
        symbol = "square"
        verdict.append(scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                              name=t("charts.legend.status", lang, status=view.status_text),
                              marker=dict(symbol=symbol, size=12, color=colour, line=dict(color=colour, width=2))))
    today = view.today
    today_x = today.year + (today.timetuple().tm_yday - 1) / 365.0
    left_out = [p for p in view.path if p.year < low_x]
    note = t("charts.baseline_outside", lang, kind=left_out[0].kind_text, year=left_out[0].year,
             value=left_out[0].value_text) if left_out else ""  # the baseline (1990) far left of the window
    layout = indicator_layout(t("explorer.chart.goal_title", lang, name=view.name), view.source_line, lang,
                              note=note)
    annotations = layout["annotations"]
    annotations.append(dict(x=today_x, y=0.99, xref="x", yref="paper", text=t("explorer.chart.today", lang),
                            showarrow=False, yanchor="top", xanchor="left", xshift=4,
                            font=dict(color="#1a1a1a", size=12), bgcolor="#ffffff"))
    marks, strip = measure_strip(view, _year_x, date(int(low_x + 0.5), 1, 1), date(int(high_x - 0.5), 12, 31))
    marks = _one_measures_entry(marks, lang)
    layout["shapes"] = [dict(type="line", x0=today_x, x1=today_x, y0=0, y1=1, xref="x", yref="paper",
                             line=dict(color="#1a1a1a", width=1.5, dash="dot"))]
    values = _position_traces(view, LEGEND_MAX - len(path + trend + verdict) - (1 if marks else 0))
    _legend([*values, *verdict, *path, *trend, *marks_on_path, *bands, *marks])
    data = [*bands, *trend, *path, *marks_on_path, *values, *verdict, *marks]  # drawn bottom to top
    xaxis = plot_axis(None, **year_axis([low_x + 0.5, high_x - 0.5]))
    xaxis["range"] = [low_x, high_x]
    narrow_year_ticks(layout, xaxis, low_x, high_x)
    yaxis = plot_axis(view.unit, range=[0, _top(view, low_x, high_x)])
    return figure_dict(data, _with_strip(layout, xaxis, yaxis, strip))


def _top(view: IndicatorView, low_x: float, high_x: float) -> float:
    """The top of a zero-based value axis over the window's values, path and trend band (with room for labels)."""
    values = [p.value for p in view.annual if low_x <= p.year <= high_x]
    values += [p.value for p in view.path if low_x <= p.year <= high_x]
    values += [p.high for p in view.trend if low_x <= p.year <= high_x]
    edge = _path_at(view, low_x + 0.5)
    if edge is not None:
        values.append(edge)
    top = max(values, default=1.0)
    return round(top * 1.18, 6) if top > 0 else 1.0


def _one_measures_entry(marks: list[dict], lang: str) -> list[dict]:
    """The measures strip as one legend entry (its symbols per kind are named in the hover and the table)."""
    for index, trace in enumerate(marks):
        trace["legendgroup"] = "measures"
        if index == 0:
            trace["name"] = t("explorer.chart.measures", lang)
        else:
            trace["showlegend"] = False
    return marks


def series_figure(view: IndicatorView) -> dict:
    """The sub-annual series at the chosen resolution with its min/max envelope and the previous year."""
    lang, d = view.lang, view.decimals
    data = []
    points = view.series
    if view.envelope:
        xs = [p.x for p in points]
        data += band(xs, [round_value(p.high, d) for p in points], [round_value(p.low, d) for p in points],
                     LIGHT_BLUE, t("explorer.chart.envelope", lang))
    if view.previous:
        data.append(scatter(x=[p.x for p in view.previous], y=[round_value(p.value, d) for p in view.previous],
                                 mode="lines", line=dict(color=GREY, width=1.5, dash="dot"),
                                 name=t("explorer.chart.previous", lang),
                                 customdata=[p.label for p in view.previous],
                                 hovertemplate="%{customdata}: %{y}<extra></extra>"))
    data.append(scatter(x=[p.x for p in points], y=[round_value(p.value, d) for p in points],
                             mode="lines" if len(points) > 60 else "lines+markers",
                             line=dict(color=BLUE, width=2), marker=dict(size=5),
                             name=t("explorer.chart.value", lang, per=t(f"explorer.per.{view.grain}", lang)),
                             customdata=[p.label for p in points],
                             hovertemplate="%{customdata}: %{y}<extra></extra>"))
    title = t("explorer.chart.series_title", lang, name=view.name, per=t(f"explorer.per.{view.grain}", lang))
    layout = indicator_layout(title, view.source_line, lang)
    marks, strip = [], {}
    if view.series:
        first, last = (date.fromisoformat(str(view.series[i].x)[:10]) for i in (0, -1))
        marks, strip = measure_strip(view, lambda day: day.isoformat(), first, last)
    _legend([*reversed(data), *_one_measures_entry(marks, lang)])
    return figure_dict([*data, *marks], _with_strip(
        layout, plot_axis(None, **date_axis([p.x for p in points], view.grain, lang)), plot_axis(view.unit), strip))
