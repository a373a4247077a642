"""Overview page `/`: KPI tiles grouped by domain, refreshed every few minutes."""

from __future__ import annotations

import dash
from dash import dcc

from cockpit.i18n import t
from cockpit.views import build_overview
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.shell import page_context, shell
from layouts.components.tile import overview_content
from layouts.context import current_cockpit, page_title

PATH = "/"
TITLE_KEY = "ui.overview.title"

dash.register_page(__name__, path=PATH, name="overview", title=page_title(TITLE_KEY), title_key=TITLE_KEY,
                   order=0)


def layout(lang: str | None = None, kiosk: str | None = None, **_query) -> dash.html.Div:
    ctx = page_context(PATH, lang, kiosk)
    view = build_overview(current_cockpit(), current_viewer(), ctx.lang)
    return shell(
        ctx,
        t("ui.overview.heading", ctx.lang, city=ctx.city),
        t("ui.overview.intro", ctx.lang),
        [
            dash.html.Div(overview_content(view), id=ids.OVERVIEW_CONTENT, className="overview"),
            dcc.Interval(id=ids.OVERVIEW_REFRESH, interval=ids.REFRESH_INTERVAL_MS),
            dcc.Store(id=ids.OVERVIEW_STAMP, data=view.fingerprint),
        ],
        t("ui.footer.evaluated", ctx.lang, date=view.at_text),
    )
