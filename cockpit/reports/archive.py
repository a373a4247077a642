"""Archived reports: generate once, store the PDF and XLSX with their checksums, never regenerate silently.

A report of the same period, audience and language whose inputs have the same SHA-256 is not made again: the
archived one is returned. New data (another inputs hash) gives a new archived report with its own id (the old one
stays under its URL). "Since the last report" compares with the newest archived report of the same audience and
language on an earlier period."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cockpit import clock
from cockpit.i18n import normalize_lang
from cockpit.reports.model import ReportState, build_report
from cockpit.reports.pdf import render_pdf
from cockpit.reports.period import Period, parse_period
from cockpit.reports.review import Plan, start
from cockpit.reports.xlsx import render_xlsx
from cockpit.roles import Role

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit


@dataclass(frozen=True)
class Archived:
    id: int
    created: bool  # False: an archived report with the same inputs existed and was kept
    inputs_sha256: str


def previous_state(cockpit: Cockpit, period: Period, audience: str, lang: str) -> ReportState | None:
    """The state of the newest archived report of `audience` and `lang` on a period that ended earlier."""
    for report in cockpit.store.archived_reports(Role.ADMIN, audience, lang):
        try:
            earlier = parse_period(report.period).end < period.end
        except ValueError:
            continue
        if earlier:
            return ReportState.from_json(report.state)
    return None


def generate_archived(cockpit: Cockpit, period: Period, audience: str, lang: str | None = None,
                      created_by: str = "", now: datetime | None = None, plan: Plan | None = None) -> Archived:
    """Archive the report (published at once), or with a comment `plan` as pending: the departments comment
    first and an admin publishes it (`cockpit.reports.review`)."""
    lang = normalize_lang(lang)
    content = build_report(cockpit, period, audience, lang, previous_state(cockpit, period, audience, lang))
    for report in cockpit.store.archived_reports(Role.ADMIN, audience, lang):
        if report.period == period.code and report.inputs_sha256 == content.provenance.inputs_sha256:
            return Archived(report.id, False, content.provenance.inputs_sha256)
    now = now or clock.now()
    report_id = cockpit.store.archive_report(
        period=period.code, audience=audience, lang=lang, **asdict(content.provenance), state=content.state.to_json(),
        pdf=render_pdf(content, now), xlsx=render_xlsx(content), created_by=created_by, published=plan is None)
    if plan is not None:
        start(cockpit, report_id, content, plan, now)
    return Archived(report_id, True, content.provenance.inputs_sha256)
