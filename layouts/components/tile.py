"""A KPI tile: value, change, sparkline, goal with progress and status, forecast, data date and source."""

from __future__ import annotations

from dash import html

from cockpit.i18n import t
from cockpit.views import OverviewView, SourceView, TileView
from cockpit.views.kept import KeptByIdentity
from layouts import ids
from layouts.components.measures import overdue_line
from layouts.components.plain import component_json
from layouts.components.sparkline import sparkline
from layouts.components.status import demo_badge, page_intro, stale_badge, status_badge

ARROWS = {"up": "▲", "down": "▼", "flat": "▶"}


def progress_bar(share: float, text: str) -> html.Div:
    """A bar (decorative, the text says the same) and the progress text."""
    return html.Div(
        [
            html.Div(html.Div(className="progress__fill", style={"width": f"{share * 100:.1f}%"}),
                     className="progress__track", **{"aria-hidden": "true"}),
            html.P(text, className="progress__text"),
        ],
        className="progress",
    )


def foreign(text: str, text_lang: str | None):
    """A text in another language than the page carries its `lang` attribute (WCAG 3.1.2)."""
    return html.Span(text, lang=text_lang) if text_lang else text


def source_details(source: SourceView, lang: str, demo: bool, definition: str = "") -> html.Details:
    name = html.A(source.name, href=source.url, rel="noopener noreferrer", target="_blank", lang=source.lang) \
        if source.url else foreign(source.name, source.lang)
    items = [(t("ui.source.definition", lang), definition)] if definition else []
    items += [
        (t("ui.source.name", lang), name),
        (t("ui.source.licence", lang), foreign(source.licence, source.lang)),
        (t("ui.source.attribution", lang), foreign(source.attribution, source.lang)),
        (t("ui.source.department", lang), source.department),
    ]
    if demo:
        items.append((t("ui.source.synthetic", lang), t("ui.demo.notice", lang)))
    return html.Details(
        [
            html.Summary(t("ui.source.summary", lang)),
            html.Dl([part for term, value in items for part in (html.Dt(term), html.Dd(value))],
                    className="source__list"),
        ],
        className="source",
    )


def _goal_block(tile: TileView, lang: str) -> html.Div:
    if tile.goal_id is None:
        return html.Div(
            [status_badge(tile.status, tile.status_text), html.P(t("ui.tile.no_goal", lang), className="tile__nogoal")],
            className="tile__goal tile__goal--none",
        )
    children = [html.Div([status_badge(tile.status, tile.status_text, large=True),
                          html.P(tile.reason_text, className="tile__reason") if tile.reason_text else None],
                         className="tile__verdict")]
    if tile.goal_name:
        children.append(html.P(tile.goal_name, className="tile__goalname"))
    children.append(html.P(tile.target_text, className="tile__target"))
    if tile.progress_text:
        children.append(progress_bar(tile.progress_bar, tile.progress_text))
    return html.Div(children, className="tile__goal")


def tile(view: TileView, lang: str) -> html.Article:
    """The tile of one indicator: id `tile-<indicator id>`, data-status, data-stale, data-demo."""
    element_id = ids.tile(view.indicator_id)
    name_id = f"{element_id}-name"
    badges = []
    if view.demo:
        badges.append(demo_badge(t("demo.badge", lang)))
    if view.stale:
        badges.append(stale_badge(t("stale.word", lang)))
    value = [html.Span(view.value_text, className="tile__number")]
    if view.value is not None and view.unit:
        value.append(html.Span(view.unit, className="tile__unit"))
    if view.value is not None and view.value_label:
        value.append(html.Span(view.value_label, className="tile__label"))
    change = [html.P(className="tile__change tile__change--none")]  # keeps the rows of all tiles aligned
    if view.change_text:
        change = [html.P([html.Span(ARROWS[view.change_direction], className="tile__arrow",
                                    **{"aria-hidden": "true"}), view.change_text],
                         className=f"tile__change tile__change--{view.change_direction}")]
    if view.running_text:
        change.append(html.P(view.running_text, className="tile__running"))
    foot = [html.P(view.as_of_text, className="tile__asof")]
    if view.stale_text:
        foot.append(html.P(view.stale_text, className="tile__stale"))
    foot.append(source_details(view.source, lang, view.demo, view.description))
    classes = f"tile tile--{view.status}" + (" tile--stale" if view.stale else "") + (" tile--empty" if view.value
                                                                                     is None else "")
    return html.Article(
        [
            html.Div([html.H3(html.A(view.name, href=view.href, className="tile__link") if view.href else view.name,
                              id=name_id, className="tile__name"),
                      html.Div(badges, className="tile__badges") if badges else None], className="tile__head"),
            html.P(value, className="tile__value"),
            html.Div(change, className="tile__changes"),
            sparkline(view.spark, lang, f"{element_id}-spark", view.indicator_id),
            _goal_block(view, lang),
            html.Div(foot, className="tile__foot"),
        ],
        id=element_id,
        className=classes,
        **{"data-status": view.status, "data-stale": "true" if view.stale else "false",
           "data-demo": "true" if view.demo else "false", "aria-labelledby": name_id},
    )


_RENDERED: KeptByIdentity[dict] = KeptByIdentity(128)  # tiles kept rendered (about 15 per role and language)
_CONTENT: KeptByIdentity[list] = KeptByIdentity(32)  # overview contents kept rendered (per view model)


def kept_tile(view: TileView, lang: str) -> dict:
    """`tile(view, lang)` as the component JSON Dash sends (plain dicts), rendered once per tile view object: a
    view model keeps the views of unchanged indicators (the same objects) from one snapshot to the next, so only
    changed tiles are rendered again, and a page of kept tiles is encoded without walking their components.
    The JSON is never changed after rendering, so one tree may go into several responses."""
    return _RENDERED.get((view,), (lang,), lambda: component_json(tile(view, lang)))


def overview_content(view: OverviewView) -> list:
    """Everything below the page heading; re-rendered as a whole by the refresh callback. Rendered once per view
    model object (`build_overview` gives the same object while nothing shown changed), as plain JSON."""
    return _CONTENT.get((view,), (), lambda: component_json(_overview_content(view)))


def _overview_content(view: OverviewView) -> list:
    lang = view.lang
    children = page_intro(view.demo, view.counts, t("ui.overview.summary", lang), lang)
    overdue = overdue_line(view.measures_overdue)
    if overdue is not None:
        children.append(overdue)
    for group in view.groups:
        heading_id = f"domain-{group.domain}"
        children.append(html.Section(
            [html.H2(group.title, id=heading_id, className="domain__title"),
             html.Div([kept_tile(tile_view, lang) for tile_view in group.tiles], className="tile-grid")],
            className=f"domain domain--{group.domain}", **{"aria-labelledby": heading_id},
        ))
    return children
