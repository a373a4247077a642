"""Indicator page time range: it goes into the URL; the page is rendered again from it (the resolution options
are links to the next URL)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State

from layouts import ids
from layouts.context import lang_from_search, query_from_search


@dash.callback(
    Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
    Input(ids.INDICATOR_FROM, "value"),
    Input(ids.INDICATOR_TO, "value"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def range_changed(range_from, range_to, search):
    current = query_from_search(search)
    params = {"res": current.get("res", ""), "from": (range_from or "").strip(),
              "to": (range_to or "").strip(), "sort": current.get("sort", ""), "lang": lang_from_search(search)}
    query = "?" + urlencode([(k, v) for k, v in params.items() if v])
    kept = {k: current.get(k, "") for k in ("res", "from", "to", "sort")}
    if {k: params[k] for k in kept} == kept:
        return dash.no_update  # nothing changed (e.g. the controls of a page just rendered from the URL)
    return query
