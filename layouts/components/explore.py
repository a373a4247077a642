"""The explorer's filters and results as components, rendered by the page (`layouts/pages/explore.py`) and
again in place by its callback (`callbacks/explore.py`)."""

from __future__ import annotations

from dash import dcc, html

from cockpit.i18n import t
from cockpit.views.explore import ExploreView, Option, filter_values
from layouts import ids
from layouts.components.chart_base import graph
from layouts.components.chart_explore import map_figure, panel_figure, ranking_figure
from layouts.components.chart_table import export_links, problems_notice, sortable_table
from layouts.components.choices import Choices
from layouts.components.peers_figure import with_peers
from layouts.components.status import demo_notice
from layouts.components.tables import data_table

PATH = "/explore"
TABLE_ROWS = 200  # rows of the data table rendered on the page; the exports hold every row of the view

def _options(options) -> list[dict]:
    return [{"value": o.value, "label": o.label, "internal": o.internal} for o in options]


def _choice(legend: str, control_id: str, options, value, multiple: bool, inline: bool = False) -> html.Fieldset:
    """A group of checkboxes (`multiple`) or radio buttons with their legend: real form controls, each with its
    label, so assistive technology says "Kontrollkästchen, Lusan, nicht aktiviert"."""
    control = Choices(control_id, _options(options), value, multiple,
                      "explorer-choice" + (" explorer-choice--inline" if inline else ""))
    return html.Fieldset([html.Legend(legend), control], className="explorer-fieldset")


def _range(view: ExploreView, values: dict) -> html.Fieldset:
    lang = view.lang
    presets = [html.Li(html.Button(o.label, id=ids.explore_preset(o.value), type="button", n_clicks=0,
                                   className="explorer-preset")) for o in view.presets]
    inputs = []
    for input_id, which in ((ids.EXPLORE_FROM, "from"), (ids.EXPLORE_TO, "to")):
        inputs += [html.Label(t(f"explorer.filter.{which}", lang), htmlFor=input_id),
                   dcc.Input(id=input_id, type="text", value=values[which], debounce=True,
                             placeholder=t(f"explorer.filter.{which}_hint", lang), className="explorer-input")]
    return html.Fieldset([
        html.Legend(t("explorer.filter.range", lang)),
        html.Ul(presets, className="explorer-presets", **{"aria-label": t("explore_app.presets", lang)}),
        html.Div(inputs, className="explorer-range"),
    ], className="explorer-fieldset")


def _peer_choice(view: ExploreView, value: list[str]) -> html.Fieldset:
    """The comparison with other cities (hidden without peer data: the callback still finds its control)."""
    fieldset = _choice(t("peers_explore.filter", view.lang), ids.EXPLORE_PEERS, view.peer_options, value, True)
    if not view.peer_options:
        fieldset.hidden = True
    return fieldset


def _filters(view: ExploreView) -> html.Div:
    lang = view.lang
    values = filter_values(view)
    norm = [Option("per1000", t("explorer.norm.per1000", lang))]
    return html.Div([  # not a <form>: Enter in a range input must not submit (and reload) the page
        _choice(t("explorer.filter.domain", lang), ids.EXPLORE_DOMAIN, view.domains, values["domain"], False),
        _choice(t("explorer.filter.department", lang), ids.EXPLORE_DEPARTMENT, view.departments,
                values["department"], False),
        _choice(t("explorer.filter.indicators", lang), ids.EXPLORE_IND, view.indicators, values["ind"], True),
        _choice(t("explorer.filter.districts", lang), ids.EXPLORE_DISTRICT, view.districts, values["district"],
                True),
        _range(view, values),
        _choice(t("explorer.filter.res", lang), ids.EXPLORE_RES, view.resolutions, values["res"], False,
                inline=True),
        _choice(t("explorer.filter.norm", lang), ids.EXPLORE_NORM, norm, values["norm"], True),
        _peer_choice(view, values["peer"]),
    ], id=ids.EXPLORE_FILTERS, className="explorer-filters", role="group",
        **{"aria-label": t("explorer.filter.label", lang)})


def _panels(view: ExploreView) -> html.Section:
    lang = view.lang
    panels = []
    for panel in view.panels:
        title = f"{panel.name} ({panel.unit})"
        layer = view.peer_layers.get(panel.indicator_id)
        figure = with_peers(panel_figure(panel, view.x_range, lang), layer, panel.decimals, lang)
        children = [graph(figure, ids.explore_panel(panel.indicator_id), panel.indicator_id, lang, title)]
        if panel.note:
            children.append(html.P(panel.note, className="explorer-note"))
        if layer is not None:
            children.append(html.P(layer.note, className="explorer-note peers-layer-note"))
        children.append(html.P([html.A(t("explorer.to_indicator", lang, name=panel.name),
                                       href=f"/indicator/{panel.indicator_id}?lang={lang}")],
                               className="explorer-note"))
        panels.append(html.Div(children, className="explorer-panel"))
    notes = [html.P(note, className="explorer-note") for note in view.peer_notes]
    return html.Section([html.H2(t("explorer.panels.heading", lang)), *notes,
                         html.Div(panels, className="explorer-grid")], className="explorer-section")


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


def explore_results(view: ExploreView) -> list:
    """Everything a filter change updates: notices, export links, charts, ranking, map and table."""
    lang = view.lang
    children = [problems_notice(view.problems, lang, ids.EXPLORE_PROBLEMS)]
    if view.demo:
        children.append(demo_notice(lang))
    if view.department_name:
        children.append(html.P(t("explorer.department_view", lang, name=view.department_name),
                               className="explorer-note"))
    if view.archive_note:  # raw rows of past years read from the archive's files
        children.append(html.P(f"{t('archive.note.label', lang)}: {view.archive_note}",
                               className="explorer-note explorer-archive"))
    children += [
        html.P(view.filters_text, className="explorer-note explorer-selection"),
        export_links(f"/export/explore.csv?{view.query}", f"/export/explore.xlsx?{view.query}", lang,
                     ids.EXPLORE_EXPORT_CSV, ids.EXPLORE_EXPORT_XLSX,
                     meta=(f"/export/explore-meta.json?{view.query}", ids.EXPLORE_EXPORT_META)),
        _panels(view),
        _comparison(view),
        html.Section([html.H2(t("explorer.table.heading", lang)),
                      sortable_table(view.table, ids.EXPLORE_TABLE, lambda sort: _sorted_url(view, sort), lang,
                                     limit=TABLE_ROWS)],
                     className="explorer-section"),
    ]
    return [c for c in children if c is not None]


def explore_update(view: ExploreView) -> tuple:
    """The outputs of a filter change, in the order of the callback (`callbacks/explore.py`): the results, the
    query to push into the URL, the announcement, and every control as the view understood it (an unusable
    value is shown as the default that is used instead; back/forward set the controls to the URL's state)."""
    values = filter_values(view)
    return (explore_results(view), view.query, t("explore_app.updated", view.lang, filters=view.filters_text),
            values["domain"], values["department"], _options(view.indicators), values["ind"], values["district"], values["res"],
            values["norm"], values["from"], values["to"], values["peer"])


def _sorted_url(view: ExploreView, sort: str) -> str:
    state = view.state
    return f"{PATH}?" + type(state)(**{**state.__dict__, "sort": sort}).query(view.lang)


def explore_content(view: ExploreView) -> list:
    """The page below its heading: the state stores, the filters, the results and a live region."""
    return [
        dcc.Store(id=ids.EXPLORE_QUERY, data={"query": view.query, "push": False}),
        dcc.Store(id=ids.EXPLORE_PUSHED, data=view.query),
        dcc.Store(id=ids.EXPLORE_POPPED),
        dcc.Store(id=ids.EXPLORE_SORT),
        dcc.Store(id=ids.EXPLORE_LANG, data=view.lang),
        _filters(view),
        html.Div(explore_results(view), id=ids.EXPLORE_RESULTS, className="explorer"),
        html.P("", id=ids.EXPLORE_STATUS, role="status", className="explorer-sr"),
    ]

