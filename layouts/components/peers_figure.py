"""The explorer's comparison layer drawn into a chart (a figure dict of `panel_figure`): the municipality type's
range as a hatched band, its median as a dashed line with diamond markers, each chosen peer as a dotted line with
its own marker, every one named in the legend (never told by colour alone), and the layer's years, source and
licence added to the chart's source line (so the PNG/SVG image names them too)."""

from __future__ import annotations

from cockpit.i18n import t
from cockpit.views.explore_peers import TYPE, PeerLayer
from layouts.components.chart_base import phone_variant, plain, wrap

RANGE_FILL = "rgba(95, 99, 104, 0.18)"
MEDIAN = "#3c4043"
PEER_STYLES = (("#7b1fa2", "dot", "square"), ("#00695c", "dashdot", "triangle-up"),
               ("#8d4a00", "longdashdot", "x"), ("#ad1457", "longdash", "circle-open"))
LINE_HEIGHT = 16  # px per added source line


def _rounded(values, decimals: int) -> list:
    return [round(v, decimals) for v in values]


def peer_traces(layer: PeerLayer, decimals: int, lang: str) -> list[dict]:
    traces: list[dict] = []
    peers = 0
    for trace in layer.traces:
        if not trace.points:
            continue
        xs = [p.x for p in trace.points]
        years = [str(p.year) for p in trace.points]
        if trace.key == TYPE:
            band = t("peers_explore.range", lang, type=layer.type_name)
            traces.append(dict(type="scatter", x=xs, y=_rounded((p.high for p in trace.points), decimals),
                               mode="lines", line=dict(width=0), hoverinfo="skip", showlegend=False,
                               legendgroup=TYPE))
            traces.append(dict(type="scatter", x=xs, y=_rounded((p.low for p in trace.points), decimals),
                               mode="lines", line=dict(width=0), fill="tonexty", fillcolor=RANGE_FILL,
                               fillpattern=dict(shape="/", fgcolor="#80868b", size=8, solidity=0.12),
                               name=plain(band), legendgroup=TYPE, hoverinfo="skip"))
            traces.append(dict(type="scatter", x=xs, y=_rounded((p.value for p in trace.points), decimals),
                               mode="lines+markers", name=plain(trace.name), legendgroup=TYPE,
                               line=dict(color=MEDIAN, width=2, dash="dash"),
                               marker=dict(symbol="diamond", size=7, color=MEDIAN), customdata=years,
                               hovertemplate="%{customdata}: %{y}<extra>" + plain(trace.name) + "</extra>"))
            continue
        colour, dash, symbol = PEER_STYLES[peers % len(PEER_STYLES)]
        peers += 1
        traces.append(dict(type="scatter", x=xs, y=_rounded((p.value for p in trace.points), decimals),
                           mode="lines+markers", name=plain(trace.name), line=dict(color=colour, width=2, dash=dash),
                           marker=dict(symbol=symbol, size=7, color=colour), customdata=years,
                           hovertemplate="%{customdata}: %{y}<extra>" + plain(trace.name) + "</extra>"))
    return traces


def with_peers(figure: dict, layer: PeerLayer | None, decimals: int, lang: str) -> dict:
    """The figure with the layer's traces and its note in the source line (a copy; `figure` is left as it was).
    The layout gets a wide and a narrow variant in `meta` (assets/charts.js applies the one that fits the chart's
    width): on a phone the title and source wrap and the legend, one entry a row, gets its own room above the plot
    instead of covering it."""
    if layer is None:
        return figure
    layout = dict(figure["layout"])
    traces = peer_traces(layer, decimals, lang)
    data = [*figure["data"], *traces]
    annotations = [dict(a) for a in layout.get("annotations", [])]
    if not annotations:
        return {"data": data, "layout": layout}
    source = annotations[0]["text"]
    margin = layout.get("margin", {})
    note = wrap(plain(layer.note))
    height = layout.get("height", 340) + LINE_HEIGHT * (note.count("<br>") + 1)
    annotations[0]["text"] = f"{source}<br>{note}"
    bottom = margin.get("b", 96) + height - layout.get("height", 340)
    layout.update(annotations=annotations, margin={**margin, "b": bottom}, height=height)
    phone_variant(layout, entries=sum(1 for trace in data if trace.get("showlegend", True)))
    return {"data": data, "layout": layout}
