"""A goal's line chart as SVG, made here (no browser, no plotting library): the annual values (solid line with
dots), the target path (dashed, from the baseline over the milestones to the target) and the trend to the target
year (dotted). Lines differ in pattern and marker, not only in colour; every value is in the appendix table too.
The alternative text is `Chart.alt` (the figure carries it in the PDF)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from cockpit.i18n import format_number
from cockpit.reports.model import Chart

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 64
FONT = "Libertinus Serif"  # bundled with the Typst compiler (no system fonts needed)
STYLES = {  # series -> (colour, dash pattern, marker)
    "values": ("#1f4e79", "", "circle"),
    "path": ("#333333", "8 5", "square"),
    "trend": ("#b35900", "2 4", "diamond"),
}


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1.0
    raw = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.5 and len(ticks) < 12:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#ffffff" stroke="{colour}"/>'
    return (f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y:.1f} L{x:.1f} {y + 4:.1f} L{x - 4:.1f} {y:.1f} Z" '
            f'fill="{colour}"/>')


def chart_svg(chart: Chart, lang: str) -> str:
    """The chart as a standalone SVG document."""
    series = {"values": chart.values, "path": chart.path, "trend": chart.trend}
    points = [p for s in series.values() for p in s]
    if not points:
        points = [(2000, 0.0), (2001, 1.0)]
    years = [y for y, _ in points]
    first, last = min(years), max(years)
    if first == last:
        first, last = first - 1, last + 1
    ticks = _ticks(min(0.0, min(v for _, v in points)), max(v for _, v in points))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: float) -> float:
        return LEFT + (year - first) / (last - first) * plot_w

    def y(value: float) -> float:
        return TOP + (1 - (value - low) / (high - low)) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    step_size = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    tick_decimals = next((d for d in range(4) if abs(round(step_size, d) - step_size) < 1e-9), 4)
    for tick in ticks:
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                   f'stroke="#d0d0d0" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#222222">'
                   f'{escape(format_number(tick, tick_decimals, lang))}</text>')
    span = last - first
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 10)
    for year in range(first - first % step + (step if first % step else 0), last + 1, step):
        out.append(f'<text x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                   f'fill="#222222">{year}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
               f'stroke="#222222"/>')
    out.append(f'<text x="{LEFT - 40}" y="14" text-anchor="start" '
               f'fill="#222222">{escape(chart.unit)}</text>')
    for name, data in series.items():
        if not data:
            continue
        colour, dash, marker = STYLES[name]
        line = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in data)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        out.extend(_marker(marker, x(yr), y(v), colour) for yr, v in data)
    legend_x = LEFT
    for name in ("values", "path", "trend"):
        if not series[name]:
            continue
        colour, dash, marker = STYLES[name]
        ly = HEIGHT - 20
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{legend_x}" x2="{legend_x + 28}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/>')
        out.append(_marker(marker, legend_x + 14, ly, colour))
        label = escape(chart.labels[name])
        out.append(f'<text x="{legend_x + 34}" y="{ly + 4}" fill="#222222">{label}</text>')
        legend_x += 44 + 7 * len(chart.labels[name])
    out.append("</svg>")
    return "\n".join(out)
