"""The operations page `/status` on screen: runs, recent errors, quarantine (with its filter form) and alerts.
Counts are formatted by the view; a text a connector wrote in English carries `lang="en"` (screen readers switch
voice) and, on German pages, a lead saying that it is the interface's technical message."""

from __future__ import annotations

from collections.abc import Sequence

from dash import dcc, html

from cockpit.i18n import t
from cockpit.views.status import StatusView
from layouts.components.tables import data_table


def _section(title: str, children: list, class_name: str) -> html.Section:
    return html.Section([html.H2(title, className="measures-section__title"), *children],
                        className=f"measures-section {class_name}")


def _technical(text: str, text_lang: str, lang: str):
    """`text` as written; an English text on a German page with a lead naming it as such."""
    if text_lang == lang:
        return text
    return [html.Span(t("status.english", lang), className="status-english__lead"), " ",
            html.Span(text, lang=text_lang)]


def _table(caption: str, headers: Sequence[str], rows: list[list], class_name: str,
           numeric: Sequence[int] = ()) -> html.Table:
    def cell(index: int, content):
        if index == 0:
            return html.Th(content, scope="row")
        return html.Td(content, className="num" if index in numeric else None)

    return html.Table([
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(h, scope="col", className="num" if i in numeric else None)
                            for i, h in enumerate(headers)])),
        html.Tbody([html.Tr([cell(i, c) for i, c in enumerate(row)]) for row in rows]),
    ], className=class_name)


def status_content(view: StatusView, lang: str) -> list:
    sources = data_table(
        t("measures.ops.sources", lang),
        [t("measures.th.source", lang), t("status.th.connector", lang), t("measures.th.last_run", lang),
         t("measures.th.run_status", lang), t("measures.th.read", lang), t("measures.th.stored", lang),
         t("measures.th.rejected", lang), t("measures.th.next_run", lang)],
        [(s.source_id, s.connector_text, s.last_run_text, s.status_text, s.read_text, s.stored_text,
          s.rejected_text, s.next_run_text) for s in view.sources], numeric=(4, 5, 6),
        class_name="data-table measures-ops__runs")
    errors = (_table(t("measures.ops.errors", lang),
                     [t("measures.th.source", lang), t("measures.th.when", lang), t("measures.th.error", lang)],
                     [[e.source_id, e.when_text, _technical(e.error, e.error_lang, lang)] for e in view.errors],
                     "data-table")
              if view.errors else html.P(t("measures.ops.errors.none", lang)))
    options = [html.Option(t("measures.filter.all", lang), value="", selected=view.quarantine_source == "")]
    options += [html.Option(s, value=s, selected=s == view.quarantine_source) for s in view.source_options]
    q_filter = html.Form(html.Div([
        html.Label(t("measures.ops.quarantine.filter", lang), htmlFor="status-quarantine-source"),
        html.Select(options, id="status-quarantine-source", name="source", className="measures-filters__select"),
        dcc.Input(type="hidden", name="lang", value=lang, id="status-filter-lang"),
        html.Button(t("measures.filter.apply", lang), type="submit", className="measures-button"),
    ], className="measures-filters__field measures-ops__filter"), method="GET", action="/status",
        className="measures-filters")
    if view.quarantine:
        quarantine = [html.P(view.quarantine_count_text),
                      html.Table([
                          html.Caption(t("measures.ops.quarantine", lang)),
                          html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
                              "measures.th.source", "measures.th.run", "measures.th.when", "measures.th.reason",
                              "measures.th.raw")])),
                          html.Tbody([html.Tr([html.Th(q.source_id, scope="row"), html.Td(q.run_text),
                                               html.Td(q.when_text), html.Td(_technical(q.reason, q.reason_lang, lang)),
                                               html.Td(html.Pre(q.raw, className="measures-ops__raw", tabIndex="0",
                                                                **{"aria-label": t("measures.th.raw", lang)}))])
                                      for q in view.quarantine]),
                      ], className="data-table measures-ops__quarantine")]
    else:
        quarantine = [html.P(t("measures.ops.quarantine.none", lang))]
    alerts = [html.P(view.firing_text)]
    if view.firing:
        alerts.append(html.Ul([html.Li(t("status.firing.item", lang, rule=key.partition(":")[0],
                                         subject=key.partition(":")[2])) for key in view.firing],
                              className="measures-ops__firing"))
    alerts.append(data_table(t("measures.ops.alerts", lang),
                             [t("measures.th.when", lang), t("measures.th.rule", lang), t("measures.th.subject", lang),
                              t("measures.th.event", lang), t("measures.th.message", lang),
                              t("measures.th.delivery", lang)],
                             [(a.when_text, a.rule_id, a.subject, a.event_text, a.message, a.delivery_text)
                              for a in view.alerts]) if view.alerts else html.P(t("measures.ops.alerts.none", lang)))
    return [
        _section(t("measures.ops.sources", lang), [html.Div(sources, className="measures-scroll")],
                 "measures-ops__sources"),
        _section(t("measures.ops.errors", lang), [html.Div(errors, className="measures-scroll")],
                 "measures-ops__errors"),
        _section(t("measures.ops.quarantine", lang), [q_filter, html.Div(quarantine, className="measures-scroll")],
                 "measures-ops__quarantine-section"),
        _section(t("measures.ops.alerts", lang), alerts, "measures-ops__alerts"),
    ]
