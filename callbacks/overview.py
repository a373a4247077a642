"""Auto-refresh of the overview's tile grid (role resolved on the server, language from the URL)."""

from __future__ import annotations

import dash
from dash import Input, Output, State

from cockpit.views import build_overview
from layouts import ids
from layouts.auth import current_role
from layouts.components.tile import overview_content
from layouts.context import current_cockpit, lang_from_search


@dash.callback(
    Output(ids.OVERVIEW_CONTENT, "children"),
    Output(ids.OVERVIEW_STAMP, "data"),
    Input(ids.OVERVIEW_REFRESH, "n_intervals"),
    State(ids.URL, "search"),
    State(ids.OVERVIEW_STAMP, "data"),
    prevent_initial_call=True,
)
def refresh_overview(_n_intervals, search, shown):
    view = build_overview(current_cockpit(), current_role(), lang_from_search(search))
    if view.fingerprint == shown:
        return dash.no_update, dash.no_update
    return overview_content(view), view.fingerprint
