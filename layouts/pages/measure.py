"""One measure `/measure/<id>`: links, sustainability check, milestones, report history, and the progress
report form for staff of the owning office and admins."""

from __future__ import annotations

import dash
from dash import html

from cockpit.i18n import t
from cockpit.views.measures import build_measure
from cockpit.views.pathway import build_measure_effect
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.measures import measure_detail
from layouts.components.pathway import measure_effect_section
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title, page_url

PATH_TEMPLATE = "/measure/<measure_id>"
TITLE_KEY = "measure.title"

dash.register_page(__name__, path_template=PATH_TEMPLATE, name="measure", title=page_title(TITLE_KEY),
                   title_key=TITLE_KEY, order=3)


REPORT_ERRORS = ("forbidden", "status", "percent", "milestone", "text")


def layout(measure_id: str | None = None, lang: str | None = None, kiosk: str | None = None,
           saved: str | None = None, report_error: str | None = None, **_query) -> html.Div:
    path = f"/measure/{measure_id}"
    ctx = page_context(path, lang, kiosk)
    view = build_measure(current_cockpit(), current_viewer(), measure_id or "", ctx.lang)
    if view is None:
        return shell(ctx, t("measure.title", ctx.lang), None, [
            html.P(t("measures.notfound", ctx.lang), className="measures-notfound"),
            html.P(html.A(t("measures.back", ctx.lang), href=page_url("/measures", ctx.lang, ctx.kiosk)))])
    message, error = None, False
    if report_error in REPORT_ERRORS:
        message, error = t(f"measures.form.error.{report_error}", ctx.lang), True
    elif saved is not None:
        message = t("measures.form.saved", ctx.lang)
    effect = build_measure_effect(current_cockpit(), current_viewer(), measure_id or "", ctx.lang)
    return shell(ctx, view.card.name, None, [
        html.Div(measure_detail(view, ctx.kiosk, message, error), id=ids.MEASURE_CONTENT,
                 className="measures measures-detail"),
        measure_effect_section(effect, ctx.lang) if effect else None,
    ])
