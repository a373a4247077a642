"""Comments of the departments before a report is published.

A report generated with a comment deadline is archived as pending (not published): the staff of each department
that owns a goal (through its indicator's `owner`) or a measure (its `department`) in the report may write a short
comment on each of their items. Per department the state goes draft -> submitted (submitted: the department's
comments are final); the report goes pending -> published, by an admin, whatever departments are still missing.
Publishing renders the stored content again with every saved comment (printed with the office's name) and only
then the report is listed on /berichte and in /api/v1/reports and mailed to the subscribers.

A department sees and edits only its own items; the public never sees a pending report or its comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cockpit import clock
from cockpit.reports.codec import content_from_json, content_to_json
from cockpit.reports.model import ReportContent
from cockpit.reports.parts import CommentEntry
from cockpit.reports.pdf import render_pdf
from cockpit.reports.xlsx import render_xlsx
from cockpit.roles import Role, Viewer

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

MAX_COMMENT = 1000  # characters: a short comment, not a second report
DRAFT, SUBMITTED = "draft", "submitted"
PENDING, PUBLISHED = "pending", "published"


class ReviewError(ValueError):
    """A request the review does not allow; `code` names why (the web layer answers 4xx with its text)."""

    def __init__(self, code: str, status: int = 400):
        super().__init__(code)
        self.code, self.status = code, status


@dataclass(frozen=True)
class Item:
    kind: str  # goal | measure
    id: str
    name: str
    department: str | None  # None: no owning department (nobody is asked)


@dataclass(frozen=True)
class Plan:
    """How long the departments have: the deadline `days` after generation, the reminder `remind_days` before it
    (0: no reminder); the channels the report is mailed to when published."""

    days: int
    remind_days: int = 0
    channels: tuple[str, ...] = ()

    def deadline(self, now: datetime) -> datetime:
        return now + timedelta(days=self.days)

    def remind_at(self, now: datetime) -> datetime | None:
        if self.remind_days <= 0 or self.remind_days >= self.days:
            return None
        return self.deadline(now) - timedelta(days=self.remind_days)


def items(cockpit: Cockpit, content: ReportContent) -> tuple[Item, ...]:
    """The goals and measures of a report with their owning departments (goals first, in report order)."""
    indicators = cockpit.catalog.indicator_map
    found = [Item("goal", g.id, g.name, indicators[g.indicator_id].owner) for g in content.goals]
    measures = content.measures
    owners = {m.id: m.department for m in cockpit.store.measures(Role.ADMIN, [m.id for m in measures])}
    found += [Item("measure", m.id, m.name, owners.get(m.id)) for m in measures]
    return tuple(found)


def start(cockpit: Cockpit, report_id: int, content: ReportContent, plan: Plan, now: datetime | None = None) -> None:
    """Open the review of a freshly archived (pending) report."""
    now = now or clock.now()
    departments = sorted({i.department for i in items(cockpit, content) if i.department})
    cockpit.store.add_review(report_id, content_to_json(content), departments, list(plan.channels),
                             plan.deadline(now), plan.remind_at(now))


def _pending(cockpit: Cockpit, report_id: int):
    review = cockpit.store.review(report_id)
    if review is None:
        raise ReviewError("unknown", 404)
    if review.published_at is not None:
        raise ReviewError("published", 409)
    return review


def content_of(cockpit: Cockpit, report_id: int) -> ReportContent:
    text = cockpit.store.review_content(report_id)
    if text is None:
        raise ReviewError("unknown", 404)
    return content_from_json(text)


def own_items(cockpit: Cockpit, report_id: int, viewer: Viewer) -> tuple[Item, ...]:
    """The items of the report `viewer` may comment on: those of the viewer's department (none without one)."""
    if viewer.role not in (Role.INTERNAL, Role.ADMIN) or not viewer.department:
        return ()
    return tuple(i for i in items(cockpit, content_of(cockpit, report_id)) if i.department == viewer.department)


def department_state(cockpit: Cockpit, report_id: int, department: str) -> str:
    return SUBMITTED if department in cockpit.store.report_submissions(report_id) else DRAFT


def _editable(cockpit: Cockpit, report_id: int, viewer: Viewer) -> tuple[Item, ...]:
    review = _pending(cockpit, report_id)
    if not viewer.department or viewer.department not in review.departments:
        raise ReviewError("forbidden", 404)
    if department_state(cockpit, report_id, viewer.department) == SUBMITTED:
        raise ReviewError("submitted", 409)
    return own_items(cockpit, report_id, viewer)


def save(cockpit: Cockpit, report_id: int, viewer: Viewer, texts: dict[tuple[str, str], str]) -> None:
    """Save the department's draft comments ((kind, item id) -> text; empty removes). Only the viewer's own
    items, only while the department has not submitted and the report is pending."""
    allowed = {(i.kind, i.id) for i in _editable(cockpit, report_id, viewer)}
    clean = {}
    for key, text in texts.items():
        if key not in allowed:
            raise ReviewError("item", 404)
        text = " ".join((text or "").split())
        if len(text) > MAX_COMMENT:
            raise ReviewError("too_long", 400)
        clean[key] = text
    cockpit.store.save_report_comments(report_id, viewer.department, clean, viewer.user or "")


def submit(cockpit: Cockpit, report_id: int, viewer: Viewer, address: str | None = None) -> None:
    """draft -> submitted for the viewer's department (final: no more changes)."""
    _editable(cockpit, report_id, viewer)
    if cockpit.store.submit_report_comments(report_id, viewer.department, viewer.user or ""):
        cockpit.store.audit("report.submit", viewer.user, f"report {report_id}", address,
                            f"department={viewer.department}")


@dataclass(frozen=True)
class DepartmentStatus:
    department: str
    name: str
    state: str  # draft | submitted
    comments: int
    submitted_at: datetime | None


def status(cockpit: Cockpit, report_id: int, lang: str) -> tuple[DepartmentStatus, ...]:
    """Each department asked to comment: submitted or not (the admin's overview)."""
    review = cockpit.store.review(report_id)
    if review is None:
        raise ReviewError("unknown", 404)
    names = {d.id: d.name.get(lang) for d in cockpit.catalog.departments}
    submitted = cockpit.store.report_submissions(report_id)
    counts: dict[str, int] = {}
    for c in cockpit.store.report_comments(report_id):
        counts[c.department] = counts.get(c.department, 0) + 1
    return tuple(DepartmentStatus(d, names.get(d, d), SUBMITTED if d in submitted else DRAFT, counts.get(d, 0),
                                  submitted[d][0] if d in submitted else None) for d in review.departments)


def missing(cockpit: Cockpit, report_id: int) -> tuple[str, ...]:
    """The departments that have not submitted (whom a reminder goes to)."""
    review = cockpit.store.review(report_id)
    submitted = cockpit.store.report_submissions(report_id)
    return tuple(d for d in (review.departments if review else ()) if d not in submitted)


def comment_entries(cockpit: Cockpit, report_id: int, content: ReportContent) -> tuple[CommentEntry, ...]:
    """Every saved comment of the report (drafts too: what is saved when the admin publishes is printed), in
    report order, with the office's name in the report's language."""
    names = {d.id: d.name.get(content.lang) for d in cockpit.catalog.departments}
    order = {(i.kind, i.id): (n, i.name) for n, i in enumerate(items(cockpit, content))}
    saved = [c for c in cockpit.store.report_comments(report_id) if (c.kind, c.item_id) in order]
    saved.sort(key=lambda c: order[(c.kind, c.item_id)][0])
    return tuple(CommentEntry(c.kind, c.item_id, order[(c.kind, c.item_id)][1], names.get(c.department, c.department),
                              c.text) for c in saved)


def publish(cockpit: Cockpit, report_id: int, viewer: Viewer, address: str | None = None) -> bool:
    """An admin publishes the pending report: its files again with the comments, then listed and public (for
    a public report). False when it was published meanwhile."""
    if viewer.role != Role.ADMIN:
        raise ReviewError("forbidden", 404)
    _pending(cockpit, report_id)
    content = content_of(cockpit, report_id)
    report = next(r for r in cockpit.store.archived_reports(Role.ADMIN) if r.id == report_id)
    comments = comment_entries(cockpit, report_id, content)
    done = cockpit.store.publish_report(report_id, render_pdf(content, report.created_at, comments),
                                        render_xlsx(content, comments), viewer.user or "")
    if done:
        cockpit.store.audit("report.publish", viewer.user, f"report {report_id}", address,
                            f"comments={len(comments)} missing={','.join(missing(cockpit, report_id)) or '-'}")
    return done
