"""Explorer time range typed into the page: into the URL, by the clientside function `explorer.range`
(assets/explorer.js); the page is then rendered again from the URL on the server, which checks the values and
applies the viewer's role. The other filters are links to the next URL."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State

from layouts import ids

dash.clientside_callback(
    ClientsideFunction(namespace="explorer", function_name="range"),
    Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
    Input(ids.EXPLORE_FROM, "n_submit"),
    Input(ids.EXPLORE_FROM, "n_blur"),
    Input(ids.EXPLORE_TO, "n_submit"),
    Input(ids.EXPLORE_TO, "n_blur"),
    State(ids.EXPLORE_FROM, "value"),
    State(ids.EXPLORE_TO, "value"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
