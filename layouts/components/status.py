"""Status shown as icon plus word (never by colour alone); the icon is decorative and hidden from readers."""

from __future__ import annotations

from dash import html

from cockpit.i18n import t
from cockpit.views.formatting import StatusCount
from layouts import ids


def status_badge(status: str, text: str, large: bool = False) -> html.Span:
    """`<span class="status status--on_track"><span class="status__icon" aria-hidden>…</span>Auf Kurs</span>`."""
    return html.Span(
        [html.Span(className="status__icon", **{"aria-hidden": "true"}), html.Span(text, className="status__text")],
        className=f"status status--{status}" + (" status--large" if large else ""),
    )


def status_counts(counts: tuple[StatusCount, ...], label: str, class_name: str = "counts") -> html.Div:
    """A labelled list of '2 Auf Kurs' chips."""
    items = html.Ul([html.Li(status_badge(c.status, c.text), className=f"{class_name}__item") for c in counts],
                    className=f"{class_name}__list")
    return html.Div([html.Span(label, className=f"{class_name}__label"), items] if label else [items],
                    className=class_name)


def stale_badge(text: str) -> html.Span:
    return html.Span([html.Span(className="badge__icon", **{"aria-hidden": "true"}), text],
                     className="badge badge--stale")


def demo_badge(text: str) -> html.Span:
    return html.Span([html.Span(className="badge__icon", **{"aria-hidden": "true"}), text],
                     className="badge badge--demo")


def demo_notice(lang: str) -> html.Div:
    return html.Div([html.Span(className="notice__icon", **{"aria-hidden": "true"}),
                     html.P(t("ui.demo.notice", lang))], id=ids.DEMO_NOTICE, className="notice notice--demo",
                    role="note")


def legend(lang: str) -> html.Details:
    statuses = ("achieved", "on_track", "at_risk", "off_track", "no_data", "no_goal")
    items = []
    for status in statuses:
        items += [html.Dt(status_badge(status, t(f"status.{status}", lang))), html.Dd(t(f"ui.legend.{status}", lang))]
    items += [html.Dt(stale_badge(t("stale.word", lang))), html.Dd(t("ui.legend.stale", lang))]
    return html.Details([html.Summary(t("ui.legend.summary", lang)), html.Dl(items, className="legend__list"),
                         html.P(t("ui.legend.year", lang), className="legend__note")], className="legend")


def page_intro(demo: bool, counts: tuple[StatusCount, ...], counts_label: str, lang: str) -> list:
    """The top of a page's content: the Demodaten notice where needed, the status counts and the legend."""
    children = [demo_notice(lang)] if demo else []
    bar = [legend(lang)]
    if counts:
        bar.insert(0, status_counts(counts, counts_label))
    children.append(html.Div(bar, className="summary-bar"))
    return children
