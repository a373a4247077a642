"""Explorer filters: every change rewrites the URL (the single source of the explorer's state); the page is then
rendered again from the URL on the server. The role is resolved on the server, never taken from an input."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State

from cockpit.views.explore import canonical_query, filters_query
from layouts import ids
from layouts.auth import current_role
from layouts.context import current_cockpit, lang_from_search, query_from_search


@dash.callback(
    Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
    Input(ids.EXPLORE_IND, "value"),
    Input(ids.EXPLORE_DISTRICT, "value"),
    Input(ids.EXPLORE_DOMAIN, "value"),
    Input(ids.EXPLORE_DEPARTMENT, "value"),
    Input(ids.EXPLORE_FROM, "value"),
    Input(ids.EXPLORE_TO, "value"),
    Input(ids.EXPLORE_RES, "value"),
    Input(ids.EXPLORE_NORM, "value"),
    Input({"type": ids.EXPLORE_PRESET, "preset": ALL}, "n_clicks"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def filters_changed(indicators, districts, domain, department, range_from, range_to, res, norm, _presets, search):
    trigger = dash.ctx.triggered_id
    preset = trigger.get("preset") if isinstance(trigger, dict) else None
    catalog, role, lang = current_cockpit().catalog, current_role(), lang_from_search(search)
    query = filters_query(catalog, role, lang, query_from_search(search), indicators, districts, domain, department,
                          range_from, range_to, res, norm, preset)
    if query == canonical_query(catalog, role, lang, search):
        return dash.no_update  # nothing changed (e.g. the controls of a page just rendered from the URL)
    return f"?{query}"
