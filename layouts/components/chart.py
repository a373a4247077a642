"""Plotly figures of the indicator page and the explorer, built from view models.

Every figure carries its title and a source line (provider, dataset, licence) inside the image, so the
chart's own PNG export names them too. No template (keeps each figure's JSON small), numbers in the locale's
separators, status by symbol and legend word as well as colour. Maps are plain GeoJSON polygons on a geo
subplot whose base layers are all off: no tiles, no third-party requests (the topojson plotly asks for is a
tiny local file).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import plotly.colors
import plotly.graph_objects as go
import plotly.io
from dash import dcc, html

from cockpit.i18n import t
from cockpit.views.explore import Comparison, Panel
from cockpit.views.indicator import IndicatorView

BLUE = "#1d4f91"
LIGHT_BLUE = "rgba(29, 79, 145, 0.16)"
GREY = "#5f6368"
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
TOPOJSON_URL = "/assets/explorer-topojson/"
DISTRICT_COLOURS = ("#1d4f91", "#b35900", "#1a7f37", "#6a3d9a", "#b3261e", "#00796b", "#8d6e00", "#c2185b",
                    "#455a64", "#5d4037", "#303f9f", "#558b2f")


def _separators(lang: str) -> str:
    return ",." if lang == "de" else ".,"


def wrap(text: str, width: int = 95) -> str:
    """Break a long source line into lines of at most about `width` characters (plotly text takes <br>)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def _base_layout(title: str, source: str, lang: str, height: int = 420, **extra) -> dict:
    source = wrap(source)
    return dict(
        title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top", font=dict(size=17, color="#1a1a1a")),
        separators=_separators(lang),
        height=height,
        margin=dict(l=64, r=24, t=92, b=96),
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        font=dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13, color="#1a1a1a"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"),
        annotations=[dict(text=source, xref="paper", yref="paper", x=0, y=0, yshift=-44, xanchor="left",
                          yanchor="top", align="left", showarrow=False, font=dict(size=12, color="#333333"))],
        hoverlabel=dict(bgcolor="#ffffff"),
        **extra,
    )


def _axis(title: str | None = None, **extra) -> dict:
    return dict(title=dict(text=title) if title else {}, showgrid=True, gridcolor="#e3e3e3", zeroline=False,
                linecolor="#8a8a8a", ticks="outside", **extra)


# toolbar buttons we never show: selections (nothing reacts to them) and everything that talks to plotly's cloud
REMOVED_BUTTONS = ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "sendChartToCloud", "sendDataToCloud",
                   "editInChartStudio"]


def graph_config(filename: str, lang: str) -> dict:
    """dcc.Graph config: image export (PNG, with title and source line in the image), no plotly logo or link, no
    button that sends the chart to a third party (plotly's cloud), toolbar texts in the page's language (the German
    locale is served from assets/plotly-locale-de.js), no tiles."""
    return {
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "plotlyServerURL": "",
        "locale": "de" if lang == "de" else "en",
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1400, "height": 700, "scale": 1},
        "modeBarButtonsToRemove": REMOVED_BUTTONS,
        "topojsonURL": TOPOJSON_URL,
    }


def graph(figure: go.Figure | dict, element_id: str, filename: str, lang: str, label: str,
          class_name: str = "explorer-graph") -> html.Figure:
    """A chart as <figure> with an accessible name; the data table alternative is rendered next to it."""
    return html.Figure(
        dcc.Graph(id=element_id, figure=figure, config=graph_config(filename, lang), className=class_name),
        className="explorer-figure", role="group", **{"aria-label": label},
    )


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(float(value), decimals + 3)


# ------------------------------------------------------------------------------------------------ indicator


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
        traces.append(_scatter(
            x=[to_x(m.day) for m, _ in chosen], y=[r for _, r in chosen], yaxis="y2", mode="markers",
            name=t("explorer.chart.measure_kind", view.lang, kind=chosen[0][0].kind_text),
            marker=dict(symbol=MEASURE_SYMBOLS[style], size=11, color=MEASURE_COLOUR,
                        line=dict(color=MEASURE_COLOUR, width=2)),
            customdata=[f"{m.date_text}: {m.label}" for m, _ in chosen], hovertemplate="%{customdata}<extra></extra>"))
    count = max(rows) + 1
    strip = dict(domain=STRIP, anchor="x", range=[-0.7, count - 0.3], fixedrange=True, showgrid=False,
                 automargin=True, zeroline=False, linecolor="#8a8a8a", tickvals=[(count - 1) / 2],
                 ticktext=[t("explorer.chart.measures", view.lang)])
    return traces, strip


LEGEND_COLUMNS = 4  # legend entries per row on a chart of a department screen (about 1,100 px wide)
LEGEND_ROW = 20  # px


def _legend_order(layout: dict, traces: list[dict]) -> None:
    """Legend entries in the order of `traces`, whatever the drawing order (plotly by itself reverses the legend
    of a figure with a filled band). A legend of more than two rows gets room above the plot: the figure grows,
    so the legend neither runs into the title nor squeezes the values."""
    layout["legend"] = {**layout["legend"], "traceorder": "normal"}
    for rank, trace in enumerate(traces, start=1):
        trace["legendrank"] = rank
    entries = sum(trace.get("showlegend") is not False for trace in traces)
    extra = max(0, -(-entries // LEGEND_COLUMNS) - 2) * LEGEND_ROW
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + extra}
    layout["height"] += extra


def _with_strip(layout: dict, xaxis: dict, yaxis: dict, strip: dict) -> dict:
    """The figure layout with the measures strip (if any) below the values, sharing their x axis."""
    if not strip:
        return dict(**layout, xaxis=xaxis, yaxis=yaxis)
    return dict(**layout, xaxis=dict(xaxis, anchor="y2"), yaxis=dict(yaxis, domain=PLOT), yaxis2=strip)


# the tick labels of a date axis per resolution (plotly's d3 time formats; German and English order)
DATE_TICKS = {"hour": ("%d.%m. %H:%M", "%d %b %H:%M"), "day": ("%d.%m.%Y", "%d %b %Y"),
              "week": ("%d.%m.%Y", "%d %b %Y"), "month": ("%m/%Y", "%b %Y"), "year": ("%Y", "%Y")}
BUCKET_SPAN = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7),
               "month": timedelta(days=31), "year": timedelta(days=366)}


def year_axis(years: list[float]) -> dict:
    """A year axis with whole years only: one tick per year up to 12 years, then every 2nd, 5th, ... year; a
    single year gets half a year of room on each side (plotly would otherwise tick fractions: '2026 2026 2026')."""
    low, high = min(years), max(years)
    span = high - low
    step = next(step for step in (1, 2, 5, 10, 20, 50, 100) if span / step <= 12 or step == 100)
    return dict(tickformat="d", tick0=0, dtick=step, range=[low - 0.5, high + 0.5] if span < 1 else None)


def date_axis(xs: list[str], grain: str, lang: str) -> dict:
    """Dates as ticks in the resolution's format; a single bucket gets one bucket of room on each side (plotly
    would otherwise tick milliseconds around it)."""
    de = lang == "de"
    axis = dict(type="date", hoverformat="%d.%m.%Y" if de else "%d %b %Y",
                tickformat=DATE_TICKS.get(grain, DATE_TICKS["day"])[0 if de else 1])
    if len(set(xs)) == 1:
        middle = datetime.fromisoformat(xs[0])
        room = BUCKET_SPAN.get(grain, BUCKET_SPAN["day"])
        axis["range"] = [(middle - room).isoformat(sep=" "), (middle + room).isoformat(sep=" ")]
        axis["dtick"] = room.total_seconds() * 1000
    return axis


def _year_x(day) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 365.0


def goal_figure(view: IndicatorView) -> dict:
    """Annual values judged by the goal engine, target path with milestones and target, trend with its 80 % band
    up to the target year, and a 'heute' marker (x = years)."""
    lang, d = view.lang, view.decimals
    data = []
    if view.trend:
        years = [p.year for p in view.trend]
        data.append(_scatter(x=years, y=[_round(p.high, d) for p in view.trend], mode="lines",
                                 line=dict(width=0), hoverinfo="skip", showlegend=False))
        data.append(_scatter(x=years, y=[_round(p.low, d) for p in view.trend], mode="lines",
                                 line=dict(width=0), fill="tonexty", fillcolor=BAND, hoverinfo="skip",
                                 name=t("explorer.chart.band", lang)))
        data.append(_scatter(x=years, y=[_round(p.value, d) for p in view.trend], mode="lines",
                                 line=dict(color=TREND, width=2, dash="dash"), name=t("explorer.chart.trend", lang),
                                 hovertemplate="%{x}: %{y}<extra>" + t("explorer.chart.trend", lang) + "</extra>"))
    if view.path:
        data.append(_scatter(x=[p.year for p in view.path], y=[p.value for p in view.path], mode="lines",
                                 line=dict(color=PATH, width=2, dash="dot"), name=t("explorer.chart.path", lang),
                                 hoverinfo="skip"))
        for kind in ("baseline", "milestone", "target"):
            marks = [p for p in view.path if p.kind == kind]
            if marks:
                data.append(_scatter(
                    x=[p.year for p in marks], y=[p.value for p in marks], mode="markers+text",
                    marker=dict(symbol=PATH_SYMBOLS[kind], size=14 if kind == "target" else 11, color=PATH,
                                line=dict(color=PATH, width=2)),
                    text=[f"{p.kind_text} {p.year}" for p in marks], textposition="top center", cliponaxis=False,
                    textfont=dict(color=PATH, size=12), name=marks[0].kind_text,
                    customdata=[f"{p.kind_text} {p.year}: {p.value_text}" for p in marks],
                    hovertemplate="%{customdata}<extra></extra>"))
    statuses = []
    for point in view.annual:
        if point.status not in statuses:
            statuses.append(point.status)
    for status in statuses:
        points = [p for p in view.annual if p.status == status]
        colour, symbol = STATUS_STYLE.get(status, (BLUE, "circle"))
        name = t("explorer.chart.annual", lang) if status == "no_goal" else points[0].status_text
        data.append(_scatter(
            x=[p.year for p in points], y=[_round(p.value, d) for p in points], mode="markers", name=name,
            marker=dict(symbol=symbol, size=11, color=colour, line=dict(color=colour, width=2)),
            customdata=[f"{p.year}: {p.value_text} {view.unit} – {p.status_text}" for p in points],
            hovertemplate="%{customdata}<extra></extra>"))
    today = view.today
    today_x = today.year + (today.timetuple().tm_yday - 1) / 365.0
    layout = _base_layout(t("explorer.chart.goal_title", lang, name=view.name), view.source_line, lang)
    layout["annotations"].append(dict(x=today_x, y=0.99, xref="x", yref="paper", text=t("explorer.chart.today", lang),
                                      showarrow=False, yanchor="top", xanchor="left", xshift=4,
                                      font=dict(color="#1a1a1a", size=12), bgcolor="#ffffff"))
    years = [p.year for p in view.path] + [p.year for p in view.annual]
    marks, strip = measure_strip(view, _year_x, date(min(years, default=today.year), 1, 1),
                                 date(max(years, default=today.year), 12, 31))
    xs = [*years, *(p.year for p in view.trend), today_x]
    layout["shapes"] = [dict(type="line", x0=today_x, x1=today_x, y0=0, y1=1, xref="x", yref="paper",
                             line=dict(color="#1a1a1a", width=1.5, dash="dot"))]
    _legend_order(layout, [*reversed(data), *marks])  # values and status first, the band, then the measures
    return _figure([*data, *marks], _with_strip(layout, _axis(t("explorer.col.year", lang), **year_axis(xs)),
                                                _axis(view.unit, rangemode="tozero"), strip))


def series_figure(view: IndicatorView) -> dict:
    """The sub-annual series at the chosen resolution with its min/max envelope and the previous year."""
    lang, d = view.lang, view.decimals
    data = []
    points = view.series
    if view.envelope:
        xs = [p.x for p in points]
        data.append(_scatter(x=xs, y=[_round(p.high, d) for p in points], mode="lines", line=dict(width=0),
                                 hoverinfo="skip", showlegend=False))
        data.append(_scatter(x=xs, y=[_round(p.low, d) for p in points], mode="lines", line=dict(width=0),
                                 fill="tonexty", fillcolor=LIGHT_BLUE, hoverinfo="skip",
                                 name=t("explorer.chart.envelope", lang)))
    if view.previous:
        data.append(_scatter(x=[p.x for p in view.previous], y=[_round(p.value, d) for p in view.previous],
                                 mode="lines", line=dict(color=GREY, width=1.5, dash="dot"),
                                 name=t("explorer.chart.previous", lang),
                                 customdata=[p.label for p in view.previous],
                                 hovertemplate="%{customdata}: %{y}<extra></extra>"))
    data.append(_scatter(x=[p.x for p in points], y=[_round(p.value, d) for p in points],
                             mode="lines" if len(points) > 60 else "lines+markers",
                             line=dict(color=BLUE, width=2), marker=dict(size=5),
                             name=t("explorer.chart.value", lang, per=t(f"explorer.per.{view.grain}", lang)),
                             customdata=[p.label for p in points],
                             hovertemplate="%{customdata}: %{y}<extra></extra>"))
    title = t("explorer.chart.series_title", lang, name=view.name, per=t(f"explorer.per.{view.grain}", lang))
    layout = _base_layout(title, view.source_line, lang)
    marks, strip = [], {}
    if view.series:
        first, last = (date.fromisoformat(str(view.series[i].x)[:10]) for i in (0, -1))
        marks, strip = measure_strip(view, lambda day: day.isoformat(), first, last)
    _legend_order(layout, [*reversed(data), *marks])
    return _figure([*data, *marks], _with_strip(
        layout, _axis(None, **date_axis([p.x for p in points], view.grain, lang)), _axis(view.unit), strip))


# ------------------------------------------------------------------------------------------------ explorer


BLUES = [[i / 8, colour] for i, colour in enumerate(plotly.colors.sequential.Blues)]  # plotly's "Blues", resolved
EMPTY_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}  # what go.layout.Template() serialises to


def _scatter(**props) -> dict:
    return {"type": "scatter", **props}


def _plain(value):
    """Drop unset (None) and empty ({}) properties from nested dicts, as plotly's validation does; None inside
    lists stays."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != {}}
    if isinstance(value, list | tuple):
        return [_plain(v) if isinstance(v, dict) else v for v in value]
    return value


def _figure(data: list[dict], layout: dict) -> dict:
    """A figure as the plain dict dcc.Graph takes: the same content as go.Figure without its (slow) validation."""
    layout = {**layout, "template": EMPTY_TEMPLATE}
    return {"data": [_plain(trace) for trace in data], "layout": _plain(layout)}


def panel_figure(panel: Panel, x_range: tuple[str, str], lang: str, height: int = 340) -> dict:
    """One small multiple: the city-wide series and each chosen district; the time axis is shared (same range)."""
    data = []
    d = panel.decimals
    for index, trace in enumerate(panel.traces):
        colour = DISTRICT_COLOURS[index % len(DISTRICT_COLOURS)]
        xs = [p.x for p in trace.points]
        if trace.envelope and len(panel.traces) == 1:
            data.append(_scatter(x=xs, y=[_round(p.high, d) for p in trace.points], mode="lines",
                                 line=dict(width=0), hoverinfo="skip", showlegend=False))
            data.append(_scatter(x=xs, y=[_round(p.low, d) for p in trace.points], mode="lines",
                                 line=dict(width=0), fill="tonexty", fillcolor=LIGHT_BLUE, hoverinfo="skip",
                                 name=t("explorer.chart.envelope", lang)))
        data.append(_scatter(
            x=xs, y=[_round(p.value, d) for p in trace.points], name=trace.name,
            mode="lines" if len(trace.points) > 60 else "lines+markers",
            line=dict(color=colour, width=3 if trace.district == "" else 2,
                      dash="solid" if trace.district == "" else ["dash", "dot", "dashdot", "longdash"][index % 4]),
            marker=dict(size=5), customdata=[p.label for p in trace.points],
            hovertemplate="%{customdata}: %{y}<extra>" + trace.name + "</extra>"))
    title = f"{panel.name} ({panel.unit})"
    return _figure(data, dict(**_base_layout(title, panel.source_line, lang, height=height),
                              xaxis=_axis(None, type="date", range=list(x_range)), yaxis=_axis(panel.unit)))


def ranking_figure(comparison: Comparison, per1000: bool, lang: str) -> dict:
    """Districts ranked by value (absolute or per 1,000 inhabitants), the city as reference line, districts
    without data named and marked 'keine Daten' (never drawn as zero)."""
    values = [(v, v.per1000 if per1000 else v.absolute) for v in comparison.values]
    values.sort(key=lambda item: (item[1] is None, -(item[1] or 0.0)))
    names = [v.name for v, _ in values]
    xs = [x for _, x in values]
    texts = [(v.per1000_text if per1000 else v.absolute_text) for v, _ in values]
    data = [dict(
        type="bar", x=[x if x is not None else 0 for x in xs], y=names, orientation="h", marker=dict(color=BLUE),
        text=texts, textposition="outside", cliponaxis=False, customdata=texts,
        hovertemplate="%{y}: %{customdata}<extra></extra>", name=comparison.name, showlegend=False)]
    label = comparison.per1000_label if per1000 else comparison.absolute_label
    layout = _base_layout(f"{label} – {comparison.period_text}", comparison.source_line, lang,
                          height=150 + 34 * len(names))
    shapes = []
    reference = comparison.city_per1000 if per1000 else comparison.district_mean_absolute
    if reference is not None:
        shapes.append(dict(type="line", x0=reference, x1=reference, y0=0, y1=1, xref="x", yref="paper",
                           line=dict(color="#1a1a1a", width=2, dash="dash")))
        text = t("explorer.chart.city_ref", lang, value=comparison.city_text) if per1000 else \
            t("explorer.chart.mean_ref", lang)
        layout["annotations"].append(dict(x=reference, y=1, xref="x", yref="paper", text=text, showarrow=False,
                                          yanchor="bottom", font=dict(size=12)))
    layout["margin"] = dict(l=170, r=80, t=72, b=80)
    return _figure(data, dict(**layout, shapes=shapes, xaxis=_axis(None, rangemode="tozero"),
                              yaxis=dict(autorange="reversed", ticks=""), showlegend=False))


def map_figure(comparison: Comparison, lang: str) -> dict:
    """Choropleth of the districts from plain GeoJSON (no tiles): colour = value per 1,000 inhabitants (or the
    value), districts without data grey, hatched and labelled 'keine Daten'."""
    geometry = comparison.geometry or {"type": "FeatureCollection", "features": []}
    per1000 = comparison.has_per1000
    by_id = {v.id: v for v in comparison.values}
    shown = [f["id"] for f in geometry["features"] if f["id"] in by_id]
    with_data = [i for i in shown if (by_id[i].per1000 if per1000 else by_id[i].absolute) is not None]
    without = [i for i in shown if i not in with_data]
    unit = comparison.per1000_label if per1000 else comparison.unit
    data = []
    if with_data:
        z = [(by_id[i].per1000 if per1000 else by_id[i].absolute) for i in with_data]
        data.append(dict(
            type="choropleth", geojson=geometry, featureidkey="id", locations=with_data,
            z=[_round(v, 2) for v in z], colorscale=BLUES, marker=dict(line=dict(color="#ffffff", width=1.5)),
            showscale=False,  # plotly's colour bar sets style attributes (blocked by the CSP); labels name values
            customdata=[f"{by_id[i].name}: {by_id[i].per1000_text if per1000 else by_id[i].absolute_text}"
                        for i in with_data],
            hovertemplate="%{customdata}<extra></extra>", name=comparison.name))
    if without:
        data.append(dict(
            type="choropleth", geojson=geometry, featureidkey="id", locations=without, z=[0] * len(without),
            colorscale=[[0, "#e6e6e6"], [1, "#e6e6e6"]], showscale=False,
            marker=dict(line=dict(color="#ffffff", width=1.5)),
            customdata=[f"{by_id[i].name}: {t('explorer.no_data', lang)}" for i in without],
            hovertemplate="%{customdata}<extra></extra>", name=t("explorer.no_data", lang)))
    if comparison.hatches:
        lons, lats = [], []
        for (x1, y1), (x2, y2) in comparison.hatches:
            lons += [round(x1, 5), round(x2, 5), None]
            lats += [round(y1, 5), round(y2, 5), None]
        data.append(dict(type="scattergeo", lon=lons, lat=lats, mode="lines", line=dict(color="#6b6b6b", width=1),
                         hoverinfo="skip", name=t("explorer.chart.hatched", lang)))
    labels = [(i, comparison.centroids.get(i)) for i in shown]
    labels = [(i, c) for i, c in labels if c is not None]
    if labels:
        values = {i: (by_id[i].per1000 if per1000 else by_id[i].absolute) for i, _ in labels}
        known = [v for v in values.values() if v is not None]
        top = max(known) if known else 0.0
        colours = ["#ffffff" if values[i] is not None and top and values[i] > 0.6 * top else "#1a1a1a"
                   for i, _ in labels]  # white on the dark end of the colour scale
        data.append(dict(
            type="scattergeo", lon=[c[0] for _, c in labels], lat=[c[1] for _, c in labels], mode="text",
            text=[f"{by_id[i].name.replace('/', '/<br>')}<br>"
                  f"{by_id[i].per1000_text if per1000 else by_id[i].absolute_text}"
                  for i, _ in labels],
            textfont=dict(size=13, color=colours), hoverinfo="skip", showlegend=False))
    source = comparison.source_line + (f" · {comparison.geometry_note}" if comparison.geometry_note else "")
    title = t("explorer.chart.map_title", lang, name=comparison.name, label=unit, period=comparison.period_text)
    layout = _base_layout(title, source, lang, height=640)
    layout["margin"] = dict(l=10, r=10, t=92, b=60)
    layout["annotations"][0]["yshift"] = -12
    return _figure(data, dict(**layout, geo=dict(fitbounds="locations", visible=False,
                                                 projection=dict(type="mercator"), bgcolor="#ffffff")))


def figure_json_size(figure: go.Figure | dict) -> int:
    if isinstance(figure, dict):
        return len(plotly.io.to_json(figure, validate=False).encode("utf-8"))
    return len(figure.to_json().encode("utf-8"))
