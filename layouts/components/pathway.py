"""The climate pathway page's content: key figures, the sector chart with trend, plan, target and "heute", the
budget gauge, each measure's contribution, the "what if", cost-effectiveness, data quality and factors; a table
for every chart; source and licence in every chart and below every table."""

from __future__ import annotations

from dash import dcc, html

from cockpit.i18n import format_number, t
from cockpit.kpi.pathway import whole_tonnes
from cockpit.views.pathway import MeasureEffectView, PathwayView, page_href
from layouts.components.chart_base import (
    base_layout,
    figure_dict,
    graph,
    indicator_layout,
    narrow_year_ticks,
    phone_variant,
    plot_axis,
    scatter,
    wrap,
)
from layouts.components.chart_table import element
from layouts.components.status import demo_notice
from layouts.components.tables import data_table

SECTOR_COLOURS = {"households": "#1d4f91", "commerce": "#00796b", "industry": "#5d4037", "municipal": "#8d6e00",
                  "transport": "#6a3d9a"}
BAU_COLOUR, PLAN_COLOUR, TARGET_COLOUR = "#5f6368", "#b35900", "#1a7f37"
QUALITY_ICONS = {"high": "●●●●", "medium": "●●●○", "low": "●●○○", "poor": "●○○○"}

CONTENT = "pathway-content"
SENTENCE = "pathway-sentence"
CHART = "pathway-chart"
BUDGET = "pathway-budget"
CONTRIB = "pathway-contrib"
WHATIF = "pathway-whatif"


def _line(view: PathwayView, values: dict[int, float], name: str, colour: str, dash: str) -> dict:
    """A line after Y0 that starts at the observed total of Y0 (so it continues the stack)."""
    years = [view.y0, *[y for y in view.years if y in values and y > view.y0]]
    ys = [view.observed[view.y0], *[values[y] for y in years[1:]]]
    return scatter(x=years, y=[round(v) for v in ys], name=name, mode="lines+markers",
                   line=dict(color=colour, width=2.5, dash=dash), marker=dict(size=5))


def pathway_figure(view: PathwayView) -> dict:
    lang = view.lang
    observed_years = [y for y in view.years if y in view.observed]
    data = [scatter(x=observed_years, y=[round(view.by_sector[key].get(y, 0)) for y in observed_years],
                    name=label, stackgroup="sectors", mode="lines", line=dict(width=0.5, color=SECTOR_COLOURS[key]),
                    fillcolor=SECTOR_COLOURS[key], opacity=0.8)
            for key, label in view.sectors]
    if view.bau:
        data.append(_line(view, view.bau, t("pathway.chart.bau", lang), BAU_COLOUR, "dash"))
    if view.plan:
        data.append(_line(view, view.plan, t("pathway.chart.plan", lang), PLAN_COLOUR, "solid"))
    target_years = [y for y in view.years if y in view.target]
    data.append(scatter(x=target_years, y=[round(view.target[y]) for y in target_years],
                        name=t("pathway.chart.target", lang), mode="lines",
                        line=dict(color=TARGET_COLOUR, width=2.5, dash="dot")))
    # the head (title, source) and legend as on the indicator charts: a narrow variant for phones (assets/charts.js)
    layout = indicator_layout(t("pathway.chart.title", lang), view.source_line, lang, height=560)
    layout["xaxis"] = plot_axis(dtick=2, tickformat="d")
    narrow_year_ticks(layout, layout["xaxis"], min(view.years), max(view.years))  # every 5th year on a phone
    layout["yaxis"] = plot_axis(t("pathway.chart.axis", lang), rangemode="tozero")
    layout["shapes"] = [dict(type="line", xref="x", yref="paper", x0=view.today_year, x1=view.today_year, y0=0,
                             y1=1, line=dict(color="#1a1a1a", width=1.5, dash="longdash"))]
    layout["annotations"] = [*layout["annotations"],
                             dict(text=t("pathway.chart.today", lang), x=view.today_year, xref="x", y=1, yref="paper",
                                  showarrow=False, xanchor="left", yanchor="top", font=dict(size=13))]
    return figure_dict(data, layout)


def budget_figure(view: PathwayView) -> dict:
    lang = view.lang
    remaining = max(view.budget_remaining or 0.0, 0.0)
    data = [{"type": "indicator", "mode": "gauge+number", "value": round(remaining),
             "number": {"valueformat": ",.0f", "suffix": " t"},
             "gauge": {"axis": {"range": [0, view.budget_tonnes], "tickformat": ",.0f"},
                       "bar": {"color": PLAN_COLOUR}, "bgcolor": "#e3e3e3", "borderwidth": 1,
                       "bordercolor": "#8a8a8a"},
             "title": {"text": t("pathway.budget.gauge", lang), "font": {"size": 14}}}]
    layout = base_layout(t("pathway.budget.title", lang), view.source_line, lang, height=340)
    layout["margin"] = dict(l=40, r=40, t=70, b=110)
    phone_variant(layout, plot=200, left=60, right=60)  # a phone: the gauge's end ticks keep their room
    return figure_dict(data, layout)


def contribution_figure(view: PathwayView) -> dict:
    lang = view.lang
    rows = [m for m in view.measures if m.on][::-1]  # largest on top
    data = [{"type": "bar", "orientation": "h", "x": [round(m.effect_t) for m in rows], "y": [wrap(m.name, 24) for m in rows],
             "marker": {"color": PLAN_COLOUR}, "text": [m.effect_text for m in rows], "textposition": "auto",
             "customdata": [m.href for m in rows], "hovertemplate": "%{y}: %{text} t<extra></extra>",
             "name": t("pathway.contrib.state", lang)}]
    height = 170 + 56 * max(len(rows), 1)
    axis = t("pathway.contrib.axis", lang, year=view.target_year)
    layout = base_layout(t("pathway.contrib.title", lang, year=view.target_year), view.source_line, lang,
                         height=height, xaxis=plot_axis(axis), yaxis=dict(automargin=True), showlegend=False)
    layout["margin"] = dict(l=16, r=16, t=60, b=110)
    # a phone: the measures' names in a fixed margin, the axis title in three lines and the source below it
    phone_variant(layout, plot=56 * max(len(rows), 1), left=150, below=56,
                  extra={"xaxis.title.text": (axis, wrap(axis, 12)), "yaxis.automargin": (True, False),
                         "yaxis.tickfont.size": (13, 11)})
    return figure_dict(data, layout)


def _source(view: PathwayView) -> html.P:
    return html.P(view.source_line, className="pathway-source")


def _figures(view: PathwayView) -> html.Dl:
    items = []
    for label, value in view.figures:
        items.append(html.Div([html.Dt(label), html.Dd(value)], className="pathway-figure"))
    return html.Dl(items, className="pathway-figures", **{"aria-label": t("pathway.figures.label", view.lang)})


def _chart_table(view: PathwayView) -> html.Div:
    lang = view.lang
    headers = [t("pathway.table.year", lang), *[f"{label} [t]" for _, label in view.sectors],
               t("pathway.table.total", lang), t("pathway.table.bau", lang), t("pathway.table.plan", lang),
               t("pathway.table.target", lang)]

    def cell(values, year):
        return format_number(whole_tonnes(values[year]), 0, lang) if year in values else "–"

    rows = [[str(y), *[cell(view.by_sector[key], y) for key, _ in view.sectors], cell(view.observed, y),
             cell(view.bau, y), cell(view.plan, y), cell(view.target, y)] for y in view.years]
    body = [element("Tr", [element("Th", c, scope="row") if i == 0 else element("Td", c, className="num")
                           for i, c in enumerate(row)]) for row in rows]  # plain JSON: hundreds of cells
    table = html.Table([html.Caption(t("pathway.chart.table", lang)),
                        html.Thead(html.Tr([html.Th(h, scope="col", className="num" if i else None)
                                            for i, h in enumerate(headers)])),
                        html.Tbody(body)], className="data-table")
    return html.Div(table, className="table-scroll", tabIndex="0", role="region",
                    **{"aria-label": t("pathway.chart.table", lang)})


def _budget(view: PathwayView) -> html.Section:
    lang = view.lang
    if view.budget_tonnes is None:
        return html.Section()
    rows = [[t("pathway.budget.total", lang, year=view.budget_start),
             f"{format_number(view.budget_tonnes, 0, lang)} t"],
            [t("pathway.budget.remaining", lang, year=view.y0),
             f"{format_number(whole_tonnes(view.budget_remaining), 0, lang)} t"],
            [t("pathway.budget.year", lang), str(view.result["budget_exhausted_year"] or
                                                  t("pathway.budget.never", lang))],
            [t("pathway.budget.source", lang), view.budget_source]]
    return html.Section([
        html.H2(t("pathway.budget.title", lang)),
        graph(budget_figure(view), BUDGET, "klimapfad-budget", lang, t("pathway.budget.title", lang),
              class_name="pathway-graph pathway-graph--budget"),
        html.P(view.budget_text, className="pathway-budget-text"),
        html.Div(data_table(t("pathway.budget.table", lang), [t("pathway.budget.item", lang),
                                                             t("pathway.budget.value", lang)], rows), className="table-scroll",
                 tabIndex="0", role="region", **{"aria-label": t("pathway.budget.table", lang)}),
        _source(view),
    ], className="pathway-section")


def _state(on: bool, lang: str) -> html.Span:
    icon = "✓" if on else "✗"
    return html.Span([html.Span(icon, **{"aria-hidden": "true"}), " ",
                      t("pathway.whatif.on" if on else "pathway.whatif.off", lang)],
                     className="pathway-state pathway-state--" + ("on" if on else "off"))


def _contributions(view: PathwayView, kiosk: bool) -> html.Section:
    lang = view.lang
    year = view.target_year
    if not view.measures:
        return html.Section([html.H2(t("pathway.contrib.title", lang, year=year)),
                             html.P(t("pathway.contrib.none", lang))], className="pathway-section")
    headers = [t("pathway.contrib.measure", lang), t("pathway.contrib.effect", lang, year=year),
               t("pathway.contrib.share", lang), t("pathway.contrib.state", lang)]
    body = [html.Tr([html.Th(dcc.Link(m.name, href=m.href), scope="row"), html.Td(m.effect_text, className="num"),
                     html.Td(m.share_text, className="num"),
                     html.Td([_state(m.on, lang), " ",
                              html.A(t("pathway.whatif.verb_off" if m.on else "pathway.whatif.verb_on", lang),
                                       href=m.toggle_href, className="pathway-toggle", id=f"pathway-toggle-{m.id}",
                                       **{"aria-label": m.toggle_text})])])
            for m in view.measures]
    table = html.Table([html.Caption(t("pathway.contrib.table", lang, year=year)),
                        html.Thead(html.Tr([html.Th(h, scope="col", className="num" if 0 < i < 3 else None)
                                            for i, h in enumerate(headers)])),
                        html.Tbody(body)], className="data-table", id=WHATIF)
    children = [html.H2(t("pathway.contrib.title", lang, year=year)),
                graph(contribution_figure(view), CONTRIB, "klimapfad-massnahmen", lang,
                      t("pathway.contrib.title", lang, year=year), class_name="pathway-graph"),
                html.H3(t("pathway.whatif.title", lang)), html.P(t("pathway.whatif.intro", lang))]
    if view.off:
        children.append(html.P([t("pathway.whatif.active", lang, count=len(view.off)), " ",
                                dcc.Link(t("pathway.whatif.reset", lang), href=page_href(lang, (), kiosk),
                                         id="pathway-reset")], className="pathway-whatif-active", role="status"))
    children += [html.Div(table, className="table-scroll", tabIndex="0", role="region",
                          **{"aria-label": t("pathway.contrib.table", lang, year=year)}), _source(view)]
    return html.Section(children, className="pathway-section")


def _ranking(view: PathwayView) -> html.Section:
    lang = view.lang
    headers = [t("pathway.ranking.rank", lang), t("pathway.contrib.measure", lang),
               t("pathway.ranking.eur_per_t", lang), t("pathway.ranking.cost", lang), t("pathway.ranking.life", lang)]
    body = [html.Tr([html.Th(str(i), scope="row"), html.Td(dcc.Link(m.name, href=m.href)),
                     html.Td(m.eur_per_t_text, className="num"), html.Td(m.cost_text), html.Td(m.life_text)])
            for i, m in enumerate(view.ranked, start=1)]
    children = [html.H2(t("pathway.ranking.title", lang)), html.P(t("pathway.ranking.intro", lang))]
    if body:
        children.append(html.Div(html.Table([
            html.Caption(t("pathway.ranking.title", lang)),
            html.Thead(html.Tr([html.Th(h, scope="col", className="num" if i == 2 else None)
                                for i, h in enumerate(headers)])),
            html.Tbody(body)], className="data-table", id="pathway-ranking"), className="table-scroll", tabIndex="0",
            role="region", **{"aria-label": t("pathway.ranking.title", lang)}))
    if view.unranked:
        children.append(html.P(t("pathway.ranking.unranked", lang, names=", ".join(m.name for m in view.unranked)),
                               id="pathway-unranked"))
    return html.Section(children, className="pathway-section")


def _quality(view: PathwayView) -> html.Section:
    lang = view.lang
    body = [element("Tr", [element("Th", str(q.year), scope="row"), element("Td", q.value_text, className="num"),
                           element("Td", element("Span", [element("Span", QUALITY_ICONS[q.level],
                                                                  **{"aria-hidden": "true"}), " ", q.level_text],
                                                 className=f"pathway-quality pathway-quality--{q.level}"))])
            for q in view.quality]
    table = html.Table([html.Caption(t("pathway.quality.title", lang)),
                        html.Thead(html.Tr([html.Th(t("pathway.quality.year", lang), scope="col"),
                                            html.Th(t("pathway.quality.value", lang), scope="col", className="num"),
                                            html.Th(t("pathway.quality.level", lang), scope="col")])),
                        html.Tbody(body)], className="data-table", id="pathway-quality")
    factors = [html.H3(t("pathway.factors.title", lang)), html.P(t("pathway.approximate", lang))]
    notes = [*view.carried, *view.overrides]
    if notes:
        factors.append(html.Ul([html.Li(n) for n in notes], id="pathway-factor-notes"))
    if not view.carried:
        factors.append(html.P(t("pathway.factors.none", lang)))
    if not view.overrides:
        factors.append(html.P(t("pathway.factors.no_overrides", lang)))
    return html.Section([html.H2(t("pathway.quality.title", lang)), html.P(t("pathway.quality.intro", lang)),
                         html.Div(table, className="table-scroll", tabIndex="0", role="region",
                                  **{"aria-label": t("pathway.quality.title", lang)}), *factors, _source(view)],
                        className="pathway-section")


def pathway_content(view: PathwayView, kiosk: bool = False) -> list:
    lang = view.lang
    children = [demo_notice(lang)] if view.demo else []
    children.append(html.P(view.sentence, id=SENTENCE, className="pathway-sentence"))
    if view.empty:
        return children
    if view.goal_href:
        children.append(html.P(dcc.Link(t("pathway.goal_link", lang, name=view.goal_name), href=view.goal_href)))
    children += [
        _figures(view),
        html.Section([graph(pathway_figure(view), CHART, "klimapfad", lang, t("pathway.chart.title", lang),
                            class_name="pathway-graph pathway-graph--main"), _chart_table(view), _source(view)],
                     className="pathway-section"),
        _contributions(view, kiosk),
        _budget(view),
        _ranking(view),
        _quality(view),
    ]
    return children


def measure_effect_section(effect: MeasureEffectView, lang: str) -> html.Section:
    """A measure page's climate effect: its reduction, its share in the target year, cost per tonne, who recorded it."""
    return html.Section([
        html.H2(t("pathway.measure.title", lang)),
        html.Dl([html.Div([html.Dt(label), html.Dd(value)], className="pathway-figure") for label, value in effect.facts],
                className="pathway-figures", id="measure-pathway-facts"),
        html.P(t("pathway.measure.note", lang)),
        html.P(html.A(t("pathway.link", lang), href=effect.href, id="measure-pathway-link")),
    ], className="pathway-section pathway-measure")


def wall_pathway_slide(slide, view) -> list:
    """The wall slide `pathway`: the sentence and the key figures, large (plain words, no chart to read from afar)."""
    pathway: PathwayView = slide.payload
    children = [html.P(pathway.sentence, className="wall-pathway__sentence"),
                html.Dl([html.Div([html.Dt(label), html.Dd(value)], className="wall-pathway__figure")
                         for label, value in pathway.figures], className="wall-pathway__figures")]
    if pathway.budget_text:
        children.append(html.P(pathway.budget_text, className="wall-slide__note"))
    if pathway.demo:
        children.append(html.P(t("demo.badge", view.lang), className="wall-slide__note"))
    children.append(html.P(pathway.source_line, className="wall-pathway__source"))
    return [html.Div(children, className="wall-pathway")]
