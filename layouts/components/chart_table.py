"""The table alternative of the explorer charts: an accessible HTML table whose column headers are sort links
(the sort order lives in the URL like every other state, `aria-sort` tells screen readers), plus export links."""

from __future__ import annotations

from collections.abc import Callable

import dash
from dash import ClientsideFunction, Input, Output, State, dcc, html

from cockpit.i18n import format_number, t
from cockpit.views.timeseries import Problem, Table
from layouts import ids

HTML, CORE = "dash_html_components", "dash_core_components"


def element(tag: str, children=None, namespace: str = HTML, **props) -> dict:
    """The JSON of `html.<tag>(children, **props)` (of `dcc.<tag>` with namespace CORE), built directly, for the
    hundreds of repeated table cells and filter links of a page: a Dash component instance costs argument checks
    when it is built and the JSON encoder's slow fallback when it is sent (together most of a page render); the
    browser gets the same JSON."""
    return {"props": {"children": children, **props}, "type": tag, "namespace": namespace}


def sortable_table(table: Table, element_id: str, sort_href: Callable[[str], str], lang: str,
                   limit: int | None = None) -> html.Div:
    """`sort_href(sort)` gives the page URL with `sort` set ('2' ascending, '-2' descending). With `limit`, only the
    first `limit` rows (in the chosen order) are rendered, with a note above the table that the exports hold all."""
    heads = []
    for index, header in enumerate(table.headers):
        current = table.sort_column == index
        descending = current and table.descending
        next_sort = f"-{index}" if current and not descending else str(index)
        arrow = (" ▼" if descending else " ▲") if current else ""
        hint = t("explorer.sort.desc" if current and not descending else "explorer.sort.asc", lang)
        attrs = {"aria-sort": ("descending" if descending else "ascending") if current else "none"}
        heads.append(html.Th(dcc.Link([header, html.Span(arrow, **{"aria-hidden": "true"}),
                                       html.Span(f" ({hint})", className="explorer-sr")],
                                      href=sort_href(next_sort), className="explorer-sort"),
                             scope="col", className="num" if index in table.numeric else None, **attrs))

    classes = ["num" if index in table.numeric else None for index in range(len(table.headers))]
    rows = table.rows if limit is None else table.rows[:limit]
    body = [element("Tr", [element("Th", text, scope="row") if index == 0 else
                           element("Td", text, className=classes[index]) for index, text in enumerate(row)])
            for row in rows]
    if not body:
        body = [html.Tr(html.Td(t("explorer.table.empty", lang), colSpan=len(table.headers)))]
    scroll = html.Div(
        html.Table([html.Caption(table.caption), html.Thead(html.Tr(heads)), html.Tbody(body)],
                   className="data-table explorer-table", id=element_id),
        className="explorer-table-scroll", tabIndex="0", role="region", **{"aria-label": table.caption},
    )
    if len(rows) == len(table.rows):
        return scroll
    note = t("explore2.table.first_rows", lang, shown=format_number(len(rows), 0, lang),
             total=format_number(len(table.rows), 0, lang))
    return html.Div([html.P(note, id=f"{element_id}-limit", className="explorer-note"), scroll])


def problems_notice(problems: tuple[Problem, ...], lang: str, element_id: str) -> html.Div | None:
    if not problems:
        return None
    return html.Div([html.P(t("explorer.problems.title", lang), className="explorer-problems__title"),
                     html.Ul([html.Li(p.text) for p in problems])],
                    id=element_id, className="explorer-problems", role="status")


def export_links(csv_href: str, xlsx_href: str, lang: str, csv_id: str | None = None,
                 xlsx_id: str | None = None, meta: tuple[str, str | None] | None = None) -> html.Div:
    """Download links: CSV, XLSX and (with `meta` = (href, id)) the CSV's metadata as JSON."""
    csv_attrs = {"id": csv_id} if csv_id else {}
    xlsx_attrs = {"id": xlsx_id} if xlsx_id else {}
    links = [
        html.Span(t("explorer.export.label", lang), className="explorer-export__label"),
        html.A(t("explorer.export.csv", lang), href=csv_href, className="explorer-export__link",
               title=t("export.link.csv_hint", lang), **csv_attrs),
        html.A(t("explorer.export.xlsx", lang), href=xlsx_href, className="explorer-export__link", **xlsx_attrs),
    ]
    if meta is not None:
        links.append(html.A(t("export.link.meta", lang), href=meta[0], className="explorer-export__link",
                            **({"id": meta[1]} if meta[1] else {})))
    links.append(html.Span(t("explorer.export.image", lang), className="explorer-export__hint"))
    return html.Div(links, className="explorer-export")


def filter_link(label: str, href: str, selected: bool, kind: str, lang: str, internal: bool = False) -> dict:
    """A filter option as a link to the view with the option toggled (check) or picked (radio); the state is
    told by a drawn box and a visually hidden word, not by colour."""
    state = t("explorer.filter.selected" if selected else "explorer.filter.not_selected", lang)
    hidden = {"aria-hidden": "true"}
    return element("Link", [
        element("Span", className=f"explorer-opt__box explorer-opt__box--{kind}", **hidden),
        element("Span", [label, element("Span", className="explorer-opt__internal", **hidden) if internal else None],
                className="explorer-opt__label"),
        element("Span", f" ({state})", className="explorer-sr"),
    ], CORE, href=href, className="explorer-opt" + (" explorer-opt--on" if selected else ""))

def range_inputs(from_id: str, to_id: str, range_from: str, range_to: str, lang: str) -> html.Div:
    """The 'from' and 'to' text inputs of a page's time range (put into the URL by `range_callback`)."""
    inputs = []
    for input_id, value, which in ((from_id, range_from, "from"), (to_id, range_to, "to")):
        inputs += [html.Label(t(f"explorer.filter.{which}", lang), htmlFor=input_id),
                   dcc.Input(id=input_id, type="text", value=value, debounce=True,
                             placeholder=t(f"explorer.filter.{which}_hint", lang), className="explorer-input")]
    return html.Div(inputs, className="explorer-range")


def range_callback(from_id: str, to_id: str) -> None:
    """Register the callback that puts a time range typed into a page (the inputs `from_id`, `to_id`) into the
    URL: in the browser, by the clientside function `explorer.range` (assets/explorer.js), when the user submits
    or leaves an input; the page is then rendered again from the URL on the server, which checks the values."""
    dash.clientside_callback(
        ClientsideFunction(namespace="explorer", function_name="range"),
        Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        Input(from_id, "n_submit"),
        Input(from_id, "n_blur"),
        Input(to_id, "n_submit"),
        Input(to_id, "n_blur"),
        State(from_id, "value"),
        State(to_id, "value"),
        State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
