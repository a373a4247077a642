"""Indicator page `/indicator/<id>`: full chart with target path, trend and sub-annual series, status, reason,
forecast, source and licence, department, rhythm, last data, definition, and the data as a sortable table.

All state (resolution, range, sort order) is in the URL; a change of a control rewrites the URL and the page is
rendered again from it on the server, so a shared link shows exactly the same view."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import html

from cockpit.i18n import t
from cockpit.kpi.pathway import CO2_INDICATORS
from cockpit.views.indicator import IndicatorView, build_indicator
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.chart import goal_figure, series_figure
from layouts.components.chart_base import graph
from layouts.components.chart_table import (
    element,
    export_links,
    filter_link,
    problems_notice,
    range_inputs,
    sortable_table,
)
from layouts.components.measures import annotation_table
from layouts.components.peers import peer_section
from layouts.components.shell import page_context, shell
from layouts.components.status import demo_notice, status_badge
from layouts.components.tables import data_table
from layouts.context import current_cockpit, page_title, page_url

PATH_TEMPLATE = "/indicator/<indicator_id>"
TITLE_KEY = "explorer.indicator.title"

dash.register_page(__name__, path_template=PATH_TEMPLATE, name="indicator", title=page_title(TITLE_KEY),
                   title_key=TITLE_KEY)


def page_query(view: IndicatorView, **changes) -> str:
    params = {"res": view.resolution if view.resolution != "auto" else "", "from": view.range_from,
              "to": view.range_to, "sort": "", "lang": view.lang}
    params.update(changes)
    return urlencode([(k, v) for k, v in params.items() if v])


def internal_badge(lang: str) -> html.Span:
    return html.Span([html.Span(className="explorer-internal__icon", **{"aria-hidden": "true"}),
                      t("explorer.internal", lang)], className="badge explorer-internal")


def _facts(view: IndicatorView) -> html.Dl:
    lang = view.lang
    source = html.A(view.source_name, href=view.source_url, rel="noopener noreferrer") if view.source_url \
        else view.source_name
    licence = html.A(view.licence, href=view.licence_url, rel="noopener noreferrer license") if view.licence_url \
        else view.licence
    items = [
        (t("explorer.fact.status", lang), [status_badge(view.status, view.status_text),
                                           html.Span(f" {view.reason_text}") if view.reason_text else None]),
    ]
    if view.goal is not None:
        items.append((t("explorer.fact.goal", lang), f"{view.goal.target_text} – {view.goal.basis_text}"))
        # one sentence per fact: the reason (next to the status) names the forecast year already
        forecast = None if view.reason_text else view.forecast_text
        items.append((t("explorer.fact.forecast", lang),
                      " ".join(x for x in (forecast, view.trend_text) if x) or "–"))
    items += [
        (t("explorer.fact.source", lang), [view.attribution, " – ", source]),
        (t("explorer.fact.licence", lang), licence),
        (t("explorer.fact.department", lang), view.department),
        (t("explorer.fact.rhythm", lang), f"{view.rhythm_text}; {view.lag_text}"),
        (t("explorer.fact.last", lang), view.last_data_text),
        (t("explorer.fact.definition", lang), view.definition),
    ]
    return html.Dl([part for term, value in items for part in (html.Dt(term), html.Dd(value))],
                   className="explorer-facts")


def _controls(view: IndicatorView) -> html.Div:
    lang = view.lang
    return html.Div([
        html.Fieldset([
            html.Legend(t("explorer.filter.res", lang)),
            html.Ul([element("Li", filter_link(t(f"explorer.res.{g}", lang),
                                         f"/indicator/{view.id}?{page_query(view, res='' if g == 'auto' else g)}",
                                         g == view.resolution, "radio", lang)) for g in view.grains],
                    className="explorer-opts explorer-opts--inline", id=ids.INDICATOR_RES),
        ], className="explorer-fieldset"),
        range_inputs(ids.INDICATOR_FROM, ids.INDICATOR_TO, view.range_from, view.range_to, lang),
    ], className="explorer-controls")


def indicator_content(view: IndicatorView, kiosk: bool) -> list:
    lang = view.lang
    base = f"/indicator/{view.id}"
    children = [problems_notice(view.problems, lang, ids.EXPLORE_PROBLEMS)]
    if view.demo:
        children.append(demo_notice(lang))
    if view.internal:
        children.append(html.Div(internal_badge(lang), className="explorer-badges"))
    children.append(_facts(view))
    if view.id in CO2_INDICATORS:  # the balance behind this indicator, by sector, with the measures' effects
        children.append(html.P(html.A(t("pathway.link", lang), href=f"/klimapfad?lang={lang}",
                                      id="indicator-pathway-link"), className="explorer-pathway-link"))
    if view.path or view.annual:
        children.append(html.Section([
            html.H2(t("explorer.indicator.goal_heading", lang)),
            graph(goal_figure(view), ids.INDICATOR_GOAL_CHART, f"{view.id}-ziel", lang, view.summary),
        ], className="explorer-section"))
    if not view.annual_only:
        children.append(html.Section([
            html.H2(t("explorer.indicator.series_heading", lang)),
            _controls(view),
            *([html.P(f"{t('archive.note.label', lang)}: {view.archive_note}",  # raw rows from the archive
                      className="explorer-note explorer-archive")] if view.archive_note else []),
            graph(series_figure(view), ids.INDICATOR_SERIES_CHART, f"{view.id}-verlauf", lang, view.summary),
        ], className="explorer-section"))
    if view.measures:
        children.append(html.Section([html.H2(t("measures.annotations.summary", lang)),
                                      annotation_table(view.measures, view.name, lang)],
                                     className="explorer-section"))
    export_query = page_query(view, sort="")
    tables = [html.H2(t("explorer.indicator.table_heading", lang)),
              export_links(f"/export/indicator/{view.id}.csv?{export_query}",
                           f"/export/indicator/{view.id}.xlsx?{export_query}", lang,
                           meta=(f"/export/indicator/{view.id}-meta.json?{export_query}", None)),
              sortable_table(view.table, ids.INDICATOR_TABLE,
                             lambda sort: f"{base}?{page_query(view, sort=sort)}", lang)]
    if view.annual_table is not None:
        annual = view.annual_table
        tables.append(html.Div(data_table(annual.caption, annual.headers, annual.rows, annual.numeric,
                                          class_name="data-table explorer-table"),
                               id=ids.INDICATOR_ANNUAL_TABLE, className="explorer-table-scroll", tabIndex="0",
                               role="region", **{"aria-label": annual.caption}))
    children.append(html.Section(tables, className="explorer-section"))
    children.append(html.P(html.A(t("explorer.indicator.to_explorer", lang),
                                  href=page_url("/explore", lang, kiosk) + f"&ind={view.id}")))
    return [c for c in children if c is not None]


def layout(indicator_id: str | None = None, lang: str | None = None, kiosk: str | None = None,
           **query) -> html.Div:
    ctx = page_context(f"/indicator/{indicator_id}", lang, kiosk)
    view = build_indicator(current_cockpit(), current_viewer(), indicator_id or "", ctx.lang,
                           res=_one(query.get("res")), range_from=_one(query.get("from")),
                           range_to=_one(query.get("to")), sort=_one(query.get("sort")))
    if view is None:
        return shell(ctx, t("explorer.indicator.missing_title", ctx.lang), None, [
            html.P([t("explorer.indicator.missing", ctx.lang, id=indicator_id or ""), " ",
                    html.A(t("ui.nav.overview", ctx.lang), href=page_url("/", ctx.lang))])])
    return shell(ctx, view.name, view.definition,
                 [html.Div(indicator_content(view, ctx.kiosk), id=ids.INDICATOR_CONTENT, className="explorer"),
                  peer_section(view.id, ctx.lang)],
                 view.source_line)


def _one(value) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value
