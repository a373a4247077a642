"""Auto-refresh of the overview's tile grid (role resolved on the server, language from the URL), and a tile's
values as a table when its "Daten als Tabelle" is first opened."""

from __future__ import annotations

import dash
from dash import MATCH, Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks._refresh import refresh_callback, refreshed
from cockpit.views import build_overview
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.sparkline import spark_table
from layouts.components.tile import overview_content
from layouts.context import current_cockpit, lang_from_search
from layouts.hardening import expect


@refresh_callback(ids.OVERVIEW_CONTENT, ids.OVERVIEW_STAMP, ids.OVERVIEW_REFRESH)
def refresh_overview(search, shown):
    return refreshed(build_overview, overview_content, search, shown)


@dash.callback(
    Output({"type": ids.SPARK_ROWS, "indicator": MATCH}, "children"),
    Input({"type": ids.SPARK_TABLE, "indicator": MATCH}, "n_clicks"),
    State(ids.URL, "search"),
    State({"type": ids.SPARK_ROWS, "indicator": MATCH}, "children"),
    prevent_initial_call=True,
)
def open_spark_table(n_clicks, search, shown):
    """The table of the tile's sparkline, from the viewer's overview (a tile the viewer may not see: nothing)."""
    expect(n_clicks, int, type(None), name="n_clicks")
    expect(search, str, type(None), name="search")
    if isinstance(shown, dict) and shown.get("type") == "Table":
        raise PreventUpdate  # filled already (every click on the <details> counts)
    trigger = dash.ctx.triggered_id
    indicator_id = expect(trigger.get("indicator") if isinstance(trigger, dict) else None, str, name="indicator")
    lang = lang_from_search(search)
    view = build_overview(current_cockpit(), current_viewer(), lang)
    for group in view.groups:
        for tile_view in group.tiles:
            if tile_view.indicator_id == indicator_id and tile_view.spark.points:
                return spark_table(tile_view.spark, lang)
    raise PreventUpdate  # no such tile for this viewer: nothing, not even an error naming it
