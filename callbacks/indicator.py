"""Indicator page controls: resolution and range go into the URL; the page is rendered again from it."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State

from layouts import ids
from layouts.context import lang_from_search, query_from_search


@dash.callback(
    Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
    Input(ids.INDICATOR_RES, "value"),
    Input(ids.INDICATOR_FROM, "value"),
    Input(ids.INDICATOR_TO, "value"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def controls_changed(res, range_from, range_to, search):
    current = query_from_search(search)
    params = {"res": "" if res == "auto" else res or "", "from": (range_from or "").strip(),
              "to": (range_to or "").strip(), "sort": current.get("sort", ""), "lang": lang_from_search(search)}
    query = "?" + urlencode([(k, v) for k, v in params.items() if v])
    kept = {k: current.get(k, "") for k in ("res", "from", "to", "sort")}
    if {k: params[k] for k in kept} == kept:
        return dash.no_update  # nothing changed (e.g. the controls of a page just rendered from the URL)
    return query
