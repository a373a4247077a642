"""`/berichte`: the published council reports with period, date and stable URLs (PDF/UA and XLSX); admins also
get the form that generates and archives a report (POST with the session's CSRF token)."""

from __future__ import annotations

import dash
from dash import dcc, html

from cockpit.i18n import t
from cockpit.reports.listing import PATH, build_reports_list
from cockpit.reports.review_view import build_pending_list
from cockpit.roles import Role
from layouts.auth import CSRF_FIELD, csrf_token, current_viewer
from layouts.blueprints.reports import CREATE_PATH
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

TITLE_KEY = "reports.list.title"

dash.register_page(__name__, path=PATH, name="reports", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=9)


def _row(row, lang: str) -> html.Li:
    return html.Li([
        html.H2(row.period_text, className="reports__period"),
        html.P([f"{t('reports.list.col.created', lang)}: {row.created_text}", html.Br(),
                f"{t('reports.list.col.audience', lang)}: {row.audience_text} · "
                f"{t('reports.list.col.lang', lang)}: {row.lang_text}"]),
        html.Ul([
            html.Li(html.A(t("reports.list.pdf", lang, period=row.period_text), href=row.pdf_path)),
            html.Li(html.A(t("reports.list.xlsx", lang, period=row.period_text), href=row.xlsx_path)),
        ], className="reports__files"),
        html.P([f"{t('reports.list.checksum', lang)}: ", html.Code(row.pdf_sha256, className="reports__hash")],
               className="reports__checksum"),
    ], className="reports__item")


def _admin_form(lang: str) -> html.Section:
    def field(label: str, control) -> html.Div:
        return html.Div([html.Label(label, htmlFor=control.id), control], className="reports__field")

    return html.Section([
        html.H2(t("reports.admin.heading", lang), id="reports-admin-heading"),
        html.Form([
            dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token(), id="reports-csrf"),
            field(t("reports.admin.period", lang),
                  dcc.Input(id="reports-period", name="period", type="text", required=True,
                            pattern=r"\d{4}(-(H[12]|Q[1-4]))?", autoComplete="off")),
            field(t("reports.admin.audience", lang), html.Select(
                [html.Option(t(f"reports.audience.{a}", lang), value=a) for a in ("public", "internal")],
                id="reports-audience", name="audience")),
            field(t("reports.admin.lang", lang), html.Select(
                [html.Option(t(f"reports.lang.{code}", lang), value=code) for code in ("de", "en")],
                id="reports-lang", name="report_lang")),
            field(t("reports.admin.comments_days", lang),
                  dcc.Input(id="reports-comments-days", name="comments_days", type="number", min=1, max=365,
                            autoComplete="off")),
            html.Button(t("reports.admin.submit", lang), type="submit", className="reports__submit"),
        ], method="POST", action=f"{CREATE_PATH}?lang={lang}", className="reports__form"),
    ], className="reports__admin", **{"aria-labelledby": "reports-admin-heading"})


def _pending(rows, lang: str) -> html.Section:
    return html.Section([
        html.H2(t("reports.review.pending.heading", lang), id="reports-pending-heading"),
        html.Ul([html.Li([html.A(r.link_text, href=f"{r.path}?lang={lang}"), " · ", r.deadline_text])
                 for r in rows], className="reports__pending"),
    ], **{"aria-labelledby": "reports-pending-heading"})


def layout(lang: str | None = None, kiosk: str | None = None, created: str | None = None,
           kept: str | None = None, published: str | None = None, **_query) -> html.Div:
    ctx = page_context(PATH, lang, kiosk)
    viewer = current_viewer()
    view = build_reports_list(current_cockpit(), viewer, ctx.lang)
    content: list = []
    if created and created.isdigit() and any(r.id == int(created) for r in view.rows):
        key = "reports.admin.kept" if kept else "reports.admin.created"
        content.append(html.P(t(key, ctx.lang, id=created), role="status", className="reports__message"))
    if published and published.isdigit() and any(r.id == int(published) for r in view.rows):
        content.append(html.P(t("reports.review.published_msg", ctx.lang, id=published), role="status",
                              className="reports__message"))
    if view.rows:
        content.append(html.Ul([_row(r, ctx.lang) for r in view.rows], className="reports__list",
                               **{"aria-label": t("reports.list.caption", ctx.lang)}))
    else:
        content.append(html.P(view.empty_text))
    pending = build_pending_list(current_cockpit(), viewer, ctx.lang)
    if pending:
        content.append(_pending(pending, ctx.lang))
    if viewer.role == Role.ADMIN:
        content.append(_admin_form(ctx.lang))
    return shell(ctx, t("reports.list.heading", ctx.lang), t("reports.list.intro", ctx.lang),
                 [html.Div(content, className="reports")])
