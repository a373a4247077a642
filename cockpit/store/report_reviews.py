"""The SQL of report reviews: a pending report's review row, the departments' comments per goal and measure,
their submissions, publishing (the one change an archived report gets: its files with the comments, and the
`published` flag) and the reminder, claimed once with a conditional UPDATE (never twice across processes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from cockpit.store.reports import sha256
from cockpit.store.schema import archived_reports, report_comments, report_reviews, report_submissions


@dataclass(frozen=True)
class Review:
    report_id: int
    departments: tuple[str, ...]
    channels: tuple[str, ...]
    deadline: datetime
    remind_at: datetime | None
    reminded_at: datetime | None
    published_at: datetime | None
    published_by: str | None


@dataclass(frozen=True)
class Comment:
    kind: str  # goal | measure
    item_id: str
    department: str
    text: str
    updated_at: datetime
    updated_by: str


_REVIEW_COLUMNS = ("report_id", "departments", "channels", "deadline", "remind_at", "reminded_at", "published_at",
                   "published_by")


def _review(row) -> Review:
    values = dict(row)
    values["departments"] = tuple(json.loads(values["departments"]))
    values["channels"] = tuple(json.loads(values["channels"]))
    return Review(**values)


def add(conn: Connection, report_id: int, content: str, departments: list[str], channels: list[str],
        deadline: datetime, remind_at: datetime | None) -> None:
    conn.execute(insert(report_reviews).values(
        report_id=report_id, content=content, departments=json.dumps(sorted(departments)),
        channels=json.dumps(list(channels)), deadline=deadline, remind_at=remind_at))


def read(conn: Connection, report_id: int) -> Review | None:
    row = conn.execute(select(*(report_reviews.c[c] for c in _REVIEW_COLUMNS))
                       .where(report_reviews.c.report_id == report_id)).mappings().first()
    return _review(row) if row is not None else None


def read_content(conn: Connection, report_id: int) -> str | None:
    return conn.execute(select(report_reviews.c.content)
                        .where(report_reviews.c.report_id == report_id)).scalar_one_or_none()


def pending(conn: Connection) -> list[Review]:
    """Reviews of reports not yet published, oldest first."""
    rows = conn.execute(select(*(report_reviews.c[c] for c in _REVIEW_COLUMNS))
                        .where(report_reviews.c.published_at.is_(None))
                        .order_by(report_reviews.c.report_id)).mappings().all()
    return [_review(r) for r in rows]


def due_reminders(conn: Connection, now: datetime) -> list[Review]:
    """Pending reviews whose reminder point has come and whose reminder has not gone out."""
    rows = conn.execute(select(*(report_reviews.c[c] for c in _REVIEW_COLUMNS)).where(
        report_reviews.c.published_at.is_(None), report_reviews.c.remind_at.is_not(None),
        report_reviews.c.remind_at <= now, report_reviews.c.reminded_at.is_(None))
        .order_by(report_reviews.c.report_id)).mappings().all()
    return [_review(r) for r in rows]


def claim_reminder(conn: Connection, report_id: int, now: datetime) -> bool:
    """Mark the reminder as sent; False when it was already (so it goes out once)."""
    result = conn.execute(update(report_reviews).where(
        report_reviews.c.report_id == report_id, report_reviews.c.reminded_at.is_(None)).values(reminded_at=now))
    return bool(result.rowcount)


def comments(conn: Connection, report_id: int, department: str | None = None) -> list[Comment]:
    query = select(report_comments.c.kind, report_comments.c.item_id, report_comments.c.department,
                   report_comments.c.text, report_comments.c.updated_at, report_comments.c.updated_by).where(
        report_comments.c.report_id == report_id)
    if department is not None:
        query = query.where(report_comments.c.department == department)
    rows = conn.execute(query.order_by(report_comments.c.kind, report_comments.c.item_id)).mappings().all()
    return [Comment(**dict(r)) for r in rows]


def save_comment(conn: Connection, report_id: int, kind: str, item_id: str, department: str, text: str,
                 now: datetime, user: str) -> None:
    """Set (or, with an empty text, remove) the comment on one item."""
    conn.execute(delete(report_comments).where(report_comments.c.report_id == report_id,
                                               report_comments.c.kind == kind, report_comments.c.item_id == item_id))
    if text:
        conn.execute(insert(report_comments).values(report_id=report_id, kind=kind, item_id=item_id,
                                                    department=department, text=text, updated_at=now,
                                                    updated_by=user))


def submissions(conn: Connection, report_id: int) -> dict[str, tuple[datetime, str]]:
    rows = conn.execute(select(report_submissions.c.department, report_submissions.c.submitted_at,
                               report_submissions.c.submitted_by)
                        .where(report_submissions.c.report_id == report_id)).all()
    return {r.department: (r.submitted_at, r.submitted_by) for r in rows}


def submit(conn: Connection, report_id: int, department: str, now: datetime, user: str) -> bool:
    """Record the department's submission; False when it had submitted already."""
    exists = conn.execute(select(report_submissions.c.department).where(
        report_submissions.c.report_id == report_id, report_submissions.c.department == department)).first()
    if exists is not None:
        return False
    conn.execute(insert(report_submissions).values(report_id=report_id, department=department, submitted_at=now,
                                                   submitted_by=user))
    return True


def publish(conn: Connection, report_id: int, pdf: bytes, xlsx: bytes, now: datetime, user: str) -> bool:
    """Publish a pending report with its final files (with the comments); False when it was published already."""
    result = conn.execute(update(report_reviews).where(
        report_reviews.c.report_id == report_id, report_reviews.c.published_at.is_(None)).values(
        published_at=now, published_by=user))
    if not result.rowcount:
        return False
    conn.execute(update(archived_reports).where(archived_reports.c.id == report_id).values(
        published=True, pdf=pdf, pdf_sha256=sha256(pdf), xlsx=xlsx, xlsx_sha256=sha256(xlsx)))
    return True
