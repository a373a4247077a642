"""The report as a tagged PDF/UA-1 (Typst, from PyPI: the compiler and its fonts come with the wheel, no system
packages). See docs/reports.md for why Typst."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import typst

from cockpit.i18n import format_datetime, t
from cockpit.reports.charts import chart_svg
from cockpit.reports.model import ReportContent, Table
from cockpit.reports.parts import CommentEntry

TEMPLATE = Path(__file__).with_name("template.typ")


def _table(tb: Table, number: str = "") -> dict:
    return {"id": tb.id, "caption": tb.caption, "headers": list(tb.headers), "rows": [list(r) for r in tb.rows],
            "number": number}


def summary_table(content: ReportContent) -> Table:
    lang = content.lang
    return Table("summary-status", t("reports.table.counts", lang),
                 (t("reports.table.status", lang), t("reports.table.count", lang)),
                 tuple((c.text.removeprefix(f"{c.count} ").strip(), str(c.count)) for c in content.summary.counts))


def measures_table(content: ReportContent, goal) -> Table:
    lang = content.lang
    headers = (t("reports.measure.name", lang), t("reports.goal.status", lang), t("reports.measure.office", lang),
               t("reports.measure.check", lang), t("reports.measure.report", lang))
    rows = tuple((m.name, m.status_text, m.office, m.check_text,
                  m.last_report_text + (f". {m.due_text}" if m.due_text else "")) for m in goal.measures)
    return Table(f"measures-{goal.id}", t("reports.table.measures", lang), headers, rows)


def sources_table(content: ReportContent) -> Table:
    lang = content.lang
    headers = (t("reports.source.name", lang), t("reports.source.licence", lang),
               t("reports.source.attribution", lang), t("reports.source.indicators", lang),
               t("reports.source.quality_label", lang))
    rows = tuple((s.name + (f" ({t('reports.source.synthetic', lang)})" if s.synthetic else ""), s.licence,
                  s.attribution, ", ".join(s.indicators), s.quality_text) for s in content.sources)
    return Table("sources", t("reports.table.sources", lang), headers, rows)


def comment_label(comment: CommentEntry, lang: str) -> str:
    """'Stellungnahme Umweltamt' / 'Stellungnahme Umweltamt zu „Maßnahme“'."""
    key = "reports.comments.on_goal" if comment.kind == "goal" else "reports.comments.on_measure"
    return t(key, lang, office=comment.office, name=comment.item_name)


def _comments(goal, comments: tuple[CommentEntry, ...], lang: str) -> list[dict]:
    measure_ids = [m.id for m in goal.measures]
    chosen = [c for c in comments if c.kind == "goal" and c.item_id == goal.id]
    chosen += sorted((c for c in comments if c.kind == "measure" and c.item_id in measure_ids),
                     key=lambda c: measure_ids.index(c.item_id))
    return [{"label": comment_label(c, lang), "text": c.text} for c in chosen]


def _document(content: ReportContent, generated: datetime, comments: tuple[CommentEntry, ...] = ()) -> dict:
    lang = content.lang
    appendix_numbers = {tb.id: f"A{i}" for i, tb in enumerate(content.tables, start=1)}
    fields = []
    for f in content.fields:
        goals = []
        for g in f.goals:
            goals.append({
                "name": g.name, "status_text": g.status_text, "reason_text": g.reason_text,
                "assessed_text": g.assessed_text, "expected_text": g.expected_text, "target_text": g.target_text,
                "position_text": g.position_text, "forecast_text": g.forecast_text, "stale_text": g.stale_text,
                "chart_file": f"chart-{g.id}.svg", "chart_alt": g.chart.alt, "chart_title": g.chart.title,
                "chart_caption": t("reports.chart.caption", lang, table=appendix_numbers[g.chart.table.id]),
                "measures": _table(measures_table(content, g)), "comments": _comments(g, comments, lang),
            })
        fields.append({"name": f.name, "dimension_text": f.dimension_text, "goals": goals})
    labels = {key: t(f"reports.{name}", lang) for key, name in (
        ("toc", "toc"), ("summary", "summary.title"), ("status_heading", "summary.status_heading"),
        ("status", "goal.status"), ("no_measures", "goal.no_measures"), ("sources", "sources.title"),
        ("reproducibility", "reproducibility.title"), ("appendix", "appendix.title"),
        ("generated", "fact.generated"))}
    summary = asdict(content.summary)
    summary["counts_table"] = _table(summary_table(content))
    return {
        "lang": lang, "title": content.title, "subtitle": content.subtitle, "city": content.city,
        "facts": [list(f) for f in content.facts], "generated": format_datetime(generated, lang),
        "demo_text": content.demo_text, "labels": labels, "summary": summary, "fields": fields,
        "extra_sections": [{"title": s.title, "paragraphs": list(s.paragraphs),
                            "charts": [{"file": _section_chart_file(s, i), "alt": c.alt, "title": c.title,
                                        "caption": t("reports.chart.caption", lang,
                                                     table=appendix_numbers[c.table.id])}
                                       for i, c in enumerate(s.charts)],
                            "tables": [_table(tb) for tb in s.tables]} for s in content.extra_sections],
        "sources": _table(sources_table(content)),
        "reproducibility": t("reports.reproducibility.text", lang, version=content.provenance.data_version,
                             rules=content.provenance.rules_version),
        "appendix": [_table(tb, appendix_numbers[tb.id]) for tb in content.tables],
    }


def _section_chart_file(section, index: int) -> str:
    return f"chart-section-{section.id}-{index}.svg"


def render_pdf(content: ReportContent, generated: datetime, comments: tuple[CommentEntry, ...] = ()) -> bytes:
    """The report as PDF/UA-1 bytes (A4, tagged, fonts embedded, outline with links). `generated` is printed on
    the title page only; everything else comes from `content` and the departments' `comments` (printed below
    each goal's measures)."""
    with tempfile.TemporaryDirectory(prefix="cockpit-report-") as folder:
        root = Path(folder)
        (root / "main.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        (root / "report.json").write_text(json.dumps(_document(content, generated, comments), ensure_ascii=False),
                                          encoding="utf-8")
        for goal in content.goals:
            (root / f"chart-{goal.id}.svg").write_text(chart_svg(goal.chart, content.lang), encoding="utf-8")
        for section in content.extra_sections:
            for i, chart in enumerate(section.charts):
                (root / _section_chart_file(section, i)).write_text(chart_svg(chart, content.lang), encoding="utf-8")
        return typst.compile(str(root / "main.typ"), root=str(root), pdf_standards=["ua-1"],
                             ignore_system_fonts=True, timestamp=int(generated.timestamp()))
