"""The built-in accessibility statement `/barrierefreiheit` (Erklärung zur Barrierefreiheit), a template the city
completes; COCKPIT_ACCESSIBILITY_URL points the footer link to the city's own statement instead."""

from __future__ import annotations

import dash
from dash import html

from cockpit.i18n import t
from cockpit.views.legal import ACCESSIBILITY_PATH, feedback_href
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

TITLE_KEY = "embed.a11y.title"

dash.register_page(__name__, path=ACCESSIBILITY_PATH, name="accessibility", title=page_title(TITLE_KEY),
                   title_key=TITLE_KEY, order=90)


def layout(lang: str | None = None, kiosk: str | None = None, **_query) -> html.Div:
    ctx = page_context(ACCESSIBILITY_PATH, lang, kiosk)
    cockpit = current_cockpit()
    lang = ctx.lang
    mail = cockpit.settings.feedback_email
    contact = ([t("embed.a11y.feedback.text", lang), " ",
                html.A(mail, href=feedback_href(cockpit.settings, lang, ctx.city))] if mail
               else [t("embed.a11y.feedback.none", lang)])
    sections = []
    for key, body in (("status", None), ("gaps", None), ("made", None), ("feedback", contact),
                      ("enforcement", None)):
        heading_id = f"a11y-{key}"
        sections.append(html.Section([
            html.H2(t(f"embed.a11y.{key}.heading", lang), id=heading_id),
            html.P(body if body is not None else t(f"embed.a11y.{key}.text", lang)),
        ], className="embed-statement__section", **{"aria-labelledby": heading_id}))
    return shell(ctx, t(TITLE_KEY, lang), t("embed.a11y.intro", lang, city=ctx.city),
                 [html.Div(sections, className="embed-statement")])
