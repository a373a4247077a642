"""Goal tree page `/goals`: vision -> field of action -> goals with status, target path and forecast."""

from __future__ import annotations

import dash
from dash import dcc

from cockpit.i18n import t
from cockpit.views import build_goals
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.goal import goals_content
from layouts.components.peers import peer_overview
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

PATH = "/goals"
TITLE_KEY = "ui.goals.title"

dash.register_page(__name__, path=PATH, name="goals", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=1)


def layout(lang: str | None = None, kiosk: str | None = None, **_query) -> dash.html.Div:
    ctx = page_context(PATH, lang, kiosk)
    view = build_goals(current_cockpit(), current_viewer(), ctx.lang)
    return shell(
        ctx,
        t("ui.goals.heading", ctx.lang),
        t("ui.goals.intro", ctx.lang),
        [
            dash.html.Div(goals_content(view), id=ids.GOALS_CONTENT, className="goals"),
            peer_overview(ctx.lang),
            dcc.Interval(id=ids.GOALS_REFRESH, interval=ids.REFRESH_INTERVAL_MS),
            dcc.Store(id=ids.GOALS_STAMP, data=view.fingerprint),
        ],
        t("ui.footer.evaluated", ctx.lang, date=view.at_text),
    )
