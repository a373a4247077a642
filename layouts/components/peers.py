"""'Gera im Vergleich': the city's value beside the median and range of its municipality type and the chosen
peers (cockpit/views/peers.py), as a table with caption, year, source and the demo note. One call site each on
the indicator page and the goals page."""

from __future__ import annotations

from dash import html

from cockpit.i18n import t
from cockpit.views.peers import PeerComparison, compare, compare_all
from layouts.auth import current_viewer
from layouts.components.tables import data_table
from layouts.context import current_cockpit


def _table(found: PeerComparison, lang: str, heading_level: str = "H2") -> html.Section:
    heading = getattr(html, heading_level)
    rows = [[row.label, row.text] for row in found.rows]
    parts = [heading(found.heading if heading_level == "H2" else found.caption),
             html.Div(data_table(found.caption, [t("standards.peers.col_who", lang), t("standards.peers.col_value",
                                                                                      lang)],
                                 rows, (1,), class_name="data-table peers-table"),
                      className="explorer-table-scroll", tabIndex="0", role="region",
                      **{"aria-label": found.caption})]
    notes = [found.source_text]
    if found.definition:
        notes.append(t("standards.peers.definition", lang, text=found.definition))
    parts.append(html.P(". ".join(n.rstrip(".") for n in notes) + ".", className="peers-source"))
    if found.demo:
        parts.append(html.P(t("standards.peers.demo", lang), className="peers-demo"))
    return html.Section(parts, className="explorer-section peers", id=f"peers-{found.indicator}")


def peer_section(indicator_id: str, lang: str) -> html.Section | None:
    """The comparison of one indicator for the current viewer, or None when there is none."""
    found = compare(current_cockpit(), current_viewer(), indicator_id, lang)
    return None if found is None else _table(found, lang)


def peer_overview(lang: str) -> html.Section | None:
    """Every goal indicator's comparison (the goals page), or None."""
    found = compare_all(current_cockpit(), current_viewer(), lang)
    if not found:
        return None
    return html.Section([html.H2(found[0].heading), *[_table(f, lang, "H3") for f in found]],
                        className="peers-overview", id="peers-overview")
