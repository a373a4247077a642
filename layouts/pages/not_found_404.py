"""The page for unknown paths (Dash Pages uses the module named not_found_404)."""

from __future__ import annotations

import dash
from dash import html

from cockpit.i18n import t
from layouts.components.shell import page_context, shell
from layouts.context import page_title, page_url

TITLE_KEY = "ui.notfound.title"

dash.register_page(__name__, path="/404", title=page_title(TITLE_KEY), title_key=TITLE_KEY)


def layout(lang: str | None = None, kiosk: str | None = None, **_query) -> html.Div:
    ctx = page_context("/404", lang, kiosk)
    return shell(ctx, t(TITLE_KEY, ctx.lang), None,
                 [html.P([t("ui.notfound.text", ctx.lang), " ",
                          html.A(t("ui.nav.overview", ctx.lang), href=page_url("/", ctx.lang))])])
