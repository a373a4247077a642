"""Recording a progress report from the form: checks the permission and the input, then keeps the report."""

from __future__ import annotations

from datetime import UTC, datetime

from cockpit.i18n import t
from cockpit.measures.model import STATUSES, Report, can_report
from cockpit.roles import Viewer

MAX_TEXT = 1000


class ReportRejected(ValueError):
    """The report was not recorded; the message (in the viewer's language) says why, `code` names the problem
    (forbidden | status | percent | milestone | text)."""

    def __init__(self, code: str, lang: str):
        self.code = code
        super().__init__(t(f"measures.form.error.{code}", lang))


def _percent(value, lang: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReportRejected("percent", lang) from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise ReportRejected("percent", lang)
    return int(number)


def submit_report(store, viewer: Viewer, measure_id: str, status, percent, milestone, text, lang: str,
                  now: datetime | None = None) -> str:
    """Record the report if `viewer` may report for the measure; the confirmation text, else ReportRejected."""
    measure = store.measure(viewer, measure_id)
    if measure is None or not can_report(viewer, measure):
        raise ReportRejected("forbidden", lang)
    if status not in STATUSES:
        raise ReportRejected("status", lang)
    number = _percent(percent, lang)
    milestone = milestone or None
    if milestone is not None and milestone not in {m.id for m in measure.milestones}:
        raise ReportRejected("milestone", lang)
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise ReportRejected("text", lang)
    author = viewer.user or t("measures.author.shared", lang, department=viewer.department or viewer.role.value)
    store.record_report(Report(measure_id=measure.id, reported_at=now or datetime.now(UTC), author=author,
                               status=status, percent=number, milestone=milestone, text=text))
    return t("measures.form.saved", lang)
