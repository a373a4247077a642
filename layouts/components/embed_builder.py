"""The embed builder ("Einbetten"): what to embed, language, colour scheme, heading and border; the code to
paste (copyable with a button or the keyboard) and a live preview of the real embed.

Native, labelled <select>s and a button (keyboard and screen-reader friendly); assets/embed-builder.js rebuilds
the code and the preview when a choice changes (the same format as cockpit.views.embed.snippet)."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import html

from cockpit.i18n import t
from cockpit.views import embed as embed_views
from layouts import ids

BUILDER_PATH = "/einbetten"


def builder_url(kind: str, ident: str, lang: str) -> str:
    """Link target for an "Einbetten" link on a tile ('tile'), goal ('goal') or domain ('domain')."""
    return f"{BUILDER_PATH}?{urlencode({kind: ident, 'lang': lang})}"


def _select(control_id: str, label: str, options: list[html.Option]) -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=control_id, className="embed-builder__label"),
        html.Select(options, id=control_id, className="embed-builder__select"),
    ], className="embed-builder__field")


def _option(value: str, label: str, selected: bool, **data) -> html.Option:
    return html.Option(label, value=value, selected=selected, **{f"data-{k}": v for k, v in data.items()})


def embed_builder(catalog, lang: str, base_url: str, choices, known: bool, origins: list[str], snippet: str,
                  preview_src: str, preview_title: str) -> html.Div:
    city = {code: catalog.city.get(code) for code in ("de", "en")}
    scope = [
        _option(c.value, c.label, index == 0, path=embed_views.embed_path(c.kind, c.ident,
                                                                          embed_views.EmbedOptions("de")).split("?")[0],
                height=str(embed_views.MIN_HEIGHT[c.kind]),
                **{f"title-{code}": embed_views.frame_title(c.kind, _name(catalog, c, code), code, city[code])
                   for code in ("de", "en")})
        for index, c in enumerate(choices)
    ]
    controls = [
        _select(ids.EMBED_SCOPE, t("embed.builder.what", lang), scope),
        _select(ids.EMBED_LANG, t("embed.builder.lang", lang),
                [_option(code, t(f"embed.builder.lang.{code}", lang), code == lang) for code in ("de", "en")]),
        _select(ids.EMBED_THEME, t("embed.builder.theme", lang),
                [_option(name, t(f"embed.builder.theme.{name}", lang), name == "light")
                 for name in embed_views.THEMES]),
        _select(ids.EMBED_TITLE, t("embed.builder.show_title", lang),
                [_option("1", t("embed.builder.yes", lang), True), _option("0", t("embed.builder.no", lang), False)]),
        _select(ids.EMBED_BORDER, t("embed.builder.show_border", lang),
                [_option("1", t("embed.builder.yes", lang), True), _option("0", t("embed.builder.no", lang), False)]),
        html.Div([
            html.Label(t("embed.builder.code", lang), htmlFor=ids.EMBED_CODE, className="embed-builder__label"),
            html.Textarea(snippet, id=ids.EMBED_CODE, readOnly=True, className="embed-builder__code",
                          spellCheck="false", rows=6),
            html.Button(t("embed.builder.copy", lang), id=ids.EMBED_COPY, type="button",
                        className="embed-builder__copy",
                        **{"data-copied": t("embed.builder.copied", lang),
                           "data-failed": t("embed.builder.copy_failed", lang)}),
            html.P("", id=ids.EMBED_COPY_STATUS, role="status", className="embed-builder__status"),
        ], className="embed-builder__field"),
        html.P(t("embed.builder.origins", lang, origins=", ".join(origins)) if origins
               else t("embed.builder.no_origins", lang), className="embed-builder__note"),
        html.Details([
            html.Summary(t("embed.builder.others", lang)),
            html.Ul([html.Li(html.A(label, href=builder_url(kind, ident, lang)))
                     for kind, ident, label in embed_views.other_subjects(catalog, lang)]),
        ], className="embed-builder__others"),
    ]
    intro = [html.P(t("embed.builder.unknown", lang), className="notice embed-builder__unknown", role="note")] \
        if not known else []
    preview = html.Section([
        html.H2(t("embed.builder.preview", lang), id="embed-builder-preview-heading"),
        html.Div(html.Iframe(id=ids.EMBED_PREVIEW, src=preview_src, title=preview_title,
                             className="embed-builder__preview"), className="embed-builder__previewbox"),
    ], className="embed-builder__previewcol", **{"aria-labelledby": "embed-builder-preview-heading"})
    return html.Div([
        *intro,
        html.Div([html.Div(controls, className="embed-builder__controls"), preview], className="embed-builder"),
    ], id=ids.EMBED_BUILDER, **{"data-base": base_url, "data-embed-builder": ""})


def _name(catalog, choice, lang: str) -> str | None:
    """The subject's name in `lang` (the choices were built in the page's language)."""
    if choice.kind == "goals":
        return None
    return embed_views.builder_choices(catalog, lang, **{choice.kind: choice.ident})[0][0].name
