"""The shared pieces of every chart (indicator page, explorer, climate pathway): colours, the base layout with the
title and source line inside the image, axes, the indicator chart's frame with its wide and narrow variant, the
figure as a plain dict, and the accessible <figure> around a dcc.Graph.

Every figure carries its title and a source line (provider, dataset, licence) inside the image, so the chart's own
PNG export names them too. No template (keeps each figure's JSON small), numbers in the locale's separators. The
figure modules (`chart` for the indicator page, `chart_explore` for the explorer, `pathway`) build on these.
"""

from __future__ import annotations

import html as html_text
from datetime import datetime, timedelta

import plotly.graph_objects as go
import plotly.io
from dash import dcc, html

from cockpit.i18n import t

BLUE = "#1d4f91"
LIGHT_BLUE = "rgba(29, 79, 145, 0.16)"
GREY = "#5f6368"
TOPOJSON_URL = "/assets/explorer-topojson/"


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


def base_layout(title: str, source: str, lang: str, height: int = 420, **extra) -> dict:
    """A chart's layout: the title on top and the source line (wrapped) below the plot, both inside the image;
    white ground, the locale's number separators, the legend above the plot. `extra` adds layout keys."""
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


def plot_axis(title: str | None = None, **extra) -> dict:
    """An x or y axis with a light grid and outside ticks; the title (a unit, say) as literal text."""
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
    """A chart as <figure> with an accessible name; the data table alternative is rendered next to it.

    A responsive graph takes its container's height, not the layout's: the container starts at the layout's
    height, and assets/charts.js keeps it at the height of the variant it applies (wide or narrow)."""
    height = figure.get("layout", {}).get("height") if isinstance(figure, dict) else figure.layout.height
    fixed = {"style": {"height": f"{height}px"}} if height else {}
    return html.Figure(
        [dcc.Graph(id=element_id, figure=figure, config=graph_config(filename, lang), className=class_name, **fixed),
         # the toolbar's camera gives a PNG; this button the same chart as SVG (assets/charts.js, no third party)
         html.Button(t("charts.download.svg", lang), type="button", className="chart-download",
                     **{"data-graph": element_id, "data-filename": filename})],
        className="explorer-figure", role="group", **{"aria-label": label},
    )


def round_value(value: float | None, decimals: int) -> float | None:
    """A value for the figure JSON: enough decimals for the hover, not the float noise of a computation."""
    return None if value is None else round(float(value), decimals + 3)


# ------------------------------------------------------------------------------------------------ axes


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


# ------------------------------------------------------------------------------------------------ indicator frame


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


def indicator_layout(title: str, source: str, lang: str, height: int = INDICATOR_HEIGHT, note: str = "") -> dict:
    """An indicator chart's layout: title and source line (with the licence) on top, inside the image, so the image
    download names them; the legend below the plot (on a narrow screen it wraps into rows instead of squeezing the
    values). `meta` holds a wide and a narrow variant (wrapped title and source, margins, height, year ticks) that
    assets/charts.js applies by the chart's width, so that nothing is cut on a phone (375 px). Further annotations
    go after the two of the head (indexes 0 and 1)."""
    layout = base_layout(title, source, lang, height=height)
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


def phone_variant(layout: dict, entries: int = 0, plot: int = 260, left: int | None = None,
                  right: int | None = None, below: int = 0, extra: dict | None = None) -> dict:
    """Give a `base_layout` chart (title on top, source line below the plot) the wide variant it was built with
    and a narrow one for phones in `meta`, which assets/charts.js applies by the chart's width: title and source
    wrapped so that nothing is cut at 320-375 px, the legend's `entries` a row each above the plot, the source
    line from the chart's left edge (`below` px further down, under an x-axis title), `plot` px for the plot and
    the margins `left`/`right` (default: as built); `extra`: more relayout keys, key -> (wide, narrow). Returns
    the layout."""
    margin, head = layout.get("margin", {}), layout.get("title") or {}
    title, source = head.get("text", ""), layout["annotations"][0]["text"]
    narrow_title, narrow_source = wrap(title.replace("<br>", " "), 30), wrap(source.replace("<br>", " "), 34)
    narrow_left = margin.get("l", 64) if left is None else left
    top = 40 + TITLE_LINE * (narrow_title.count("<br>") + 1) + 24 * entries
    bottom = 70 + below + SOURCE_LINE * (narrow_source.count("<br>") + 1)
    shift = layout["annotations"][0].get("yshift", 0)
    height = plot + top + bottom
    # title.y: plotly puts a title's first baseline there; 24 px down keeps a wrapped title's top line whole
    layout["meta"] = {"narrowWidth": NARROW_WIDTH, "wide": {
        "annotations[0].text": source, "title.text": title, "title.y": head.get("y", 0.98),
        "title.font.size": (head.get("font") or {}).get("size", 17), "height": layout.get("height", 420),
        "margin.t": margin.get("t", 92), "margin.b": margin.get("b", 96), "margin.l": margin.get("l", 64),
        "margin.r": margin.get("r", 24), "legend.x": 0, "legend.font.size": 13, "annotations[0].xshift": 0,
        "annotations[0].yshift": shift, **{k: v[0] for k, v in (extra or {}).items()},
    }, "narrow": {
        "annotations[0].text": narrow_source, "title.text": narrow_title, "title.y": round(1 - 24 / height, 4),
        "title.font.size": 15, "height": height, "margin.t": top, "margin.b": bottom, "margin.l": narrow_left,
        "margin.r": margin.get("r", 24) if right is None else right, "legend.x": -0.25, "legend.font.size": 12,
        "annotations[0].xshift": 8 - narrow_left, "annotations[0].yshift": shift - below,
        **{k: v[1] for k, v in (extra or {}).items()},
    }}
    return layout


def narrow_year_ticks(layout: dict, xaxis: dict, low: float, high: float) -> None:
    """Fewer year ticks on a narrow chart (every 5th year when the window spans more than 6 years)."""
    axis = "xaxis"
    layout["meta"]["wide"][f"{axis}.dtick"] = xaxis.get("dtick", 1)
    layout["meta"]["narrow"][f"{axis}.dtick"] = 5 if high - low > 6 else xaxis.get("dtick", 1)


# ------------------------------------------------------------------------------------------------ plain figures


EMPTY_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}  # what go.layout.Template() serialises to


def scatter(**props) -> dict:
    """A scatter (line or marker) trace as a plain dict."""
    return {"type": "scatter", **props}


def _plain(value):
    """Drop unset (None) and empty ({}) properties from nested dicts, as plotly's validation does; None inside
    lists stays."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != {}}
    if isinstance(value, list | tuple):
        return [_plain(v) if isinstance(v, dict) else v for v in value]
    return value


def figure_dict(data: list[dict], layout: dict) -> dict:
    """A figure as the plain dict dcc.Graph takes: the same content as go.Figure without its (slow) validation."""
    layout = {**layout, "template": EMPTY_TEMPLATE}
    return {"data": [_plain(trace) for trace in data], "layout": _plain(layout)}


def band(xs: list, highs: list, lows: list, fillcolor: str, name: str, **props) -> list[dict]:
    """A filled band between two lines (min/max envelope, forecast band): the invisible upper line, then the lower
    one filled up to it, which carries the legend entry `name`. `props` go on both (e.g. legendgroup)."""
    upper = scatter(x=xs, y=highs, mode="lines", line=dict(width=0), hoverinfo="skip", **props)
    upper["showlegend"] = False
    lower = scatter(x=xs, y=lows, mode="lines", line=dict(width=0), fill="tonexty", fillcolor=fillcolor,
                    hoverinfo="skip", name=name, **props)
    return [upper, lower]


def figure_json_size(figure: go.Figure | dict) -> int:
    """The size in bytes of a figure's JSON as sent to the browser."""
    if isinstance(figure, dict):
        return len(plotly.io.to_json(figure, validate=False).encode("utf-8"))
    return len(figure.to_json().encode("utf-8"))
