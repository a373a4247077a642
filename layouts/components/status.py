"""Status shown as icon plus word (never by colour alone); the icon is decorative and hidden from readers."""

from __future__ import annotations

from dash import html

from cockpit.views.formatting import StatusCount


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
