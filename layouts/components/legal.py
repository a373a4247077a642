"""Legal links (Impressum, Datenschutz, Barrierefreiheit, Feedback) for the footer of every public page."""

from __future__ import annotations

from dash import html

from cockpit.i18n import t
from cockpit.views.legal import legal_links
from layouts.context import current_cockpit


def legal_nav(lang: str) -> html.Nav:
    cockpit = current_cockpit()
    links = legal_links(cockpit.settings, lang, cockpit.catalog.city.get(lang))
    return html.Nav(
        html.Ul([html.Li(html.A(link.label, href=link.href, **{"data-legal": link.key})) for link in links],
                className="legal-links__list"),
        className="legal-links", **{"aria-label": t("embed.legal.label", lang)})
