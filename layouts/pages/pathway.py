"""The climate pathway `/klimapfad`: balance by sector, trend, plan, target, budget, the measures and the "what if"
(switched-off measures in the URL: `?off=a,b`)."""

from __future__ import annotations

import dash
from dash import html

from cockpit.i18n import t
from cockpit.views.pathway import PATH, build_pathway, parse_off
from layouts.auth import current_viewer
from layouts.components.pathway import CONTENT, pathway_content
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

TITLE_KEY = "pathway.title"

dash.register_page(__name__, path=PATH, name="pathway", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=4)


def layout(lang: str | None = None, kiosk: str | None = None, off: str | None = None, **_query) -> html.Div:
    ctx = page_context(PATH, lang, kiosk)
    view = build_pathway(current_cockpit(), current_viewer(), ctx.lang, parse_off(off), ctx.kiosk)
    return shell(ctx, t("pathway.heading", ctx.lang), t("pathway.intro", ctx.lang),
                 [html.Div(pathway_content(view, ctx.kiosk), id=CONTENT, className="pathway")])
