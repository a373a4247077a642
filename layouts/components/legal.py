"""Legal links (Impressum, Datenschutz, Barrierefreiheit, Feedback) for the footer of every public page."""

from __future__ import annotations

from dash import html

from cockpit.i18n import t
from cockpit.views.legal import legal_links
from layouts.context import current_cockpit


def legal_nav(lang: str, embed_href: str | None = None) -> html.Nav:
    """The legal links; with `embed_href` also a link to the embed builder ('Einbetten')."""
    cockpit = current_cockpit()
    links = legal_links(cockpit.settings, lang, cockpit.catalog.city.get(lang))
    items = [html.Li(html.A(link.label, href=link.href, **{"data-legal": link.key})) for link in links]
    if embed_href:
        items.append(html.Li(html.A(t("pages.embed.link", lang), href=embed_href, className="embed-link",
                                    **{"data-embed-builder": "footer"})))
    return html.Nav(
        html.Ul(items, className="legal-links__list"),
        className="legal-links", **{"aria-label": t("embed.legal.label", lang)})
