"""The goal tree: vision sections, field-of-action sections with their dimension, goal cards."""

from __future__ import annotations

from dash import html

from cockpit.i18n import t
from cockpit.kpi.pathway import CO2_INDICATORS
from cockpit.views import FieldView, GoalsView, GoalView, VisionView
from layouts import ids
from layouts.components.measures import goal_measures
from layouts.components.status import demo_badge, page_intro, stale_badge, status_badge, status_counts
from layouts.components.tables import data_table
from layouts.components.tile import progress_bar


def _figure(label: str, value: str, class_name: str) -> html.Div:
    return html.Div([html.Dt(label), html.Dd(value)], className=f"figure {class_name}")


def goal_card(goal: GoalView, lang: str) -> html.Article:
    """One goal: id `goal-<goal id>`, data-status, data-stale."""
    element_id = ids.goal(goal.id)
    name_id = f"{element_id}-name"
    badges = [status_badge(goal.status, goal.status_text, large=True)]
    if goal.demo:
        badges.append(demo_badge(t("demo.badge", lang)))
    if goal.stale:
        badges.append(stale_badge(t("stale.word", lang)))
    figures = []
    if goal.year is not None:
        figures += [_figure(goal.actual_label, goal.value_text, "figure--actual"),
                    _figure(goal.expected_label, goal.expected_text, "figure--expected")]
    else:
        figures.append(_figure(t("ui.goals.actual", lang, year="–"), t("ui.goals.no_year", lang), "figure--actual"))
    figures.append(_figure(goal.target_label, goal.target_value_text, "figure--target"))
    path_rows = [(p.kind_text, str(p.year), p.number_text) for p in goal.path]
    body = [
        html.Div([html.H4(html.A(goal.name, href=goal.href, className="goal__link") if goal.href else goal.name,
                          id=name_id, className="goal__name"),
                  html.Div(badges, className="goal__badges")], className="goal__head"),
    ]
    if goal.reason_text:
        body.append(html.P(goal.reason_text, className="goal__reason"))
    if goal.stale_text:
        body.append(html.P(goal.stale_text, className="goal__stale"))
    body += [
        html.P(t("ui.goals.indicator", lang, name=goal.indicator_name), className="goal__indicator"),
        html.Dl(figures, className="goal__figures"),
    ]
    if goal.progress_text:
        body.append(progress_bar(goal.progress_bar, goal.progress_text))
    if goal.trend_text:
        body.append(html.P(goal.trend_text, className="goal__trend"))
    body.append(html.Details([
        html.Summary(t("ui.goals.path", lang)),
        data_table(f"{t('ui.goals.path', lang)} – {goal.name}",
                   [t("ui.goals.path.kind", lang), t("ui.goals.path.year", lang),
                    t("ui.goals.path.value", lang, unit=goal.unit)],
                   path_rows, numeric=(1, 2)),
    ], className="goal__path", open=True))
    body.append(html.P(goal.basis_text, className="goal__basis"))
    if goal.indicator_id in CO2_INDICATORS:  # the climate pathway: are the measures enough for this goal?
        body.append(html.P(html.A(t("pathway.link", lang), href=f"/klimapfad?lang={lang}",
                                  id=f"{element_id}-pathway"), className="goal__pathway"))
    body.append(goal_measures(goal.measures, goal.id, lang))
    return html.Article(
        body, id=element_id, className=f"goal goal--{goal.status}" + (" goal--stale" if goal.stale else "")
        + (" goal--measures-overdue" if goal.measures and goal.measures.overdue_count else ""),
        **{"data-status": goal.status, "data-stale": "true" if goal.stale else "false",
           "aria-labelledby": name_id},
    )


def field_section(field: FieldView, lang: str) -> html.Section:
    heading_id = f"field-{field.id}"
    head = html.Div([
        html.H3(field.name, id=heading_id, className="field__name"),
        html.Span(field.dimension_text, className=f"dimension dimension--{field.dimension}"),
    ], className="field__head")
    meta = html.Div([html.Span(field.total_text, className="node__total"),
                     status_counts(field.counts, "", "node-counts") if field.counts else None],
                    className="node__meta")
    goals = [goal_card(g, lang) for g in field.goals] or [html.P(t("ui.goals.none", lang), className="field__empty")]
    return html.Section([head, meta, html.Div(goals, className="goal-grid")],
                        className=f"field field--{field.dimension}", **{"aria-labelledby": heading_id})


def vision_section(vision: VisionView, lang: str) -> html.Section:
    heading_id = f"vision-{vision.id}"
    return html.Section([
        html.P(t("ui.goals.vision", lang), className="vision__kicker"),
        html.H2(vision.name, id=heading_id, className="vision__name"),
        html.Div([html.Span(vision.total_text, className="node__total"),
                  status_counts(vision.counts, "", "node-counts") if vision.counts else None],
                 className="node__meta"),
        *[field_section(f, lang) for f in vision.fields],
    ], className="vision", **{"aria-labelledby": heading_id})


def goals_content(view: GoalsView) -> list:
    """Everything below the page heading; re-rendered as a whole by the refresh callback."""
    lang = view.lang
    children = page_intro(view.demo, view.counts, view.total_text, view.lang)
    children += [vision_section(v, lang) for v in view.visions]
    return children
