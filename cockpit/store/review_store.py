"""The store's part for report reviews: comments of the departments before a report is published (the SQL is in
`report_reviews`). Who may comment on what is decided above the store (`cockpit.reports.review`)."""

from __future__ import annotations

from datetime import datetime

from cockpit.store import report_reviews as review_sql
from cockpit.store.base import StoreBase
from cockpit.store.schema import utcnow


class ReviewStore(StoreBase):
    def add_review(self, report_id: int, content: str, departments: list[str], channels: list[str],
                   deadline: datetime, remind_at: datetime | None) -> None:
        with self._write() as conn:
            review_sql.add(conn, report_id, content, departments, channels, deadline, remind_at)

    def review(self, report_id: int) -> review_sql.Review | None:
        with self._read() as conn:
            return review_sql.read(conn, report_id)

    def review_content(self, report_id: int) -> str | None:
        with self._read() as conn:
            return review_sql.read_content(conn, report_id)

    def pending_reviews(self) -> list[review_sql.Review]:
        with self._read() as conn:
            return review_sql.pending(conn)

    def due_reminders(self, now: datetime | None = None) -> list[review_sql.Review]:
        with self._read() as conn:
            return review_sql.due_reminders(conn, now or utcnow())

    def claim_reminder(self, report_id: int, now: datetime | None = None) -> bool:
        with self._write() as conn:
            return review_sql.claim_reminder(conn, report_id, now or utcnow())

    def report_comments(self, report_id: int, department: str | None = None) -> list[review_sql.Comment]:
        with self._read() as conn:
            return review_sql.comments(conn, report_id, department)

    def save_report_comments(self, report_id: int, department: str, texts: dict[tuple[str, str], str],
                             user: str, now: datetime | None = None) -> None:
        """Set the department's comments ((kind, item id) -> text) in one transaction."""
        with self._write() as conn:
            for (kind, item_id), text in texts.items():
                review_sql.save_comment(conn, report_id, kind, item_id, department, text, now or utcnow(), user)

    def report_submissions(self, report_id: int) -> dict[str, tuple[datetime, str]]:
        with self._read() as conn:
            return review_sql.submissions(conn, report_id)

    def submit_report_comments(self, report_id: int, department: str, user: str,
                               now: datetime | None = None) -> bool:
        with self._write() as conn:
            return review_sql.submit(conn, report_id, department, now or utcnow(), user)

    def publish_report(self, report_id: int, pdf: bytes, xlsx: bytes, user: str, now: datetime | None = None) -> bool:
        with self._write() as conn:
            return review_sql.publish(conn, report_id, pdf, xlsx, now or utcnow(), user)
