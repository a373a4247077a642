"""The store's archive of council reports (the SQL is in `reports`)."""

from __future__ import annotations

from datetime import datetime

from cockpit.roles import Role, Viewer, is_staff
from cockpit.store import reports as report_sql
from cockpit.store.base import StoreBase
from cockpit.store.schema import utcnow


class ReportsStore(StoreBase):
    def archive_report(self, *, period: str, audience: str, lang: str, data_version: int, rules_version: str,
                       inputs_sha256: str, state: str, pdf: bytes, xlsx: bytes, created_by: str = "",
                       published: bool = True, created_at: datetime | None = None) -> int:
        """Store a generated report for good; its id (the stable URL)."""
        with self._write() as conn:
            return report_sql.add(conn, period=period, audience=audience, lang=lang,
                                  created_at=created_at or utcnow(), created_by=created_by,
                                  data_version=data_version, rules_version=rules_version,
                                  inputs_sha256=inputs_sha256, state=state, published=published, pdf=pdf, xlsx=xlsx)

    def archived_reports(self, who: Viewer | Role | str, audience: str | None = None,
                         lang: str | None = None, published: bool | None = None) -> list[report_sql.ArchivedReport]:
        """The archived reports `who` may see, newest first: the public sees published public reports only
        (`published`: only published / only pending ones)."""
        with self._read() as conn:
            return report_sql.read_all(conn, is_staff(who), audience, lang, published)

    def archived_report_file(self, who: Viewer | Role | str, report_id: int,
                             kind: str = "pdf") -> tuple[report_sql.ArchivedReport, bytes] | None:
        if kind not in ("pdf", "xlsx"):
            raise ValueError(f"kind {kind!r}: expected pdf or xlsx")
        with self._read() as conn:
            return report_sql.read_file(conn, report_id, kind, is_staff(who))
