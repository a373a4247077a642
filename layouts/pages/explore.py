"""Explorer `/explore`: filters (domain, department, indicators, districts, range, resolution, per 1,000),
small multiples, district ranking and map, the data table and exports.

All state is in a readable URL (`/explore?ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2020-01
&to=now&res=month&lang=de`). A filter change rewrites the URL (a history entry, so back/forward work) and the page
is rendered again from the URL on the server: opening a shared URL shows exactly the same view."""

from __future__ import annotations

import dash
from dash import dcc, html

from cockpit.i18n import t
from cockpit.views.explore import ExploreView, build_explore, option_links
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.chart import graph, map_figure, panel_figure, ranking_figure
from layouts.components.chart_table import (
    element,
    export_links,
    filter_link,
    problems_notice,
    range_inputs,
    sortable_table,
)
from layouts.components.shell import page_context, shell
from layouts.components.status import demo_notice
from layouts.components.tables import data_table
from layouts.context import current_cockpit, page_title

PATH = "/explore"
TITLE_KEY = "explorer.explore.title"

dash.register_page(__name__, path=PATH, name="explore", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=2)


def _group(legend: str, links: list, kind: str, lang: str, inline: bool = False) -> html.Fieldset:
    items = [element("Li", filter_link(o.label, f"{PATH}?{query}", selected, kind, lang, o.internal))
             for o, selected, query in links]
    return html.Fieldset([html.Legend(legend), html.Ul(items, className="explorer-opts" + (
        " explorer-opts--inline" if inline else ""))], className="explorer-fieldset")


def _filters(view: ExploreView) -> html.Div:
    lang, state = view.lang, view.state
    links = option_links(view)
    presets = [html.Li(dcc.Link(o.label, href=f"{PATH}?{query}", className="explorer-preset"))
               for o, _selected, query in links["preset"]]
    return html.Div([
        _group(t("explorer.filter.domain", lang), links["domain"], "radio", lang),
        _group(t("explorer.filter.department", lang), links["department"], "radio", lang),
        _group(t("explorer.filter.indicators", lang), links["ind"], "check", lang),
        _group(t("explorer.filter.districts", lang), links["district"], "check", lang),
        html.Fieldset([
            html.Legend(t("explorer.filter.range", lang)),
            html.Ul(presets, className="explorer-presets"),
            range_inputs(ids.EXPLORE_FROM, ids.EXPLORE_TO, state.range_from, state.range_to, lang),
        ], className="explorer-fieldset"),
        _group(t("explorer.filter.res", lang), links["res"], "radio", lang, inline=True),
        _group(t("explorer.filter.norm", lang), links["norm"], "check", lang),
    ], className="explorer-filters", role="group", **{"aria-label": t("explorer.filter.label", lang)})


def _panels(view: ExploreView) -> html.Section:
    lang = view.lang
    panels = []
    for panel in view.panels:
        title = f"{panel.name} ({panel.unit})"
        children = [graph(panel_figure(panel, view.x_range, lang), ids.explore_panel(panel.indicator_id),
                          panel.indicator_id, lang, title)]
        if panel.note:
            children.append(html.P(panel.note, className="explorer-note"))
        children.append(html.P([html.A(t("explorer.to_indicator", lang, name=panel.name),
                                       href=f"/indicator/{panel.indicator_id}?lang={lang}")],
                               className="explorer-note"))
        panels.append(html.Div(children, className="explorer-panel"))
    return html.Section([html.H2(t("explorer.panels.heading", lang)), html.Div(panels, className="explorer-grid")],
                        className="explorer-section")


def _comparison(view: ExploreView) -> html.Section:
    lang = view.lang
    comparison = view.comparison
    heading = html.H2(t("explorer.compare.heading", lang))
    if comparison is None:
        return html.Section([heading, html.P(view.comparison_note, className="explorer-note")],
                            className="explorer-section")
    charts = []
    if comparison.has_per1000:
        charts.append(graph(ranking_figure(comparison, True, lang), ids.EXPLORE_RANK_PER1000,
                            f"{comparison.indicator_id}-je-1000", lang, comparison.per1000_label))
    charts.append(graph(ranking_figure(comparison, False, lang), ids.EXPLORE_RANK_ABSOLUTE,
                        f"{comparison.indicator_id}-absolut", lang, comparison.absolute_label))
    children = [heading, html.Div(charts, className="explorer-grid explorer-grid--two")]
    if comparison.geometry is not None:
        children.append(graph(map_figure(comparison, lang), ids.EXPLORE_MAP, f"{comparison.indicator_id}-karte",
                              lang, t("explorer.map.label", lang, name=comparison.name)))
    if comparison.geometry_note:
        children.append(html.P(comparison.geometry_note, className="explorer-note explorer-note--schematic"))
    headers = [t("explorer.col.district", lang), comparison.absolute_label]
    if comparison.has_per1000:
        headers.append(comparison.per1000_label)
    rows = [(v.name, v.absolute_text, v.per1000_text)[:len(headers)] for v in comparison.values]
    if comparison.has_per1000:
        rows.append((t("explorer.city", lang), "–", comparison.city_text))
    caption = t("explorer.compare.caption", lang, name=comparison.name, period=comparison.period_text)
    children.append(html.Div(data_table(caption, headers, rows, numeric=tuple(range(1, len(headers))),
                                        class_name="data-table explorer-table"),
                             className="explorer-table-scroll", tabIndex="0", role="region",
                             **{"aria-label": caption}))
    return html.Section(children, className="explorer-section")


def explore_content(view: ExploreView) -> list:
    lang = view.lang
    children = [problems_notice(view.problems, lang, ids.EXPLORE_PROBLEMS)]
    if view.demo:
        children.append(demo_notice(lang))
    if view.department_name:
        children.append(html.P(t("explorer.department_view", lang, name=view.department_name),
                               className="explorer-note"))
    children += [
        _filters(view),
        export_links(f"/export/explore.csv?{view.query}", f"/export/explore.xlsx?{view.query}", lang,
                     ids.EXPLORE_EXPORT_CSV, ids.EXPLORE_EXPORT_XLSX),
        _panels(view),
        _comparison(view),
        html.Section([html.H2(t("explorer.table.heading", lang)),
                      sortable_table(view.table, ids.EXPLORE_TABLE, lambda sort: _sorted_url(view, sort), lang,
                                     limit=TABLE_ROWS)],
                     className="explorer-section"),
    ]
    return [c for c in children if c is not None]


TABLE_ROWS = 200  # rows of the data table rendered on the page; the exports hold every row of the view


def _sorted_url(view: ExploreView, sort: str) -> str:
    state = view.state
    return f"{PATH}?" + type(state)(**{**state.__dict__, "sort": sort}).query(view.lang)


def layout(lang: str | None = None, kiosk: str | None = None, **query) -> html.Div:
    ctx = page_context(PATH, lang, kiosk)
    view = build_explore(current_cockpit(), current_viewer(), query, ctx.lang)
    return shell(ctx, t("explorer.explore.heading", ctx.lang), t("explorer.explore.intro", ctx.lang),
                 [html.Div(explore_content(view), id=ids.EXPLORE_CONTENT, className="explorer")],
                 view.filters_text)
