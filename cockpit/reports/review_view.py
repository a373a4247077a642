"""The comments page of a pending report (`/berichte/<id>/kommentare`) as plain data in the viewer's language:
the viewer's department's goals and measures with their comments, the department's state, and for admins the
state of every department asked and every saved comment. None when the viewer may not see the page (the public,
an unknown or published report)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit import clock
from cockpit.i18n import format_datetime, format_number, normalize_lang, t
from cockpit.reports import review
from cockpit.reports.listing import report_path
from cockpit.reports.period import parse_period
from cockpit.roles import Role, Viewer, is_staff

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

STATE_ICONS = {review.SUBMITTED: "✓", review.DRAFT: "!"}


def comments_path(report_id: int) -> str:
    return report_path(report_id, "/kommentare")


@dataclass(frozen=True)
class ItemRow:
    field: str  # the form field: 'goal:<id>' / 'measure:<id>'
    label: str  # 'Ziel: …'
    text: str  # the saved comment ('' for none)


@dataclass(frozen=True)
class StatusRow:
    office: str
    state: str  # submitted | draft
    icon: str
    state_text: str  # 'Abgegeben' / 'Fehlt'
    count_text: str


@dataclass(frozen=True)
class CommentRow:
    label: str
    office: str
    text: str


@dataclass(frozen=True)
class ReviewView:
    report_id: int
    lang: str
    heading: str
    facts_text: str
    overdue: bool
    draft_pdf_path: str
    form_path: str
    publish_path: str
    office: str | None  # the viewer's department's name, when it is asked
    items: tuple[ItemRow, ...]
    submitted_text: str | None  # 'Abgegeben am …' once the department has submitted
    admin: bool
    statuses: tuple[StatusRow, ...]
    status_summary: str
    comments: tuple[CommentRow, ...]


def build_review_view(cockpit: Cockpit, viewer: Viewer, report_id: int, lang: str | None = None) -> ReviewView | None:
    lang = normalize_lang(lang)
    if not is_staff(viewer):
        return None
    found = cockpit.store.review(report_id)
    report = next((r for r in cockpit.store.archived_reports(Role.ADMIN, published=False) if r.id == report_id), None)
    if found is None or report is None or found.published_at is not None:
        return None
    period = parse_period(report.period).text(lang)
    names = {d.id: d.name.get(lang) for d in cockpit.catalog.departments}
    admin = viewer.role == Role.ADMIN
    department = viewer.department if viewer.department in found.departments else None
    rows: tuple[ItemRow, ...] = ()
    submitted_text = None
    if department:
        saved = {(c.kind, c.item_id): c.text for c in cockpit.store.report_comments(report_id, department)}
        rows = tuple(ItemRow(f"{i.kind}:{i.id}", t(f"reports.review.item.{i.kind}", lang, name=i.name),
                             saved.get((i.kind, i.id), "")) for i in review.own_items(cockpit, report_id, viewer))
        submission = cockpit.store.report_submissions(report_id).get(department)
        if submission is not None:
            submitted_text = t("reports.review.submitted_at", lang, date=format_datetime(submission[0], lang))
    statuses: tuple[StatusRow, ...] = ()
    comments: tuple[CommentRow, ...] = ()
    summary = ""
    if admin:
        states = review.status(cockpit, report_id, lang)
        statuses = tuple(StatusRow(s.name, s.state, STATE_ICONS[s.state],
                                   t(f"reports.review.state.{'submitted' if s.state == review.SUBMITTED else 'missing'}",
                                     lang), format_number(s.comments, 0, lang)) for s in states)
        summary = t("reports.review.status.summary", lang,
                    submitted=sum(1 for s in states if s.state == review.SUBMITTED), total=len(states))
        content = review.content_of(cockpit, report_id)
        comments = tuple(CommentRow(t(f"reports.review.item.{c.kind}", lang, name=c.item_name), c.office, c.text)
                         for c in review.comment_entries(cockpit, report_id, content))
    return ReviewView(
        report_id=report_id, lang=lang, heading=t("reports.review.heading", lang, period=period),
        facts_text=t("reports.review.facts", lang, period=period,
                     audience=t(f"reports.audience.{report.audience}", lang),
                     deadline=format_datetime(found.deadline, lang)),
        overdue=found.deadline < clock.now(), draft_pdf_path=report_path(report_id, ".pdf"),
        form_path=comments_path(report_id), publish_path=report_path(report_id, "/veroeffentlichen"),
        office=names.get(department, department) if department else None, items=rows, submitted_text=submitted_text, admin=admin, statuses=statuses, status_summary=summary,
        comments=comments)


@dataclass(frozen=True)
class PendingRow:
    id: int
    link_text: str
    deadline_text: str
    path: str


def build_pending_list(cockpit: Cockpit, viewer: Viewer, lang: str | None = None) -> tuple[PendingRow, ...]:
    """Staff: the reports awaiting comments (the public: none)."""
    lang = normalize_lang(lang)
    if not is_staff(viewer):
        return ()
    reviews = {r.report_id: r for r in cockpit.store.pending_reviews()}
    rows = []
    for report in cockpit.store.archived_reports(viewer, published=False):
        found = reviews.get(report.id)
        if found is None:
            continue
        period = parse_period(report.period).text(lang)
        rows.append(PendingRow(report.id, t("reports.review.pending.link", lang, period=period,
                                            audience=t(f"reports.audience.{report.audience}", lang)),
                               t("reports.review.pending.deadline", lang,
                                 deadline=format_datetime(found.deadline, lang)), comments_path(report.id)))
    return tuple(rows)
