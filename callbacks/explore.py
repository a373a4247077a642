"""Explorer time range typed into the page: it goes into the URL (the single source of the explorer's state); the
page is then rendered again from the URL on the server. The other filters are links to the next URL. The role is
resolved on the server, never taken from an input."""

from __future__ import annotations

import dash
from dash import Input, Output, State

from cockpit.views.explore import canonical_query, range_query
from layouts import ids
from layouts.auth import current_role
from layouts.context import current_cockpit, lang_from_search


@dash.callback(
    Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
    Input(ids.EXPLORE_FROM, "value"),
    Input(ids.EXPLORE_TO, "value"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def range_changed(range_from, range_to, search):
    catalog, role, lang = current_cockpit().catalog, current_role(), lang_from_search(search)
    query = range_query(catalog, role, lang, search, range_from, range_to)
    if query == canonical_query(catalog, role, lang, search):
        return dash.no_update  # nothing changed (e.g. the inputs of a page just rendered from the URL)
    return f"?{query}"
