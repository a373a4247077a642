"""Plotly figures of the explorer, built from its view models: small multiples of the city and its districts, the
districts ranked, and the map.

Maps are plain GeoJSON polygons on a geo subplot whose base layers are all off: no tiles, no third-party requests
(the topojson plotly asks for is a tiny local file). Districts without data are named and marked 'keine Daten',
never drawn as zero. The shared pieces are in `layouts.components.chart_base`.
"""

from __future__ import annotations

import plotly.colors

from cockpit.i18n import t
from cockpit.views.explore import Comparison, Panel
from layouts.components.chart_base import (
    BLUE,
    LIGHT_BLUE,
    band,
    base_layout,
    figure_dict,
    phone_variant,
    plot_axis,
    round_value,
    scatter,
)

DISTRICT_COLOURS = ("#1d4f91", "#b35900", "#1a7f37", "#6a3d9a", "#b3261e", "#00796b", "#8d6e00", "#c2185b",
                    "#455a64", "#5d4037", "#303f9f", "#558b2f")
BLUES = [[i / 8, colour] for i, colour in enumerate(plotly.colors.sequential.Blues)]  # plotly's "Blues", resolved


def panel_figure(panel: Panel, x_range: tuple[str, str], lang: str, height: int = 340) -> dict:
    """One small multiple: the city-wide series and each chosen district; the time axis is shared (same range)."""
    data = []
    d = panel.decimals
    for index, trace in enumerate(panel.traces):
        colour = DISTRICT_COLOURS[index % len(DISTRICT_COLOURS)]
        xs = [p.x for p in trace.points]
        if trace.envelope and len(panel.traces) == 1:
            data += band(xs, [round_value(p.high, d) for p in trace.points],
                         [round_value(p.low, d) for p in trace.points], LIGHT_BLUE, t("explorer.chart.envelope", lang))
        data.append(scatter(
            x=xs, y=[round_value(p.value, d) for p in trace.points], name=trace.name,
            mode="lines" if len(trace.points) > 60 else "lines+markers",
            line=dict(color=colour, width=3 if trace.district == "" else 2,
                      dash="solid" if trace.district == "" else ["dash", "dot", "dashdot", "longdash"][index % 4]),
            marker=dict(size=5), customdata=[p.label for p in trace.points],
            hovertemplate="%{customdata}: %{y}<extra>" + trace.name + "</extra>"))
    title = f"{panel.name} ({panel.unit})"
    entries = sum(1 for trace in data if trace.get("showlegend", True))
    layout = phone_variant(base_layout(title, panel.source_line, lang, height=height), entries=entries)
    return figure_dict(data, dict(**layout, xaxis=plot_axis(None, type="date", range=list(x_range)),
                                  yaxis=plot_axis(panel.unit)))


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
    layout = base_layout(f"{label} – {comparison.period_text}", comparison.source_line, lang,
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
    phone_variant(layout, plot=34 * len(names), left=152, right=40)  # a phone: the district names keep their room
    return figure_dict(data, dict(**layout, shapes=shapes, xaxis=plot_axis(None, rangemode="tozero"),
                              yaxis=dict(autorange="reversed", ticks="", tickfont=dict(size=12)),
                              showlegend=False))


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
            z=[round_value(v, 2) for v in z], colorscale=BLUES, marker=dict(line=dict(color="#ffffff", width=1.5)),
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
    layout = base_layout(title, source, lang, height=640)
    layout["margin"] = dict(l=10, r=10, t=92, b=60)
    layout["annotations"][0]["yshift"] = -12
    phone_variant(layout, plot=360)
    return figure_dict(data, dict(**layout, geo=dict(fitbounds="locations", visible=False,
                                                 projection=dict(type="mercator"), bgcolor="#ffffff")))
