"""Sparkline: a server-rendered SVG (as an image, light for a wall of tiles) with a table alternative."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from dash import html

from cockpit.i18n import t
from cockpit.views import Sparkline
from layouts import ids
from layouts.components.tables import data_table

WIDTH, HEIGHT, PAD = 300, 64, 5
LINE = "#1d4f91"
FILL = "#1d4f91"


def sparkline_svg(values: Sequence[float], width: int = WIDTH, height: int = HEIGHT) -> str:
    """A line with a light area below and a dot on the latest value; one value is a single dot."""
    if not values:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"></svg>'
    low, high = min(values), max(values)
    span = high - low
    n = len(values)

    def x(i: int) -> float:
        return width / 2 if n == 1 else PAD + i * (width - 2 * PAD) / (n - 1)

    def y(v: float) -> float:
        if span == 0:
            return height / 2
        return PAD + (high - v) * (height - 2 * PAD) / span

    points = [(x(i), y(v)) for i, v in enumerate(values)]
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    last_x, last_y = points[-1]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">']
    if n > 1:
        area = f"{points[0][0]:.1f},{height} {coords} {last_x:.1f},{height}"
        parts.append(f'<polygon points="{area}" fill="{FILL}" fill-opacity="0.10"/>')
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2.5" '
                     'stroke-linejoin="round" stroke-linecap="round"/>')
    parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="4" fill="{LINE}" stroke="#fff" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe="/:=,")


def spark_table(spark: Sparkline, lang: str) -> html.Table:
    """The sparkline's values as a table, newest first (built when its <details> is first opened)."""
    rows = [(p.label, p.text) for p in reversed(spark.points)]
    return data_table(spark.caption, [t("ui.spark.period", lang), spark.value_header], rows, numeric=(1,))


def sparkline(spark: Sparkline, lang: str, element_id: str, indicator_id: str) -> html.Figure:
    """The chart (alt text = one-sentence summary) and, below it, its values as a table in a <details>: the
    table is asked for when the <details> is first opened (callbacks/overview.py), so a page of tiles carries
    a few components per chart instead of three per value."""
    if not spark.points:
        return html.Figure(html.P(spark.summary, className="spark__empty"), className="spark spark--empty",
                           id=element_id)
    return html.Figure(
        [
            html.Img(src=svg_data_url(sparkline_svg([p.value for p in spark.points])), alt=spark.summary,
                     className="spark__chart", width=WIDTH, height=HEIGHT),
            html.Details(
                [
                    html.Summary(t("ui.spark.table", lang)),
                    html.Div(html.P(t("ui.loading", lang), className="spark__loading"),
                             id=ids.spark_rows(indicator_id), className="table-scroll", tabIndex="0", role="region",
                             **{"aria-label": spark.caption, "aria-live": "polite"}),
                ],
                id=ids.spark_table(indicator_id),
                className="spark__table",
            ),
        ],
        className="spark",
        id=element_id,
    )
