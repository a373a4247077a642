"""Measures page `/measures`: status counts, filters in the URL (field of action, office, status, dimension),
one card per measure."""

from __future__ import annotations

import dash
from dash import html

from cockpit.i18n import t
from cockpit.roles import is_staff
from cockpit.views.measures import build_measures
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.measures import measures_content
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title, page_url

PATH = "/measures"
TITLE_KEY = "measures.title"

dash.register_page(__name__, path=PATH, name="measures", title=page_title(TITLE_KEY), title_key=TITLE_KEY,
                   order=2)


def layout(lang: str | None = None, kiosk: str | None = None, field: str | None = None,
           department: str | None = None, status: str | None = None, dimension: str | None = None,
           goal: str | None = None, overdue: str | None = None, **_query) -> html.Div:
    ctx = page_context(PATH, lang, kiosk)
    cockpit = current_cockpit()
    viewer = current_viewer()
    filters = {"field": field, "department": department, "status": status, "dimension": dimension, "goal": goal,
               "overdue": overdue}
    view = build_measures(cockpit, viewer, ctx.lang, filters)
    goal_name = None
    if view.filters.get("goal"):
        found = next(g for g in cockpit.catalog.goals if g.id == view.filters["goal"])
        goal_name = found.name.get(ctx.lang) if found.name else found.id
    content = measures_content(view, ctx.lang, ctx.kiosk, goal_name)
    if is_staff(viewer) and not ctx.kiosk:
        content.append(html.P(html.A(t("measures.ops.link", ctx.lang), href=page_url("/status", ctx.lang)),
                              className="measures-ops-link"))
    return shell(ctx, t("measures.heading", ctx.lang), t("measures.intro", ctx.lang),
                 [html.Div(content, id=ids.MEASURES_CONTENT, className="measures")])
