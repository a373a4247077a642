"""Embed builder: the snippet and the preview follow the choices; the copy button copies in the browser."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State

from cockpit.views import embed as embed_views
from layouts import ids
from layouts.context import current_cockpit


@dash.callback(
    Output(ids.EMBED_CODE, "value"),
    Output(ids.EMBED_PREVIEW, "src"),
    Output(ids.EMBED_PREVIEW, "title"),
    Input(ids.EMBED_SCOPE, "value"),
    Input(ids.EMBED_LANG, "value"),
    Input(ids.EMBED_THEME, "value"),
    Input(ids.EMBED_FLAGS, "value"),
    State(ids.EMBED_BASE, "data"),
    prevent_initial_call=True,
)
def update_snippet(scope, lang, theme, flags, base):
    catalog = current_cockpit().catalog
    parsed = embed_views.parse_choice(catalog, scope)
    if parsed is None or lang not in ("de", "en") or theme not in embed_views.THEMES or not isinstance(base, str):
        return dash.no_update, dash.no_update, dash.no_update
    kind, ident = parsed
    flags = flags if isinstance(flags, list) else []
    options = embed_views.EmbedOptions(lang=lang, theme=theme, title="title" in flags, border="border" in flags)
    name = next((c.name for c in embed_views.builder_choices(catalog, lang, **{kind: ident})[0]
                 if c.value == scope), None) if kind != "goals" else None
    title = embed_views.frame_title(kind, name, lang, catalog.city.get(lang))
    return (embed_views.snippet(base, kind, ident, options, title), embed_views.embed_path(kind, ident, options),
            title)


dash.clientside_callback(
    ClientsideFunction(namespace="cockpitEmbed", function_name="copy"),
    Output(ids.EMBED_COPY_STATUS, "children"),
    Input(ids.EMBED_COPY, "n_clicks"),
    State(ids.EMBED_CODE, "value"),
    prevent_initial_call=True,
)
