"""The embed builder ("Einbetten"): what to embed, language, colour scheme, heading and border; the code to
paste (copyable with a button or the keyboard) and a live preview of the real embed. Keyboard accessible:
native radio buttons, checkboxes, a read-only text area and a button."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from cockpit.i18n import t
from cockpit.views import embed as embed_views
from layouts import ids

BUILDER_PATH = "/einbetten"


def builder_url(kind: str, ident: str, lang: str) -> str:
    """Link target for an "Einbetten" link on a tile ('tile'), goal ('goal') or domain ('domain')."""
    return f"{BUILDER_PATH}?{urlencode({kind: ident, 'lang': lang})}"


def _field(label: str, control, control_id: str) -> html.Fieldset:
    return html.Fieldset([html.Legend(label), control], className="embed-builder__group", id=f"{control_id}-group")


def embed_builder(catalog, lang: str, base_url: str, choices, selected: str, known: bool, origins: list[str],
                  snippet: str, preview_src: str, preview_title: str) -> html.Div:
    controls = [
        _field(t("embed.builder.what", lang), dcc.RadioItems(
            id=ids.EMBED_SCOPE, options=[{"label": c.label, "value": c.value} for c in choices], value=selected,
            className="embed-builder__radios embed-builder__radios--stacked", inputClassName="embed-builder__radio"),
            ids.EMBED_SCOPE),
        _field(t("embed.builder.lang", lang), dcc.RadioItems(
            id=ids.EMBED_LANG, value=lang, className="embed-builder__radios",
            options=[{"label": t(f"embed.builder.lang.{code}", lang), "value": code} for code in ("de", "en")]),
            ids.EMBED_LANG),
        _field(t("embed.builder.theme", lang), dcc.RadioItems(
            id=ids.EMBED_THEME, value="light", className="embed-builder__radios",
            options=[{"label": t(f"embed.builder.theme.{name}", lang), "value": name}
                     for name in embed_views.THEMES]), ids.EMBED_THEME),
        _field(t("embed.builder.options", lang), dcc.Checklist(
            id=ids.EMBED_FLAGS, value=["title", "border"], className="embed-builder__radios",
            options=[{"label": t("embed.builder.show_title", lang), "value": "title"},
                     {"label": t("embed.builder.show_border", lang), "value": "border"}]), ids.EMBED_FLAGS),
        html.Div([
            html.Label(t("embed.builder.code", lang), htmlFor=ids.EMBED_CODE, className="embed-builder__label"),
            dcc.Textarea(id=ids.EMBED_CODE, value=snippet, readOnly=True, className="embed-builder__code",
                         spellCheck=False, rows=6),
            html.Button(t("embed.builder.copy", lang), id=ids.EMBED_COPY, n_clicks=0, type="button",
                        className="embed-builder__copy",
                        **{"data-copied": t("embed.builder.copied", lang),
                           "data-failed": t("embed.builder.copy_failed", lang)}),
            html.P("", id=ids.EMBED_COPY_STATUS, role="status", className="embed-builder__status",
                   **{"aria-live": "polite"}),
        ], className="embed-builder__field"),
        html.P(t("embed.builder.origins", lang, origins=", ".join(origins)) if origins
               else t("embed.builder.no_origins", lang), className="embed-builder__note"),
    ]
    others = html.Details([
        html.Summary(t("embed.builder.others", lang)),
        html.Ul([html.Li(html.A(label, href=builder_url(kind, ident, lang)))
                 for kind, ident, label in embed_views.other_subjects(catalog, lang)]),
    ], className="embed-builder__others")
    intro = [html.P(t("embed.builder.unknown", lang), className="notice embed-builder__unknown", role="note")] \
        if not known else []
    preview = html.Section([
        html.H2(t("embed.builder.preview", lang), id="embed-builder-preview-heading"),
        html.Div(html.Iframe(id=ids.EMBED_PREVIEW, src=preview_src, title=preview_title,
                             className="embed-builder__preview"), className="embed-builder__previewbox"),
    ], className="embed-builder__previewcol", **{"aria-labelledby": "embed-builder-preview-heading"})
    return html.Div([
        *intro,
        html.Div([html.Div(controls + [others], className="embed-builder__controls"), preview],
                 className="embed-builder"),
        dcc.Store(id=ids.EMBED_BASE, data=base_url),
    ])
