"""`/berichte/<id>/kommentare`: the comments of the offices on a pending report. Staff of an office asked to
comment get a text area per goal and measure of their office (save draft, submit); admins see which offices
have submitted, every saved comment, and publish the report. Everybody else learns only that there is no such
report. The forms post to `layouts.blueprints.report_comments`."""

from __future__ import annotations

import dash
from dash import dcc, html

from cockpit.i18n import format_number, t
from cockpit.reports.listing import PATH
from cockpit.reports.review import MAX_COMMENT
from cockpit.reports.review_view import ReviewView, build_review_view
from layouts.auth import CSRF_FIELD, csrf_token, current_viewer
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title

PATH_TEMPLATE = f"{PATH}/<report_id>/kommentare"
TITLE_KEY = "reports.review.title"
ERRORS = ("published", "submitted", "too_long", "item", "request")

dash.register_page(__name__, path_template=PATH_TEMPLATE, name="report-comments", title=page_title(TITLE_KEY),
                   title_key=TITLE_KEY, order=10)


def _csrf(suffix: str) -> dcc.Input:
    return dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token(), id=f"review-csrf-{suffix}")


def _own(view: ReviewView, lang: str) -> html.Section:
    children: list = [html.H2(t("reports.review.own.heading", lang, office=view.office), id="review-own-heading")]
    if not view.items:
        children.append(html.P(t("reports.review.own.none", lang)))
    elif view.submitted_text:
        children.append(html.P(view.submitted_text, className="review__state"))
        children.append(html.Dl([part for i in view.items for part in (
            html.Dt(i.label), html.Dd(i.text or t("reports.review.no_comment", lang)))], className="review__done"))
    else:
        fields = []
        for n, item in enumerate(view.items):
            control_id = f"review-item-{n}"
            fields.append(html.Div([
                html.Label(item.label, htmlFor=control_id, className="review__label"),
                dcc.Textarea(id=control_id, name=item.field, value=item.text, maxLength=MAX_COMMENT, rows=3,
                             className="measures-form__text review__text"),
            ], className="review__field"))
        children.append(html.Form([
            _csrf("own"),
            html.P(t("reports.review.own.hint", lang, max=format_number(MAX_COMMENT, 0, lang)), id="review-hint"),
            *fields,
            html.P(t("reports.review.submit_hint", lang), id="review-submit-hint"),
            html.Div([
                html.Button(t("reports.review.save", lang), type="submit", name="action", value="save",
                            className="measures-button"),
                html.Button(t("reports.review.submit", lang), type="submit", name="action", value="submit",
                            className="measures-button", **{"aria-describedby": "review-submit-hint"}),
            ], className="review__buttons"),
        ], method="POST", action=f"{view.form_path}?lang={lang}", className="review__form"))
    return html.Section(children, className="review__own", **{"aria-labelledby": "review-own-heading"})


def _admin(view: ReviewView, lang: str) -> html.Section:
    table = html.Table([
        html.Caption(t("reports.review.status.caption", lang)),
        html.Thead(html.Tr([html.Th(t(f"reports.review.status.{c}", lang), scope="col")
                            for c in ("office", "state", "count")])),
        html.Tbody([html.Tr([
            html.Th(s.office, scope="row"),
            html.Td([html.Span(s.icon, className=f"review__icon review__icon--{s.state}", **{"aria-hidden": "true"}),
                     " ", s.state_text], className=f"review__status review__status--{s.state}"),
            html.Td(s.count_text),
        ]) for s in view.statuses]),
    ], className="review__table")
    comments = (html.Dl([part for c in view.comments for part in (
        html.Dt(f"{c.label} – {c.office}"), html.Dd(c.text))], className="review__done") if view.comments
        else html.P(t("reports.review.none_yet", lang)))
    return html.Section([
        html.H2(t("reports.review.status.heading", lang), id="review-status-heading"),
        html.P(view.status_summary, id="review-status-summary"),
        table,
        html.H3(t("reports.review.all_comments", lang)),
        comments,
        html.Form([
            _csrf("publish"),
            html.P(t("reports.review.publish_hint", lang), id="review-publish-hint"),
            html.Button(t("reports.review.publish", lang), type="submit", className="measures-button",
                        id="review-publish", **{"aria-describedby": "review-publish-hint"}),
        ], method="POST", action=f"{view.publish_path}?lang={lang}", className="review__form"),
    ], className="review__admin", **{"aria-labelledby": "review-status-heading"})


def layout(report_id: str | None = None, lang: str | None = None, kiosk: str | None = None,
           saved: str | None = None, submitted: str | None = None, error: str | None = None, **_query) -> html.Div:
    ctx = page_context(f"{PATH}/{report_id}/kommentare", lang, kiosk)
    view = None
    if report_id and report_id.isdigit():
        view = build_review_view(current_cockpit(), current_viewer(), int(report_id), ctx.lang)
    if view is None:
        return shell(ctx, t("reports.review.title", ctx.lang), None, [
            html.P(t("reports.review.notfound", ctx.lang)),
            html.P(html.A(t("reports.review.back", ctx.lang), href=f"{PATH}?lang={ctx.lang}"))])
    content: list = []
    if error in ERRORS:
        content.append(html.P(t(f"reports.review.error.{error}", ctx.lang), role="alert",
                              className="review__message review__message--error"))
    elif saved or submitted:
        key = "reports.review.submitted_msg" if submitted else "reports.review.saved"
        content.append(html.P(t(key, ctx.lang), role="status", className="review__message"))
    content.append(html.P(view.facts_text))
    if view.overdue:
        content.append(html.P(t("reports.review.overdue", ctx.lang), className="review__overdue"))
    content.append(html.P(html.A(t("reports.review.draft_pdf", ctx.lang), href=view.draft_pdf_path)))
    if view.office:
        content.append(_own(view, ctx.lang))
    if view.admin:
        content.append(_admin(view, ctx.lang))
    return shell(ctx, view.heading, t("reports.review.intro", ctx.lang), [html.Div(content, className="review")])
