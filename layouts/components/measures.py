"""Measures on screen: status badge (icon + word), cards, filter form, detail sections, report form, the goal
page block `goal_measures`, chart annotation data with its table alternative, the wall slide, and the
operations page content."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from dash import dcc, html

from cockpit.i18n import t
from cockpit.views.measures import (
    AnnotationView,
    GoalMeasuresView,
    MeasureCard,
    MeasureDetailView,
    MeasuresView,
    OverdueSummary,
    WallMeasuresView,
)
from layouts import ids
from layouts.auth import CSRF_FIELD, csrf_token
from layouts.components.tables import data_table
from layouts.context import page_url

FILTER_KEYS = ("field", "department", "status", "dimension")


def measure_status(status: str, text: str) -> html.Span:
    """The status of a measure as icon plus word (never by colour alone)."""
    return html.Span([html.Span(className="status__icon", **{"aria-hidden": "true"}),
                      html.Span(text, className="status__text")],
                     className=f"status measures-status measures-status--{status}")


def _badge(text: str, kind: str) -> html.Span:
    return html.Span([html.Span(className="badge__icon", **{"aria-hidden": "true"}), text],
                     className=f"badge measures-badge measures-badge--{kind}")


def card_badges(card: MeasureCard, lang: str) -> list:
    badges = [measure_status(card.status, card.status_text)]
    if card.overdue:
        badges.append(_badge(t("measures.overdue.badge", lang), "overdue"))
    if not card.check_complete:
        badges.append(_badge(t("measures.check.open", lang), "check-open"))
    if card.internal:
        badges.append(html.Span(t("measures.internal.badge", lang), className="badge badge--internal"))
    if card.demo:
        badges.append(html.Span([html.Span(className="badge__icon", **{"aria-hidden": "true"}),
                                 t("measures.demo.badge", lang)], className="badge badge--demo"))
    return badges


def _dimension_chips(card: MeasureCard) -> html.Ul:
    return html.Ul([html.Li([html.Span(className="measures-check__icon", **{"aria-hidden": "true"}),
                             f"{d.dimension_text}: {d.assessment_text}"],
                            className=f"measures-check__item measures-check--{d.assessment or 'open'}")
                    for d in card.dimensions], className="measures-check")


def measure_card(card: MeasureCard, lang: str, kiosk: bool = False, heading: str = "H3") -> html.Article:
    """One measure in a list: id `measure-<id>`, data-status, data-overdue."""
    element_id = ids.measure(card.id)
    name_id = f"{element_id}-name"
    title = getattr(html, heading)(
        html.A(card.name, href=page_url(card.url_path, lang, kiosk), className="measures-card__link"),
        id=name_id, className="measures-card__name")
    facts = [(t("measures.label.field", lang), card.field_name),
             (t("measures.label.department", lang), card.department_name),
             (t("measures.label.period", lang), card.period_text)]
    if card.percent_text:
        facts.append((t("measures.label.progress", lang), card.percent_text))
    body = [
        html.Div([title, html.Div(card_badges(card, lang), className="measures-card__badges")],
                 className="measures-card__head"),
        html.Dl([html.Div([html.Dt(k), html.Dd(v)], className="measures-card__fact") for k, v in facts],
                className="measures-card__facts"),
    ]
    if card.percent is not None:
        body.append(html.Div(html.Div(className="measures-progress__bar", style={"width": f"{card.percent}%"}),
                             className="measures-progress", **{"aria-hidden": "true"}))
    body.append(html.P(card.check_text, className="measures-card__check"))
    body.append(_dimension_chips(card))
    if card.due_text:
        body.append(html.P(card.due_text, className="measures-card__due" + (" measures-card__due--overdue"
                                                                             if card.overdue else "")))
    return html.Article(body, id=element_id, className=f"measures-card measures-card--{card.status}",
                        **{"data-status": card.status, "data-overdue": "true" if card.overdue else "false",
                           "aria-labelledby": name_id})


def _select(key: str, label: str, options, selected: str, lang: str) -> html.Div:
    select_id = f"measures-filter-{key}"
    choices = [html.Option(t("measures.filter.all", lang), value="", selected=selected == "")]
    choices += [html.Option(o.label, value=o.value, selected=o.value == selected) for o in options]
    return html.Div([html.Label(label, htmlFor=select_id),
                     html.Select(choices, id=select_id, name=key, className="measures-filters__select")],
                    className="measures-filters__field")


def filters_form(view: MeasuresView, lang: str, kiosk: bool = False) -> html.Form:
    """A GET form: the filters live in the URL (bookmarkable, works without JavaScript)."""
    fields = [_select(key, t(f"measures.filter.{key}", lang), view.options[key], view.filters.get(key, ""), lang)
              for key in FILTER_KEYS]
    hidden = [dcc.Input(type="hidden", name="lang", value=lang, id="measures-filter-lang")]
    if view.filters.get("goal"):
        hidden.append(dcc.Input(type="hidden", name="goal", value=view.filters["goal"], id="measures-filter-goal"))
    if view.filters.get("overdue"):
        hidden.append(dcc.Input(type="hidden", name="overdue", value="1", id="measures-filter-overdue"))
    if kiosk:
        hidden.append(dcc.Input(type="hidden", name="kiosk", value="1", id="measures-filter-kiosk"))
    buttons = [html.Button(t("measures.filter.apply", lang), type="submit", className="measures-button"),
               html.A(t("measures.filter.reset", lang), href=page_url("/measures", lang, kiosk),
                      className="measures-filters__reset")]
    return html.Form(html.Fieldset([html.Legend(t("measures.filter.legend", lang)), *fields, *hidden,
                                    html.Div(buttons, className="measures-filters__actions")],
                                   className="measures-filters__set"),
                     method="GET", action="/measures", id=ids.MEASURES_FILTERS, className="measures-filters")


def counts_bar(view: MeasuresView | WallMeasuresView, lang: str) -> html.Div:
    items = [html.Li(measure_status(c.status, c.text), className="measures-counts__item",
                     **{"data-status": c.status, "data-count": str(c.count)}) for c in view.counts]
    items.append(html.Li(_badge(view.overdue_text, "overdue"), className="measures-counts__item",
                         **{"data-status": "overdue", "data-count": str(view.overdue_count)}))
    return html.Div([html.Span(t("measures.summary.label", lang) + f" ({view.total_text})",
                               className="measures-counts__label"),
                     html.Ul(items, className="measures-counts__list")], className="measures-counts")


def demo_notice(lang: str) -> html.Div:
    return html.Div([html.Span(className="notice__icon", **{"aria-hidden": "true"}),
                     html.P(t("measures.demo.notice", lang))], className="notice notice--demo measures-demo",
                    role="note")


def measures_content(view: MeasuresView, lang: str, kiosk: bool = False, goal_name: str | None = None) -> list:
    children = [demo_notice(lang)] if view.demo else []
    children.append(counts_bar(view, lang))
    if goal_name:
        children.append(html.P(t("measures.filter.goal", lang, goal=goal_name), className="measures-goal-filter"))
    if view.filters.get("overdue"):
        children.append(html.P(t("measures.filter.overdue", lang), className="measures-goal-filter"))
    children.append(filters_form(view, lang, kiosk))
    if view.cards:
        children.append(html.Div([measure_card(c, lang, kiosk, "H2") for c in view.cards],
                                 className="measures-list"))
    else:
        children.append(html.P(t("measures.empty", lang), className="measures-empty", role="status"))
    return children


# ------------------------------------------------------------------------------------------------ detail


def scroll_box(table, caption: str) -> html.Div:
    """A table in its own focusable box that scrolls sideways on a narrow screen (the page itself never does)."""
    return html.Div(table, className="table-scroll measures-table-scroll", tabIndex="0", role="region",
                    **{"aria-label": caption})


def _section(title: str, children: list, class_name: str) -> html.Section:
    return html.Section([html.H2(title, className="measures-section__title"), *children],
                        className=f"measures-section {class_name}")


def reports_table(view: MeasureDetailView) -> html.Div:
    lang = view.lang
    if not view.reports:
        return html.Div(html.P(t("measures.reports.none", lang)), id=ids.MEASURE_REPORTS)
    rows = [(r.when_text, r.author, r.status_text,
             " · ".join(x for x in (r.percent_text, r.milestone_text) if x) or "–", r.text or "–")
            for r in view.reports]
    caption = t("measures.section.reports", lang)
    return html.Div(scroll_box(data_table(caption,
                                          [t("measures.th.when", lang), view.author_header or t("measures.th.author", lang),
                                           t("measures.th.status", lang), t("measures.th.progress", lang),
                                           t("measures.th.text", lang)], rows, class_name="data-table measures-reports"),
                               caption),
                    id=ids.MEASURE_REPORTS)


def report_form(view: MeasureDetailView, kiosk: bool = False, message: str | None = None,
                error: bool = False) -> html.Form:
    """A native POST form (works without JavaScript): status, percent or milestone reached, short text. The
    server checks the permission again (`layouts/blueprints/measures.py`)."""
    lang = view.lang
    card = view.card
    statuses = [html.Option(o.label, value=o.value, selected=o.value == card.status) for o in view.status_options]
    milestones = [html.Option(t("measures.form.milestone_none", lang), value="", selected=True)]
    milestones += [html.Option(o.label, value=o.value) for o in view.milestone_options]
    query = urlencode({"lang": lang, **({"kiosk": "1"} if kiosk else {})})
    children = [
        dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token(), id="measure-form-csrf"),  # session-bound
        html.P(t("measures.form.intro", lang)),
        html.Div([html.Label(t("measures.form.status", lang), htmlFor=ids.MEASURE_FORM_STATUS),
                  html.Select(statuses, id=ids.MEASURE_FORM_STATUS, name="status", required=True,
                              className="measures-filters__select")], className="measures-form__field"),
        html.Div([html.Label(t("measures.form.percent", lang), htmlFor=ids.MEASURE_FORM_PERCENT),
                  dcc.Input(id=ids.MEASURE_FORM_PERCENT, name="percent", type="number", min=0, max=100, step=1,
                            value=card.percent, className="measures-form__input")],
                 className="measures-form__field"),
        html.Div([html.Label(t("measures.form.milestone", lang), htmlFor=ids.MEASURE_FORM_MILESTONE),
                  html.Select(milestones, id=ids.MEASURE_FORM_MILESTONE, name="milestone",
                              className="measures-filters__select")], className="measures-form__field"),
        html.Div([html.Label(t("measures.form.text", lang), htmlFor=ids.MEASURE_FORM_TEXT),
                  html.Textarea(id=ids.MEASURE_FORM_TEXT, name="text", maxLength=1000, rows=3, required=True,
                                className="measures-form__text")], className="measures-form__field"),
        html.Button(t("measures.form.submit", lang), id=ids.MEASURE_FORM_SUBMIT, type="submit",
                    className="measures-button"),
    ]
    if message:
        children.append(html.P(message, id=ids.MEASURE_FORM_MESSAGE, role="alert" if error else "status",
                               className="measures-form__message" + (" measures-form__message--error"
                                                                     if error else "")))
    return html.Form(children, id=ids.MEASURE_FORM, className="measures-form", method="POST",
                     action=f"/measure/{card.id}/report?{query}")


def measure_detail(view: MeasureDetailView, kiosk: bool = False, message: str | None = None,
                   error: bool = False) -> list:
    lang = view.lang
    card = view.card
    facts = [(t("measures.label.status", lang), card.status_text),
             (t("measures.label.field", lang), card.field_name),
             (t("measures.label.department", lang), card.department_name),
             (t("measures.label.period", lang), card.period_text)]
    if card.percent_text:
        facts.append((t("measures.label.progress", lang), card.percent_text))
    if view.contact:
        facts.append((t("measures.label.contact", lang), view.contact))
    if view.budget_text:
        facts.append((t("measures.label.budget", lang), view.budget_text))
    facts += [(t("measures.label.rhythm", lang), view.rhythm_text),
              (t("measures.label.visibility", lang), view.visibility_text)]
    children = [demo_notice(lang)] if card.demo else []
    children += [
        html.P(html.A(t("measures.back", lang), href=page_url("/measures", lang, kiosk)),
               className="measures-back"),
        html.Div(card_badges(card, lang), className="measures-card__badges measures-detail__badges"),
        html.P(view.description, className="measures-detail__description"),
        html.Dl([html.Div([html.Dt(k), html.Dd(v)], className="measures-card__fact") for k, v in facts],
                className="measures-card__facts measures-detail__facts"),
    ]
    if card.due_text:
        children.append(html.P(card.due_text, className="measures-card__due" + (
            " measures-card__due--overdue" if card.overdue else "")))
    links = (scroll_box(data_table(t("measures.section.links", lang),
                                   [t("measures.th.name", lang), t("measures.th.link", lang),
                                    t("measures.th.direction", lang), t("measures.th.effect", lang)],
                                   [(html.A(x.name, href=x.href, className="measures-link") if x.href else x.name,
                                     x.kind_text, x.direction_text, x.effect_text or "–") for x in view.links]),
                        t("measures.section.links", lang))
             if view.links else html.P(t("measures.links.none", lang)))
    children.append(_section(t("measures.section.links", lang), [links], "measures-section--links"))
    check_rows = [(d.dimension_text, d.assessment_text, d.justification or "–") for d in card.dimensions]
    children.append(_section(t("measures.section.check", lang), [
        html.P(card.check_text, className="measures-card__check"), _dimension_chips(card),
        scroll_box(data_table(t("measures.section.check", lang), [t("measures.th.dimension", lang),
                                                                  t("measures.th.assessment", lang),
                                                                  t("measures.th.justification", lang)], check_rows),
                   t("measures.section.check", lang))],
        "measures-section--check"))
    milestones = (scroll_box(data_table(t("measures.section.milestones", lang),
                                        [t("measures.th.milestone", lang), t("measures.th.due", lang),
                                         t("measures.th.state", lang)],
                                        [(m.name, m.due_text, m.state_text) for m in view.milestones]),
                             t("measures.section.milestones", lang))
                  if view.milestones else html.P(t("measures.milestones.none", lang)))
    children.append(_section(t("measures.section.milestones", lang), [milestones], "measures-section--milestones"))
    children.append(_section(t("measures.section.reports", lang), [reports_table(view)],
                             "measures-section--reports"))
    if view.can_report:
        children.append(_section(t("measures.section.report_form", lang), [report_form(view, kiosk, message, error)],
                                 "measures-section--form"))
    else:
        children.append(html.P(t("measures.form.hint", lang), className="measures-form__hint"))
    return children


# ------------------------------------------------------------------------------------------------ for other screens


def goal_measures(view: GoalMeasuresView | None, goal_id: str, lang: str) -> html.Div:
    """The block 'Maßnahmen für dieses Ziel' of a goal card: one line per measure (name, status, overdue report),
    how many reports are overdue, and a link to the goal's measures on /measures. Plain view data: the goals view
    model (`GoalView.measures`) decides what the viewer may see. A plain block under a heading, not a landmark
(one region per goal card would flood the landmark list)."""
    heading_id = f"measures-goal-{goal_id}"
    children = [html.H5(t("measures.goal.heading", lang), id=heading_id, className="measures-goal__title")]
    if view is None or not view.cards:
        children.append(html.P(t("measures.goal.none", lang), className="measures-goal__none"))
        return html.Div(children, className="measures-goal")
    summary = [html.Span(view.total_text, className="measures-goal__total")]
    if view.overdue_text and len(view.cards) > 1:  # a single measure says it on its own line
        summary.append(_badge(view.overdue_text, "overdue"))
    children.append(html.P(summary, className="measures-goal__summary"))
    items = []
    for card in view.cards:
        badges = [measure_status(card.status, card.status_text)]
        if card.overdue:
            badges.append(_badge(t("measures.overdue.badge", lang), "overdue"))
        if card.percent_text:
            badges.append(html.Span(card.percent_text, className="measures-goal__percent"))
        items.append(html.Li([html.A(card.name, href=page_url(card.url_path, lang), className="measures-goal__link"),
                              html.Span(badges, className="measures-goal__badges")],
                             className="measures-goal__item", id=ids.goal_measure(goal_id, card.id),
                             **{"data-status": card.status, "data-overdue": "true" if card.overdue else "false"}))
    children.append(html.Ul(items, className="measures-goal__list"))
    children.append(html.P(html.A(t("measures.goal.all", lang), href=view.href, className="measures-goal__all")))
    return html.Div(children, className="measures-goal")


def overdue_line(summary: OverdueSummary | None) -> html.P | None:
    """One line for the overview intro: 'n Maßnahmen mit überfälligem Fortschrittsbericht', linking to those
    measures; None when no visible measure is overdue."""
    if summary is None or not summary.text:
        return None
    return html.P(html.A([html.Span(className="badge__icon", **{"aria-hidden": "true"}), summary.text],
                         href=summary.href, className="badge measures-badge measures-badge--overdue"),
                  className="measures-overview", id=ids.MEASURES_OVERVIEW_OVERDUE)


def annotation_table(annotations: Sequence[AnnotationView], indicator_name: str, lang: str) -> html.Details | None:
    """The table alternative of the measure markers on a chart (None when there are none)."""
    if not annotations:
        return None
    rows = [(a.date_text, a.kind_text, a.measure_name) for a in annotations]
    return html.Details([
        html.Summary(t("measures.annotations.summary", lang)),
        data_table(t("measures.annotations.caption", lang, indicator=indicator_name),
                   [t("measures.th.date", lang), t("measures.th.event", lang), t("measures.th.measure", lang)], rows),
    ], className="measures-annotations")


def wall_slide(view: WallMeasuresView, lang: str) -> html.Section:
    """The wall slide 'Maßnahmen': counts per status and the measures with overdue updates."""
    children = [html.H2(view.title, className="measures-wall__title"), counts_bar(view, lang)]
    if view.overdue_names:
        children.append(html.Ul([html.Li(name) for name in view.overdue_names], className="measures-wall__overdue",
                                **{"aria-label": view.overdue_text}))
    if view.demo:
        children.append(html.P(t("measures.demo.badge", lang), className="badge badge--demo"))
    return html.Section(children, className="measures-wall")
