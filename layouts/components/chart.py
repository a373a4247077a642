"""Plotly figures of the indicator page and the explorer, built from view models.

Every figure carries its title and a source line (provider, dataset, licence) inside the image, so the
chart's own PNG export names them too. No template (keeps each figure's JSON small), numbers in the locale's
separators, status by symbol and legend word as well as colour. Maps are plain GeoJSON polygons on a geo
subplot whose base layers are all off: no tiles, no third-party requests (the topojson plotly asks for is a
tiny local file).
"""

from __future__ import annotations

import html as html_text
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


def plain(text: str) -> str:
    """A name or label as literal chart text: plotly reads '<b>', '<a href=…>' and entities in titles, annotations,
    legends and hovers as markup, so a measure or milestone named '<a href=…>' would become a link. Escaped, it
    shows as typed (plotly turns the entities back into the characters)."""
    return html_text.escape(str(text), quote=False)


def wrap(text: str, width: int = 95) -> str:
    """Break a long source line into lines of at most about `width` characters (plotly text takes <br>)."""
    lines, line = [], ""
    words = []
    for word in text.split(" "):  # a word longer than a line (an address) is cut into pieces of a line
        while len(word) > width:
            words.append(word[:width])
            word = word[width:]
        words.append(word)
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def _base_layout(title: str, source: str, lang: str, height: int = 420, **extra) -> dict:
    title, source = plain(title), wrap(plain(source))
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
    return dict(title=dict(text=plain(title)) if title else {}, showgrid=True, gridcolor="#e3e3e3", zeroline=False,
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
        [dcc.Graph(id=element_id, figure=figure, config=graph_config(filename, lang), className=class_name),
         # the toolbar's camera gives a PNG; this button the same chart as SVG (assets/charts.js, no third party)
         html.Button(t("charts.download.svg", lang), type="button", className="chart-download",
                     **{"data-graph": element_id, "data-filename": filename})],
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


LEGEND_MAX = 6  # legend entries of an indicator chart by default (more is read by nobody, least of all on a phone)
YEARS_BACK = 10  # an indicator's goal chart opens on the last ten years up to the target year
INDICATOR_HEIGHT = 560


NARROW_WIDTH = 560  # px: below this a chart takes its narrow layout (assets/charts.js switches between the two)


LEFT = 60  # px left of the plot: tick labels and the unit (fixed: the head is placed from it)
TITLE_LINE, SOURCE_LINE = 22, 16  # px per line of the title (17 px type) and the source line (12 px)


def _heads(title: str, source: str, title_width: int, source_width: int, title_size: int, left: int,
           note: str = "") -> dict:
    """Title and source line wrapped to the given number of characters, as relayout updates of the two head
    annotations (0: title, 1: source; placed from the plot's top left corner into the margin) and the margins."""
    title, source = wrap(plain(title), title_width), wrap(plain(source), source_width)
    if note:
        source += "<br>" + wrap(plain(note), source_width)
    title_lines, source_lines = title.count("<br>") + 1, source.count("<br>") + 1
    top = 10 + title_lines * TITLE_LINE + 4 + source_lines * SOURCE_LINE + 30
    return {"annotations[0].text": title, "annotations[0].font.size": title_size,
            "annotations[0].yshift": top - 10, "annotations[0].xshift": 12 - left,
            "annotations[1].text": source, "annotations[1].yshift": top - 14 - title_lines * TITLE_LINE,
            "annotations[1].xshift": 12 - left, "margin.t": top, "margin.l": left}


def _indicator_layout(title: str, source: str, lang: str, height: int = INDICATOR_HEIGHT, note: str = "") -> dict:
    """An indicator chart's layout: title and source line (with the licence) on top, inside the image, so the image
    download names them; the legend below the plot (on a narrow screen it wraps into rows instead of squeezing the
    values). `meta` holds a wide and a narrow variant (wrapped title and source, margins, height, year ticks) that
    assets/charts.js applies by the chart's width, so that nothing is cut on a phone (375 px). Further annotations
    go after the two of the head (indexes 0 and 1)."""
    layout = _base_layout(title, source, lang, height=height)
    wide = {**_heads(title, source, 90, 120, 17, LEFT, note), "height": height}
    narrow = {**_heads(title, source, 28, 40, 15, LEFT, note), "height": height + 200}
    head = dict(xref="paper", yref="paper", x=0, xanchor="left", y=1, yanchor="top", showarrow=False, align="left")
    layout["title"] = None
    layout["annotations"] = [
        dict(head, text=wide["annotations[0].text"], yshift=wide["annotations[0].yshift"],
             xshift=wide["annotations[0].xshift"], font=dict(size=17, color="#1a1a1a")),
        dict(head, text=wide["annotations[1].text"], yshift=wide["annotations[1].yshift"],
             xshift=wide["annotations[1].xshift"], font=dict(size=12, color="#333333")),
    ]
    layout["margin"] = dict(l=LEFT, r=20, t=wide["margin.t"], b=40)
    layout["legend"] = dict(orientation="h", x=0, xanchor="left", y=-0.08, yanchor="top", traceorder="normal")
    layout["meta"] = {"narrowWidth": NARROW_WIDTH, "wide": wide, "narrow": narrow}
    return layout


def _narrow_year_ticks(layout: dict, xaxis: dict, low: float, high: float) -> None:
    """Fewer year ticks on a narrow chart (every 5th year when the window spans more than 6 years)."""
    axis = "xaxis"
    layout["meta"]["wide"][f"{axis}.dtick"] = xaxis.get("dtick", 1)
    layout["meta"]["narrow"][f"{axis}.dtick"] = 5 if high - low > 6 else xaxis.get("dtick", 1)


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
            traces.append(_scatter(
                x=[p.year for p in points], y=[_round(p.value, d) for p in points], mode="markers", name=name,
                marker=dict(symbol=symbol, size=11, color=colour, line=dict(color=colour, width=2)),
                customdata=[plain(hover(p)) for p in points], hovertemplate="%{customdata}<extra></extra>"))
        return traces
    points = list(view.annual)
    return [_scatter(
        x=[p.year for p in points], y=[_round(p.value, d) for p in points], mode="markers",
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
    path, trend, band = [], [], []
    if view.path:
        path.append(_scatter(x=[p.year for p in view.path], y=[p.value for p in view.path], mode="lines",
                             line=dict(color=PATH, width=2, dash="dot"), name=t("explorer.chart.path", lang),
                             hoverinfo="skip"))
    if view.trend:
        years = [p.year for p in view.trend]
        band.append(_scatter(x=years, y=[_round(p.high, d) for p in view.trend], mode="lines", line=dict(width=0),
                             hoverinfo="skip", showlegend=False, legendgroup="trend"))
        band.append(_scatter(x=years, y=[_round(p.low, d) for p in view.trend], mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor=BAND, hoverinfo="skip", showlegend=False, legendgroup="trend",
                             name=t("explorer.chart.band", lang)))
        trend.append(_scatter(x=years, y=[_round(p.value, d) for p in view.trend], mode="lines", legendgroup="trend",
                              line=dict(color=TREND, width=2, dash="dash"), name=t("charts.legend.trend", lang),
                              hovertemplate="%{x}: %{y}<extra>" + t("explorer.chart.trend", lang) + "</extra>"))
    marks_on_path = []
    for kind in ("baseline", "milestone", "target"):  # labelled on the path itself: no legend entries
        marks = [p for p in view.path if p.kind == kind]
        if marks:
            marks_on_path.append(_scatter(
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
        verdict.append(_scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                              name=t("charts.legend.status", lang, status=view.status_text),
                              marker=dict(symbol=symbol, size=12, color=colour, line=dict(color=colour, width=2))))
    today = view.today
    today_x = today.year + (today.timetuple().tm_yday - 1) / 365.0
    left_out = [p for p in view.path if p.year < low_x]
    note = t("charts.baseline_outside", lang, kind=left_out[0].kind_text, year=left_out[0].year,
             value=left_out[0].value_text) if left_out else ""  # the baseline (1990) far left of the window
    layout = _indicator_layout(t("explorer.chart.goal_title", lang, name=view.name), view.source_line, lang,
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
    _legend([*values, *verdict, *path, *trend, *marks_on_path, *band, *marks])
    data = [*band, *trend, *path, *marks_on_path, *values, *verdict, *marks]  # drawn bottom to top
    xaxis = _axis(None, **year_axis([low_x + 0.5, high_x - 0.5]))
    xaxis["range"] = [low_x, high_x]
    _narrow_year_ticks(layout, xaxis, low_x, high_x)
    yaxis = _axis(view.unit, range=[0, _top(view, low_x, high_x)])
    return _figure(data, _with_strip(layout, xaxis, yaxis, strip))


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
    layout = _indicator_layout(title, view.source_line, lang)
    marks, strip = [], {}
    if view.series:
        first, last = (date.fromisoformat(str(view.series[i].x)[:10]) for i in (0, -1))
        marks, strip = measure_strip(view, lambda day: day.isoformat(), first, last)
    _legend([*reversed(data), *_one_measures_entry(marks, lang)])
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
