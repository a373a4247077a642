"""Embed builder page `/einbetten?tile=<id>` (or `?goal=<id>`, `?domain=<id>`): snippet and live preview."""

from __future__ import annotations

import dash
import flask

from cockpit.i18n import t
from cockpit.views import embed as embed_views
from layouts.components.embed_builder import BUILDER_PATH, embed_builder
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

TITLE_KEY = "embed.builder.title"

dash.register_page(__name__, path=BUILDER_PATH, name="embed-builder", title=page_title(TITLE_KEY),
                   title_key=TITLE_KEY, order=80)


def base_url() -> str:
    configured = current_cockpit().settings.public_url
    return (configured or flask.request.host_url).rstrip("/")


def layout(lang: str | None = None, kiosk: str | None = None, tile: str | None = None, goal: str | None = None,
           domain: str | None = None, **_query) -> dash.html.Div:
    ctx = page_context(BUILDER_PATH, lang, kiosk)
    cockpit = current_cockpit()
    choices, _selected, known = embed_views.builder_choices(cockpit.catalog, ctx.lang, tile, goal, domain)
    first = choices[0]
    options = embed_views.EmbedOptions(lang=ctx.lang)
    base = base_url()
    title = embed_views.frame_title(first.kind, first.name, ctx.lang, ctx.city)
    return shell(
        ctx, t("embed.builder.heading", ctx.lang), t("embed.builder.intro", ctx.lang),
        [embed_builder(cockpit.catalog, ctx.lang, base, choices, known,
                       list(cockpit.settings.embed_origins),
                       embed_views.snippet(base, first.kind, first.ident, options, title),
                       embed_views.embed_path(first.kind, first.ident, options), title)],
    )
