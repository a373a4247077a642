"""Explorer `/explore`: filters (domain, department, indicators, districts, range, resolution, per 1,000),
small multiples, district ranking and map, the data table and exports.

All state is in a readable URL (`/explore?ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2020-01
&to=now&res=month&lang=de`); opening a shared URL renders exactly that view on the server. The filters are form
controls (checkboxes, radio buttons, text inputs, buttons): a change updates the charts, ranking, map, table and
export links in place (`callbacks/explore.py`), keeps the scroll position and the focus, and pushes the new URL as a
history entry; back/forward show the state of that URL again in place (`assets/explorer.js`)."""

from __future__ import annotations

import dash
from dash import html

from cockpit.i18n import t
from cockpit.views.explore import build_explore
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.explore import PATH, explore_content
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

TITLE_KEY = "explorer.explore.title"

dash.register_page(__name__, path=PATH, name="explore", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=2)


def layout(lang: str | None = None, kiosk: str | None = None, **query) -> html.Div:
    ctx = page_context(PATH, lang, kiosk)
    view = build_explore(current_cockpit(), current_viewer(), query, ctx.lang)
    return shell(ctx, t("explorer.explore.heading", ctx.lang), t("explorer.explore.intro", ctx.lang),
                 [html.Div(explore_content(view), id=ids.EXPLORE_CONTENT, className="explorer")])
