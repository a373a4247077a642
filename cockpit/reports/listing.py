"""The list of archived reports a viewer may see, as plain data in the viewer's language (/berichte, the API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.i18n import format_datetime, normalize_lang, t
from cockpit.reports.period import parse_period
from cockpit.roles import Role, Viewer

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

PATH = "/berichte"


def report_path(report_id: int, tail: str) -> str:
    """A report's file or page: tail '.pdf', '.xlsx', '/kommentare' (the review), '/veroeffentlichen'."""
    return f"{PATH}/{report_id}{tail}"


@dataclass(frozen=True)
class ReportRow:
    id: int
    period: str  # '2026-H2'
    period_text: str  # '2. Halbjahr 2026'
    audience: str
    audience_text: str
    lang: str
    lang_text: str
    created_text: str  # Europe/Berlin
    created_iso: str  # UTC
    data_version: int
    pdf_path: str
    xlsx_path: str
    pdf_sha256: str
    xlsx_sha256: str
    inputs_sha256: str


@dataclass(frozen=True)
class ReportsView:
    lang: str
    rows: tuple[ReportRow, ...]
    empty_text: str


def _period_text(code: str, lang: str) -> str:
    try:
        return parse_period(code).text(lang)
    except ValueError:
        return code


def build_reports_list(cockpit: Cockpit, who: Viewer | Role | str, lang: str | None = None) -> ReportsView:
    """The published reports `who` may see (the public: public ones only), newest first (a report awaiting the
    departments' comments is listed once an admin publishes it)."""
    lang = normalize_lang(lang)
    rows = tuple(ReportRow(
        id=r.id, period=r.period, period_text=_period_text(r.period, lang), audience=r.audience,
        audience_text=t(f"reports.audience.{r.audience}", lang), lang=r.lang, lang_text=t(f"reports.lang.{r.lang}", lang),
        created_text=format_datetime(r.created_at, lang), created_iso=r.created_at.isoformat(),
        data_version=r.data_version, pdf_path=report_path(r.id, ".pdf"), xlsx_path=report_path(r.id, ".xlsx"),
        pdf_sha256=r.pdf_sha256, xlsx_sha256=r.xlsx_sha256, inputs_sha256=r.inputs_sha256)
        for r in cockpit.store.archived_reports(who, published=True))
    return ReportsView(lang, rows, t("reports.list.empty", lang))
